"""Anonymous replies and the original poster's replies, from their forms."""

from bot.gateway import GatewayError
from bot.listeners.context import team_of, user_of
from bot.listeners.views.values import view_values
from bot.outgoing import Notice
from bot.texts import text


def submitted(services, kind: str):
    async def on_reply_form(ack, body, view):
        reply = (view_values(view).get("reply") or "").strip()
        if not reply:
            await ack(response_action="errors", errors={"reply": text("posts.post.reply_empty")})
            return
        await ack()
        team, user_id = team_of(body), user_of(body)
        metadata = view.get("private_metadata") or ""
        if not metadata.isdigit():
            return
        number = int(metadata)
        try:
            if kind == "anonymous":
                submission = str(view.get("id") or "")
                result = await services.discussion.reply_anonymously(team, user_id, number, reply, submission)
            else:
                result = await services.discussion.reply_as_poster(team, user_id, number, reply)
            message = result.message
        except GatewayError:
            # The form has closed: say so, rather than lose the reply silently.
            message = text("posts.post.reply_failed", number=number)
        await services.gateway.dm(team, user_id, Notice(message))

    return on_reply_form
