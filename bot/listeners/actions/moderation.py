"""Approve / Reject and flag decisions in the review channel or App Home."""
from bot.blocks import moderation as mb
from bot.listeners.actions.intake import _ids


def approve(services):
    async def on_approve(ack, body, action, client, respond):
        await ack()
        team_id, user_id = _ids(body)
        value = action.get("value", "")
        if value.isdigit():
            text = await services.moderation.approve(client, team_id, user_id, int(value))
            await respond(response_type="ephemeral", replace_original=False, text=text)

    return on_approve


def open_reject(services):
    async def on_open_reject(ack, body, action, client, respond):
        await ack()
        team_id, user_id = _ids(body)
        value = action.get("value", "")
        if not value.isdigit():
            return
        if not await services.moderation.is_moderator(client, team_id, user_id):
            await respond(response_type="ephemeral", replace_original=False, text=mb._t("not_moderator"))
            return
        await client.views_open(trigger_id=body["trigger_id"], view=mb.reject_form(int(value)))

    return on_open_reject


def flag(services, remove: bool):
    async def on_flag_decision(ack, body, action, client, respond):
        await ack()
        team_id, user_id = _ids(body)
        value = action.get("value", "")
        if value.isdigit():
            text = await services.moderation.decide_flag(client, team_id, user_id, int(value), remove)
            await respond(response_type="ephemeral", replace_original=False, text=text)

    return on_flag_decision
