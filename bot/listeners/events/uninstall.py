"""The app leaves a workspace: `app_uninstalled`, or `tokens_revoked` with its bot
token among them. The installation goes (OAuth mode), and what the app kept of that
workspace is purged (Workspace.purge); other workspaces are not touched."""

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
        if services.installations is not None:
            await services.installations.remove(team)
        services.moderation.forget_team(team)
        removed = await services.workspace.purge(team.id)
        log_event(
            log,
            "left a workspace: its data purged",
            kind=event.get("type"),
            detail=team.id,
            count=removed["intakes"],
            purged=removed["posts"],
        )

    return on_departure
