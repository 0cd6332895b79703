"""Buttons on the consultation post and in the poster's DMs."""

from bot.listeners.actions.common import numbered
from bot.listeners.context import number, team_of
from bot.outgoing import ReplyForm


def open_reply(services, kind: str):
    async def on_open_reply(ack, body, action):
        await ack()
        n = number(action)
        if n is None:
            return
        await services.gateway.open_view(team_of(body), body["trigger_id"], ReplyForm(kind, n))

    return on_open_reply


def _acting(services, method: str):
    async def run(team, user_id, n):
        return (await getattr(services.discussion, method)(team, user_id, n)).message

    return numbered(services, run)


def flag(services):
    return _acting(services, "flag")


def resolve(services):
    return _acting(services, "resolve")


def delete(services):
    return _acting(services, "delete")
