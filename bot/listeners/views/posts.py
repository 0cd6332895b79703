"""Anonymous replies and the original poster's replies, from their forms."""

from bot.blocks import posts as pb
from bot.consult.posting import DELIVERY_ERRORS
from bot.listeners.views.values import team_and_user, view_values


def submitted(services, kind: str):
    async def on_reply_form(ack, body, view, client):
        text = (view_values(view).get("reply") or "").strip()
        if not text:
            await ack(response_action="errors", errors={"reply": "Please write a reply, or close the form."})
            return
        await ack()
        team_id, user_id = team_and_user(body)
        number = int(view.get("private_metadata") or 0)
        try:
            if kind == "anonymous":
                message = (await services.discussion.reply_anonymously(client, team_id, number, text)).message
            else:
                message = (await services.discussion.reply_as_poster(client, team_id, user_id, number, text)).message
        except DELIVERY_ERRORS:
            # The form has closed: say so, rather than lose the reply silently.
            message = pb._t("post.reply_failed", number=number)
        dm = await client.conversations_open(users=user_id)
        await client.chat_postMessage(channel=dm["channel"]["id"], text=message)

    return on_reply_form
