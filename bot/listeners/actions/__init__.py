import re

from bot.blocks import answers
from bot.blocks import intake as ib
from bot.blocks import moderation as mb
from bot.blocks import posts as pb
from bot.blocks.common import CONSULT_START
from bot.listeners.actions import help, intake, moderation, posts


def register(app, services) -> None:
    app.action(re.compile(rf"^{answers.PRINCIPLE_MORE}(:.*)?$"))(help.principle_more(services))
    app.action(answers.PRINCIPLES_LIST)(help.principles_list(services))
    app.action(CONSULT_START)(intake.start(services))
    app.action(re.compile(rf"^{ib.CHOICE}(:\d+)?$"))(intake.click(services, "choice"))
    app.action(ib.PRINCIPLES_ACCEPT)(intake.click(services, "choice"))
    app.action(ib.BACK)(intake.click(services, "back"))
    app.action(ib.SKIP)(intake.click(services, "skip"))
    app.action(ib.CANCEL)(intake.click(services, "cancel"))
    app.action(ib.POST)(intake.click(services, "post"))
    app.action(ib.FORM)(intake.open_form(services, "text"))
    app.action(ib.PRINCIPLES_CHANGE)(intake.open_form(services, "principles"))
    app.action(ib.EDIT)(intake.open_form(services, "edit"))
    app.action(ib.REMOVE)(intake.open_form(services, "remove"))
    app.action(ib.RESUME)(intake.resume(services))
    app.action(ib.RESTART)(intake.restart(services))
    app.action(pb.REPLY_ANON)(posts.open_reply(services, "anonymous"))
    app.action(pb.OP_REPLY)(posts.open_reply(services, "op"))
    app.action(pb.FLAG)(posts.flag(services))
    app.action(pb.FLAG_UNDO)(posts.unflag(services))
    app.action(pb.RESOLVE)(posts.resolve(services))
    app.action(pb.REOPEN)(posts.resolve(services, resolved=False))
    app.action(pb.DELETE)(posts.delete(services))
    app.action(pb.RECORD)(posts.record(services))
    app.action(mb.APPROVE)(moderation.approve(services))
    app.action(mb.REJECT)(moderation.open_reject(services))
    app.action(mb.FLAG_REMOVE)(moderation.flag(services, remove=True))
    app.action(mb.FLAG_DISMISS)(moderation.flag(services, remove=False))
    app.action(mb.BLOCK)(moderation.block(services))
    app.action(mb.BLOCK_YES)(moderation.block_confirmed(services))
    app.action(mb.BLOCK_NO)(moderation.block_cancelled(services))
