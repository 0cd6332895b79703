"""Buttons on the consultation post and in the poster's DMs."""
from bot.blocks import intake as ib, posts as pb
from bot.listeners.actions.intake import _ids

REPLY_CALLBACK = {"anonymous": "reply_anon_submit", "op": "op_reply_submit"}


def _number(action) -> int | None:
    value = action.get("value", "")
    return int(value) if value.isdigit() else None


def open_reply(services, kind: str):
    async def on_open_reply(ack, body, action, client):
        await ack()
        number = _number(action)
        if number is None:
            return
        title = pb._t("post.reply_form_title" if kind == "anonymous" else "post.op_form_title")
        hint = pb._t("post.reply_form_hint" if kind == "anonymous" else "post.op_form_hint")
        view = ib.reply_form(REPLY_CALLBACK[kind], number, title, pb._t("post.reply_form_label"), hint,
                             pb._t("post.reply_form_submit"))
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    return on_open_reply


def _acting(services, method: str):
    async def on_post_action(ack, body, action, client, respond):
        await ack()
        number = _number(action)
        if number is None:
            return
        team_id, user_id = _ids(body)
        result = await getattr(services.discussion, method)(client, team_id, user_id, number)
        if body.get("response_url"):
            await respond(response_type="ephemeral", replace_original=False, text=result.message)
            return
        # The App Home tab has no response_url: answer by DM and refresh the tab.
        dm = await client.conversations_open(users=user_id)
        await client.chat_postMessage(channel=dm["channel"]["id"], text=result.message)
        if (body.get("view") or {}).get("type") == "home":
            await client.views_publish(user_id=user_id, view=await services.moderation.home_view(client, team_id, user_id))

    return on_post_action


def flag(services):
    return _acting(services, "flag")


def resolve(services):
    return _acting(services, "resolve")


def delete(services):
    return _acting(services, "delete")
