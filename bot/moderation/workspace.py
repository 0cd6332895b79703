"""Effective workspace settings: config/ first, then what moderators changed in
Slack (stored in the database), with where each value came from.

Which workspace config/ is for: its `channels`, `review_channel`, `moderators` and
`terms` name one workspace's channels, people and words, so they apply to one
workspace only: the one `team_id` names (a workspace's T… ID, or an Enterprise Grid
organisation's E… ID for an org-wide install), or, when it is unset, the workspace of
the single bot token (SLACK_BOT_TOKEN). Installed in several workspaces (OAuth) with no
`team_id`, they apply to none: each workspace sets itself up in Slack
(`/boundary-admin`). `approval` and `retention_days` name nothing in a workspace and
are every workspace's default until its moderators change them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace

from bot.config import Settings
from bot.consult.model import Group
from bot.storage.store import Store
from bot.texts import text

STORED_KEYS = ("approval", "review_channel", "retention_days")
# The workspace's own risk resources, shown on risk answers and notes (bot/risk):
# one stored setting holding {key: display mrkdwn}; absent keys show neutral defaults.
RISK_RESOURCES = "risk_resources"
RESOURCE_KEYS = ("emergency", "crisis_line", "protocol", "on_call")


@dataclass(frozen=True)
class ConsultChannel:
    id: str
    name: str
    source: str


@dataclass
class Effective:
    channels: list[ConsultChannel]
    approval: bool
    review_channel: str | None
    retention_days: int
    terms: list[str]
    moderators: list[str]
    sources: dict[str, str] = field(default_factory=dict)
    risk_resources: dict[str, str] = field(default_factory=dict)

    @property
    def groups(self) -> list[Group]:
        return [Group(c.id, c.name) for c in self.channels]


class Workspace:
    def __init__(self, store: Store, settings: Settings):
        self.store = store
        self.settings = settings
        # team -> Effective, for the request under way (see request())
        self._request: ContextVar[dict[str, Effective] | None] = ContextVar(f"workspace-{id(self)}", default=None)

    @contextmanager
    def request(self) -> Iterator[None]:
        """Within the block (one request: an intake step, a click), the workspace's
        settings are read once and the same values are used throughout, the Slack calls
        after its transaction included. Not kept across requests: a moderator's change
        applies to the next one."""
        token = self._request.set({})
        try:
            yield
        finally:
            self._request.reset(token)

    def config_applies(self, team_id: str) -> bool:
        """Whether config/'s channels, review channel, moderators and terms are this workspace's."""
        if self.settings.team_id:
            return team_id == self.settings.team_id
        return not self.settings.oauth

    async def purge(self, team_id: str) -> dict[str, int]:
        """The app left this workspace (uninstalled, or its token revoked): what it kept of
        the workspace goes (bot/storage/store.py purge_team)."""
        return await self.store.purge_team(team_id)

    async def risk_resources(self, team_id: str) -> dict[str, str]:
        cached = (self._request.get() or {}).get(team_id)
        if cached is not None:
            return dict(cached.risk_resources)
        return _resources((await self.store.settings(team_id)).get(RISK_RESOURCES))

    async def set_risk_resources(self, team_id: str, resources: dict[str, str]) -> None:
        await self.store.set_setting(team_id, RISK_RESOURCES, _resources(resources))

    async def effective(self, team_id: str) -> Effective:
        cache = self._request.get()
        if cache is not None and team_id in cache:
            return cache[team_id]
        async with self.store.transaction():  # one transaction, or the caller's
            eff = await self._read(team_id)
        if cache is not None:
            cache[team_id] = eff
        return eff

    async def _read(self, team_id: str) -> Effective:
        cfg = self.settings if self.config_applies(team_id) else _unconfigured(self.settings)
        config_src = text("moderation.sources.config", file=cfg.config_path.name)
        in_slack = text("moderation.sources.slack")
        held = await self.store.workspace(team_id)  # one statement
        stored = held.settings
        sources: dict[str, str] = {}
        values: dict[str, object] = {}
        for key in STORED_KEYS:
            if key in stored:
                values[key], sources[key] = stored[key], in_slack
            else:
                values[key], sources[key] = getattr(cfg, key), config_src

        channels = {c["id"]: ConsultChannel(c["id"], c["name"], config_src) for c in cfg.channels}
        rows = held.channels
        for row in rows:
            if row.active:
                channels[row.channel_id] = ConsultChannel(row.channel_id, row.name, in_slack)
            else:
                channels.pop(row.channel_id, None)
        db_terms = held.terms
        terms = list(dict.fromkeys([*cfg.terms, *db_terms]))
        sources["terms"] = text("moderation.sources.terms", config=len(cfg.terms), slack=len(db_terms))
        db_mods = held.moderators
        moderators = list(dict.fromkeys([*cfg.moderators, *db_mods]))
        sources["moderators"] = text("moderation.sources.moderators", config=len(cfg.moderators), slack=len(db_mods))
        # Any channel added or removed in Slack means the list is no longer config/'s alone.
        if not rows:
            sources["channels"] = config_src
        elif cfg.channels:
            sources["channels"] = text("moderation.sources.both")
        else:
            sources["channels"] = in_slack
        return Effective(
            channels=list(channels.values()),
            approval=bool(values["approval"]),
            review_channel=str(values["review_channel"]) if values["review_channel"] else None,
            retention_days=int(values["retention_days"] or 0),  # type: ignore[call-overload]
            terms=terms,
            moderators=moderators,
            sources=sources,
            risk_resources=_resources(stored.get(RISK_RESOURCES)),
        )


def _unconfigured(settings: Settings) -> Settings:
    """config/ as another workspace sees it: the deployment-wide defaults, none of the
    workspace-specific lists."""
    return replace(settings, channels=[], review_channel=None, moderators=[], terms=[])


def _resources(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {k: str(value[k]) for k in RESOURCE_KEYS if value.get(k)}
