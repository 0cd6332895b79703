from bot.blocks import intake as ib
from bot.blocks import moderation as mb
from bot.blocks import posts as pb
from bot.listeners.views import intake, moderation, posts


def register(app, services) -> None:
    app.view(ib.FORM_CALLBACK)(intake.submitted(services, "text"))
    app.view(ib.PRINCIPLES_CALLBACK)(intake.submitted(services, "principles"))
    app.view(ib.EDIT_CALLBACK)(intake.submitted(services, "edit"))
    app.view(ib.REMOVE_CALLBACK)(intake.submitted(services, "remove"))
    app.view(pb.REPLY_CALLBACK["anonymous"])(posts.submitted(services, "anonymous"))
    app.view(pb.REPLY_CALLBACK["op"])(posts.submitted(services, "op"))
    app.view(pb.REPLY_CHECK_CALLBACK["anonymous"])(posts.submitted(services, "anonymous", checked=True))
    app.view(pb.REPLY_CHECK_CALLBACK["op"])(posts.submitted(services, "op", checked=True))
    app.view(pb.FLAG_CALLBACK)(posts.flag_submitted(services))
    app.view(mb.REJECT_CALLBACK)(moderation.reject_submitted(services))
