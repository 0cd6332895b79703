"""Approve / Reject and flag decisions in the review channel or App Home."""
from bot.blocks import moderation as mb
from bot.listeners.actions.intake import _ids


def _number(action) -> int | None:
    value = action.get("value", "")
    return int(value) if value.isdigit() else None


async def _answer(services, client, body, respond, team_id: str, user_id: str, text: str) -> None:
    """Tells the moderator what happened: ephemerally under a message, or, from the
    Home tab (which has no response_url), by DM and a refreshed Home tab."""
    if respond is not None and body.get("response_url"):
        await respond(response_type="ephemeral", replace_original=False, text=text)
        return
    dm = await client.conversations_open(users=user_id)
    await client.chat_postMessage(channel=dm["channel"]["id"], text=text)
    if (body.get("view") or {}).get("type") == "home":
        await client.views_publish(user_id=user_id, view=await services.moderation.home_view(client, team_id, user_id))


def approve(services):
    async def on_approve(ack, body, action, client, respond):
        await ack()
        number = _number(action)
        if number is None:
            return
        team_id, user_id = _ids(body)
        text = await services.moderation.approve(client, team_id, user_id, number)
        await _answer(services, client, body, respond, team_id, user_id, text)

    return on_approve


def open_reject(services):
    async def on_open_reject(ack, body, action, client, respond):
        await ack()
        number = _number(action)
        if number is None:
            return
        team_id, user_id = _ids(body)
        if not await services.moderation.is_moderator(client, team_id, user_id):
            await _answer(services, client, body, respond, team_id, user_id, mb._t("not_moderator"))
            return
        if not await services.moderation.awaiting(team_id, number):
            await _answer(services, client, body, respond, team_id, user_id, mb._t("review.already_decided"))
            return
        await client.views_open(trigger_id=body["trigger_id"], view=mb.reject_form(number))

    return on_open_reject


def flag(services, remove: bool):
    async def on_flag_decision(ack, body, action, client, respond):
        await ack()
        flag_id = _number(action)
        if flag_id is None:
            return
        team_id, user_id = _ids(body)
        text = await services.moderation.decide_flag(client, team_id, user_id, flag_id, remove)
        await _answer(services, client, body, respond, team_id, user_id, text)

    return on_flag_decision
