"""The intake's private forms: a free-text answer, principles, the preview edit."""

from bot.listeners.views.values import team_and_user, view_values


def submitted(services, kind: str):
    async def on_intake_form(ack, body, view, client):
        values = view_values(view)
        errors = services.conversation.form_errors(kind, view.get("private_metadata", ""), values)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        team_id, user_id = team_and_user(body)
        await services.conversation.on_form(client, team_id, user_id, kind, view.get("private_metadata", ""), values)

    return on_intake_form
