"""Approve / Reject and flag decisions in the review channel or App Home."""

from bot.listeners.actions.common import answer, numbered
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
        if not await services.moderation.is_moderator(team, user_id):
            await answer(services, body, respond, team, user_id, text("moderation.not_moderator"))
            return
        if not await services.moderation.awaiting(team, n):
            await answer(services, body, respond, team, user_id, text("moderation.review.already_decided"))
            return
        await services.gateway.open_view(team, body["trigger_id"], RejectForm(n))

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
