"""What every button listener needs: who clicked, which post, and how to answer."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.gateway import GatewayError, Team
from bot.listeners.context import team_of, user_of
from bot.logs import log_event
from bot.outgoing import ModalNotice, Notice
from bot.texts import text as texts

log = logging.getLogger("bot.listeners")
# A click's trigger_id opens a modal only within 3 s. A form not ready this soon (a slow
# database, Slack's users.info for a moderator check) opens as a placeholder first.
PREPARE_SECONDS = 1.0


async def open_in_time(
    services: Any, team: Team, trigger_id: str, prepare: Awaitable[Any], gone: Callable[[], str]
) -> Any:
    """Opens the view that `prepare` gives (None: no form to show) before the trigger
    expires however long `prepare` takes: the view itself when it is ready within
    PREPARE_SECONDS, else a placeholder at once, replaced by the view when it is ready,
    or by gone() when there is none. Returns the view (or None)."""
    task = asyncio.ensure_future(prepare)
    done, _ = await asyncio.wait({task}, timeout=PREPARE_SECONDS)
    if task in done:
        view = task.result()
        if view is not None:
            await services.gateway.open_view(team, trigger_id, view)
        return view
    placeholder: str | None = None
    try:
        placeholder = await services.gateway.open_view(team, trigger_id, ModalNotice(texts("messages.modal.opening")))
    except GatewayError as exc:  # what was being prepared still answers, below
        log_event(log, "placeholder modal not opened", logging.WARNING, error=exc.code)
    try:
        view = await task
    except Exception:
        if placeholder is not None:
            await _replace(services, team, placeholder, ModalNotice(texts("messages.errors.generic")))
        raise
    if placeholder is not None:
        await _replace(services, team, placeholder, view if view is not None else ModalNotice(gone()))
    return view


async def _replace(services: Any, team: Team, view_id: str, view: Any) -> None:
    try:
        await services.gateway.update_view(team, view_id, view)
    except GatewayError as exc:  # the person closed it meanwhile, or Slack is down
        log_event(log, "placeholder modal not replaced", logging.WARNING, error=exc.code)


async def answer(services: Any, body: dict, respond: Any, team: Team, user_id: str, text: str) -> None:
    """Tells the person what happened: ephemerally under a message, or, from the
    Home tab (which has no response_url), by DM and a refreshed Home tab."""
    if respond is not None and body.get("response_url"):
        await respond(response_type="ephemeral", replace_original=False, text=text)
        return
    await services.gateway.dm(team, user_id, Notice(text))
    if (body.get("view") or {}).get("type") == "home":
        await services.gateway.publish_home(team, user_id, await services.moderation.home(team, user_id))


def numbered(services: Any, run: Callable[[Team, str, Any], Awaitable[str]], parse: Callable[..., Any]):
    """A listener for a button whose value names a post or a flag (``parse``: the
    ``post_of`` or ``flag_of`` of bot/listeners/context.py, given the value tags and the
    request's workspace): ack, run(team, user_id, the post or flag) -> text, answer with
    the text. A value naming nothing is ignored."""

    async def on_numbered_action(ack, body, action, respond):
        await ack()
        team, user_id = team_of(body), user_of(body)
        n = parse(action, services.identity.value_tags, team)
        if n is None:
            return
        text = await run(team, user_id, n)
        await answer(services, body, respond, team, user_id, text)

    return on_numbered_action
