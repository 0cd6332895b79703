"""Buttons on the consultation post and in the poster's DMs."""

from bot.blocks import intake as ib
from bot.blocks import posts as pb
from bot.listeners.actions.common import number, numbered


def open_reply(services, kind: str):
    async def on_open_reply(ack, body, action, client):
        await ack()
        n = number(action)
        if n is None:
            return
        title = pb._t("post.reply_form_title" if kind == "anonymous" else "post.op_form_title")
        hint = pb._t("post.reply_form_hint" if kind == "anonymous" else "post.op_form_hint")
        view = ib.reply_form(
            pb.REPLY_CALLBACK[kind], n, title, pb._t("post.reply_form_label"), hint, pb._t("post.reply_form_submit")
        )
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    return on_open_reply


def _acting(services, method: str):
    async def run(client, team_id, user_id, n):
        return (await getattr(services.discussion, method)(client, team_id, user_id, n)).message

    return numbered(services, run)


def flag(services):
    return _acting(services, "flag")


def resolve(services):
    return _acting(services, "resolve")


def delete(services):
    return _acting(services, "delete")
