"""What every button listener needs: who clicked, which post, and how to answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.gateway import Team
from bot.listeners.context import number, team_of, user_of
from bot.outgoing import Notice


async def answer(services: Any, body: dict, respond: Any, team: Team, user_id: str, text: str) -> None:
    """Tells the person what happened: ephemerally under a message, or, from the
    Home tab (which has no response_url), by DM and a refreshed Home tab."""
    if respond is not None and body.get("response_url"):
        await respond(response_type="ephemeral", replace_original=False, text=text)
        return
    await services.gateway.dm(team, user_id, Notice(text))
    if (body.get("view") or {}).get("type") == "home":
        await services.gateway.publish_home(team, user_id, await services.moderation.home(team, user_id))


def numbered(services: Any, run: Callable[[Team, str, int], Awaitable[str]]):
    """A listener for a button whose value is a number (a post or a flag):
    ack, run(team, user_id, number) -> text, answer with the text."""

    async def on_numbered_action(ack, body, action, respond):
        await ack()
        n = number(action)
        if n is None:
            return
        team, user_id = team_of(body), user_of(body)
        text = await run(team, user_id, n)
        await answer(services, body, respond, team, user_id, text)

    return on_numbered_action
