"""The intake's private forms: a free-text answer, principles, the preview edit."""

from bot.listeners.context import team_of, user_of
from bot.listeners.views.values import view_values


def submitted(services, kind: str):
    async def on_intake_form(ack, body, view):
        values = view_values(view)
        metadata = view.get("private_metadata") or ""
        errors = services.conversation.form_errors(kind, metadata, values)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        await services.conversation.on_form(team_of(body), user_of(body), kind, metadata, values)

    return on_intake_form
