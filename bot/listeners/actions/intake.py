"""Buttons in the intake DM."""

from bot.listeners.actions.common import ids


def start(services):
    async def on_consult_start(ack, body, client):
        await ack()
        team_id, user_id = ids(body)
        await services.conversation.start(client, team_id, user_id)

    return on_consult_start


def click(services, kind: str):
    async def on_intake_click(ack, body, action, client):
        await ack()
        team_id, user_id = ids(body)
        channel = (body.get("channel") or {}).get("id")
        await services.conversation.on_click(client, team_id, user_id, channel, kind, action.get("value", ""))

    return on_intake_click


def open_form(services, kind: str):
    async def on_open_form(ack, body, action, client):
        await ack()
        team_id, user_id = ids(body)
        view = await services.conversation.form_for(team_id, user_id, kind, action.get("value", ""))
        if view is None:
            channel = (body.get("channel") or {}).get("id")
            await services.conversation.on_click(client, team_id, user_id, channel, "stale", action.get("value", ""))
            return
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    return on_open_form


def resume(services):
    async def on_resume(ack, body, client):
        await ack()
        team_id, user_id = ids(body)
        await services.conversation.resume(client, team_id, user_id)

    return on_resume


def restart(services):
    async def on_restart(ack, body, client):
        await ack()
        team_id, user_id = ids(body)
        await services.conversation.start(client, team_id, user_id, force_new=True)

    return on_restart
