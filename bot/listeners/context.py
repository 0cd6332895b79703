"""Who and where, read from any Slack payload: the workspace (and its Enterprise
Grid organisation) and the person acting."""

from __future__ import annotations

from typing import Any

from bot.consult.model import FlagRef, PostRef
from bot.gateway import Team
from bot.values import ValueTags, flag_ref, post_ref


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def team_of(body: dict[str, Any]) -> Team:
    """The workspace of a command, an interaction or an event. Its ``id`` is the key
    of everything stored: the workspace's ID, or, when the app is installed org-wide on
    Enterprise Grid (``is_enterprise_install``), the organisation's: one set of
    channels, moderators, settings and posts for all the organisation's workspaces."""
    team = body.get("team")
    user: dict[str, Any] = body["user"] if isinstance(body.get("user"), dict) else {}
    team_id = (
        (team.get("id") if isinstance(team, dict) else None)
        or body.get("team_id")
        or user.get("team_id")
        or (body.get("view") or {}).get("team_id")
        or (body.get("event") or {}).get("team")
        or ""
    )
    enterprise = body.get("enterprise")
    enterprise_id = (enterprise.get("id") if isinstance(enterprise, dict) else None) or body.get("enterprise_id")
    authorizations = body.get("authorizations") or [{}]
    install = body.get("is_enterprise_install", authorizations[0].get("is_enterprise_install"))
    if _truthy(install) and enterprise_id:
        return Team(str(enterprise_id), str(enterprise_id), True)
    return Team(str(team_id), str(enterprise_id) if enterprise_id else None, False)


def user_of(body: dict[str, Any]) -> str:
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id") or "")
    return str(body.get("user_id") or user or "")


def post_of(action: dict[str, Any], tags: ValueTags, team: Team) -> PostRef | None:
    """The post a button names (bot/values.py): ``p17~tag``, Dilemma #17 of the request's
    workspace (no post when the tag is another workspace key's), or bare digits, the row
    id an older button carries."""
    return post_ref(action.get("value"), tags, team.id)


def flag_of(action: dict[str, Any], tags: ValueTags, team: Team) -> FlagRef | None:
    """The flag a Remove / Dismiss button names: ``f17.2~tag``, or an older button's row id."""
    return flag_ref(action.get("value"), tags, team.id)
