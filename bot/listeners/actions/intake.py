"""Buttons in the intake DM."""

from bot.listeners.actions.common import open_in_time
from bot.listeners.context import team_of, user_of
from bot.texts import text


def _value(action: dict) -> str:
    value = action.get("value")
    return value if isinstance(value, str) else ""


def start(services):
    async def on_consult_start(ack, body):
        await ack()
        await services.conversation.start(team_of(body), user_of(body))

    return on_consult_start


def click(services, kind: str):
    async def on_intake_click(ack, body, action):
        await ack()
        channel = (body.get("channel") or {}).get("id")
        await services.conversation.on_click(team_of(body), user_of(body), channel, kind, _value(action))

    return on_intake_click


def open_form(services, kind: str):
    async def on_open_form(ack, body, action):
        await ack()
        team, user_id = team_of(body), user_of(body)
        # The intake is read (and decrypted) from the database: opened in time whatever that takes.
        prepare = services.conversation.form_for(team, user_id, kind, _value(action))
        view = await open_in_time(services, team, body["trigger_id"], prepare, lambda: text("messages.modal.gone"))
        if view is None:
            channel = (body.get("channel") or {}).get("id")
            await services.conversation.on_click(team, user_id, channel, "stale", _value(action))

    return on_open_form


def resume(services):
    async def on_resume(ack, body):
        await ack()
        await services.conversation.resume(team_of(body), user_of(body))

    return on_resume


def restart(services):
    async def on_restart(ack, body):
        await ack()
        await services.conversation.start(team_of(body), user_of(body), force_new=True)

    return on_restart
