"""The app leaves a workspace: `app_uninstalled`, or `tokens_revoked` with its bot
token among them. What the app kept of that workspace is purged, then the installation
goes (Services.leave_workspace); other workspaces are not touched.

Slack sends an event again when it did not hear back in time, for up to about an hour,
and Bolt acknowledges events before the listener runs. So: a redelivery (the same
event_id) does nothing; an event older than the workspace's current installation (a late
one, after a reinstall) changes nothing; a purge that fails is noted in the database and
finished by the worker (Services.finish_departures)."""

import logging

from bot.listeners.context import team_of
from bot.logs import log_event

log = logging.getLogger("bot.listeners.uninstall")


def handler(services):
    async def on_departure(ack, event, body):
        await ack()
        if event.get("type") == "tokens_revoked" and not (event.get("tokens") or {}).get("bot"):
            return  # only user tokens (the app asks for none): the bot stays
        team = team_of(body)
        if not team.id:
            return
        if body.get("event_id") and not await services.store.claim_key(f"event:{body['event_id']}"):
            return
        if services.installations is not None:
            installed = await services.installations.bot_for_key(team.id)
            sent_at = float(body.get("event_time") or 0)
            # event_time is whole seconds: an install in the same second is the one that left
            if installed is not None and sent_at and float(installed.installed_at) >= sent_at + 1:
                log_event(log, "departure older than the current install: ignored", kind=event.get("type"))
                return
        try:
            removed = await services.leave_workspace(team)
        except Exception as exc:
            log_event(log, "departure not finished: the worker retries", logging.ERROR, error=type(exc).__name__)
            await services.note_departure(team)
            return
        log_event(
            log,
            "left a workspace: its data purged",
            kind=event.get("type"),
            detail=team.id,
            count=removed["intakes"],
            purged=removed["posts"],
        )

    return on_departure
