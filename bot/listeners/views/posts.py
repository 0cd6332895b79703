"""Anonymous replies and the original poster's replies, from their forms."""

from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.blocks import posts as pb
from bot.consult.words import chosen_words
from bot.gateway import GatewayError
from bot.listeners.context import team_of, user_of
from bot.listeners.views.values import view_values
from bot.outgoing import Notice
from bot.texts import text
from bot.values import minting, post_ref


def submitted(services, kind: str, checked: bool = False):
    """The reply form. First submission (``checked`` False): when the reply has
    words to check, the form turns into its check step; otherwise, and from the
    check step, the reply is posted (minus the words the writer chose)."""

    async def on_reply_form(ack, body, view):
        values = view_values(view)
        reply = (values.get("reply") or "").strip()
        if not reply:
            await ack(response_action="errors", errors={"reply": text("posts.post.reply_empty")})
            return
        team, user_id = team_of(body), user_of(body)
        # the post's number, `p17~tag` (or, in a form opened before, its row id): the
        # discussion looks it up among this workspace's posts (another key's tag: none)
        post_id = post_ref(view.get("private_metadata") or "", services.identity.value_tags, team.id)
        if post_id is None:
            await ack()
            return
        if not checked:
            check = await services.discussion.check_reply(team, kind, post_id, reply)
            if check is not None:
                await ack(response_action="update", view=services.renderer.view(check, team.id))
                return
        await ack()
        words = tuple(chosen_words(values.get("words"), values.get("other")))
        try:
            if kind == "anonymous":
                submission = str(view.get("id") or "")
                result = await services.discussion.reply_anonymously(team, user_id, post_id, reply, submission, words)
            else:
                result = await services.discussion.reply_as_poster(team, user_id, post_id, reply, words)
            message = result.message
        except GatewayError:
            # The form has closed: say so, rather than lose the reply silently.
            number = await services.discussion.shown_number(team, post_id)
            message = text("posts.post.reply_failed", number=number)
        await services.gateway.dm(team, user_id, Notice(message))

    return on_reply_form


def flag_submitted(services):
    """The Flag form: flag with the optional reason, then tell the flagger
    ephemerally under the post (through the click's response_url), with an Undo."""

    async def on_flag_form(ack, body, view):
        await ack()
        team, user_id = team_of(body), user_of(body)
        named, _, respond_to = (view.get("private_metadata") or "").partition("|")
        post = post_ref(named, services.identity.value_tags, team.id)  # `p17~tag` (a form opened before: the row id)
        if post is None:
            return
        reason = view_values(view).get("reason") or ""
        result = await services.discussion.flag(team, user_id, post, reason)
        with minting(services.identity.value_tags, team.id):
            undo = result.ok and result.number is not None
            message = pb.flag_confirmation(result.number or 0, result.message, undo=undo)
        if respond_to.startswith(("https://", "http://")):
            webhook = AsyncWebhookClient(respond_to)
            response = await webhook.send(
                response_type="ephemeral", replace_original=False, text=message.text, blocks=message.blocks
            )
            if response.status_code == 200:
                return
        await services.gateway.dm(team, user_id, message)

    return on_flag_form
