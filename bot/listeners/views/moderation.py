"""The reason form behind Reject."""

from bot.listeners.views.values import team_and_user, view_values


def reject_submitted(services):
    async def on_reject(ack, body, view, client):
        await ack()
        team_id, user_id = team_and_user(body)
        number = int(view.get("private_metadata") or 0)
        text = await services.moderation.reject(client, team_id, user_id, number, view_values(view).get("reason") or "")
        dm = await client.conversations_open(users=user_id)
        await client.chat_postMessage(channel=dm["channel"]["id"], text=text)

    return on_reject
