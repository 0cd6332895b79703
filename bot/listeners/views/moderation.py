"""The reason form behind Reject."""

from bot.listeners.context import team_of, user_of
from bot.listeners.views.values import view_values
from bot.outgoing import Notice
from bot.values import post_ref


def reject_submitted(services):
    async def on_reject(ack, body, view):
        await ack()
        team, user_id = team_of(body), user_of(body)
        post = post_ref(view.get("private_metadata") or "", services.identity.value_tags, team.id)  # `p17~tag`
        if post is None:
            return
        reason = view_values(view).get("reason") or ""
        outcome = await services.moderation.reject(team, user_id, post, reason)
        await services.gateway.dm(team, user_id, Notice(outcome))

    return on_reject
