"""Anonymous replies and the original poster's replies, from their forms."""
from bot.listeners.views.values import team_and_user, view_values

REPLY_CALLBACK = {"anonymous": "reply_anon_submit", "op": "op_reply_submit"}


def submitted(services, kind: str):
    async def on_reply_form(ack, body, view, client):
        text = (view_values(view).get("reply") or "").strip()
        if not text:
            await ack(response_action="errors", errors={"reply": "Please write a reply, or close the form."})
            return
        await ack()
        team_id, user_id = team_and_user(body)
        number = int(view.get("private_metadata") or 0)
        if kind == "anonymous":
            result = await services.discussion.reply_anonymously(client, team_id, number, text)
        else:
            result = await services.discussion.reply_as_poster(client, team_id, user_id, number, text)
        dm = await client.conversations_open(users=user_id)
        await client.chat_postMessage(channel=dm["channel"]["id"], text=result.message)

    return on_reply_form
