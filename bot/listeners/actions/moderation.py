"""Approve / Reject and flag decisions in the review channel or App Home."""

from bot.blocks import moderation as mb
from bot.listeners.actions.common import answer, ids, number, numbered


def approve(services):
    async def run(client, team_id, user_id, number_):
        return await services.moderation.approve(client, team_id, user_id, number_)

    return numbered(services, run)


def open_reject(services):
    async def on_open_reject(ack, body, action, client, respond):
        await ack()
        n = number(action)
        if n is None:
            return
        team_id, user_id = ids(body)
        if not await services.moderation.is_moderator(client, team_id, user_id):
            await answer(services, client, body, respond, team_id, user_id, mb._t("not_moderator"))
            return
        if not await services.moderation.awaiting(team_id, n):
            await answer(services, client, body, respond, team_id, user_id, mb._t("review.already_decided"))
            return
        await client.views_open(trigger_id=body["trigger_id"], view=mb.reject_form(n))

    return on_open_reject


def flag(services, remove: bool):
    async def run(client, team_id, user_id, flag_id):
        return await services.moderation.decide_flag(client, team_id, user_id, flag_id, remove)

    return numbered(services, run)
