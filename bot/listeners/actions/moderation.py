"""Approve / Reject and flag decisions in the review channel or App Home."""

from bot.listeners.actions.common import answer, numbered, open_in_time
from bot.listeners.context import number, team_of, user_of
from bot.outgoing import RejectForm
from bot.texts import text


def approve(services):
    async def run(team, user_id, number_):
        return await services.moderation.approve(team, user_id, number_)

    return numbered(services, run)


def open_reject(services):
    async def on_open_reject(ack, body, action, respond):
        await ack()
        n = number(action)
        if n is None:
            return
        team, user_id = team_of(body), user_of(body)
        why = ""

        async def prepare() -> RejectForm | None:
            # the database, and Slack's users.info for workspace admins: opened in time whatever they take
            nonlocal why
            if not await services.moderation.is_moderator(team, user_id):
                why = text("moderation.not_moderator")
                return None
            if not await services.moderation.awaiting(team, n):
                why = text("moderation.review.already_decided")
                return None
            return RejectForm(n)

        if await open_in_time(services, team, body["trigger_id"], prepare(), lambda: why) is None:
            await answer(services, body, respond, team, user_id, why)

    return on_open_reject


def flag(services, remove: bool):
    async def run(team, user_id, flag_id):
        return await services.moderation.decide_flag(team, user_id, flag_id, remove)

    return numbered(services, run)


def block(services):
    """Block the author, from the moderator's queue (after Slack's confirm dialog):
    the same as `/boundary-admin block N`, so the same checks, answer and audit entry."""

    async def run(team, user_id, number_):
        return (await services.admin.run(team, user_id, f"block {number_}")).text

    return numbered(services, run)
