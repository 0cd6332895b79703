"""Everything the listeners need, built once at start and passed to register()."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.render import Renderer
from bot.config import ConfigError, Settings
from bot.consult.conversation import IntakeConversation
from bot.consult.discussion import Discussion
from bot.consult.intake import IntakeFlow, load_spec
from bot.consult.posting import Posting
from bot.gateway import Gateway, Team
from bot.identity import Identity, load_secrets
from bot.logs import log_event
from bot.moderation.admin import AdminCommands
from bot.moderation.review import Review
from bot.moderation.service import Moderation
from bot.moderation.workspace import Workspace
from bot.principles import get_catalog, get_matcher
from bot.principles.catalog import Catalog
from bot.principles.codes import CodeChoice
from bot.principles.matcher import Matcher
from bot.responder import Responder
from bot.shutdown import InFlight
from bot.slack.gateway import ClientFor, WebApiGateway
from bot.slack_client import build_client, close_client
from bot.storage.store import Store

log = logging.getLogger("bot.services")
# A workspace setting that says the app left that workspace and its purge is unfinished.
DEPARTURE_PENDING = "departure_pending"


def deid_engine() -> Any:
    # Imported lazily: the lexicons load just after start (bot/warmup.py) or on first use.
    from bot.warmup import deid_engine as engine

    return engine()


WRONG_KEYS = (
    "BOUNDARY_SECRET_KEY matches none of the keys this database was written with: starting would silently "
    "lift blocks, empty `/boundary mine` and orphan posts. Restore the key it was written with, or rotate "
    "properly: put the new key first and keep the old one after it, BOUNDARY_SECRET_KEY=<new>,<old> "
    "(`python -m bot keygen` makes a new one)."
)


async def check_keys(store: Store, identity: Identity) -> None:
    """Refuses keys that match none the database was written with; records new ones
    (the first start, a rotation). A database written before fingerprints were kept
    takes the present keys on trust, once."""
    current = identity.fingerprints()
    recorded = await store.record_key_fingerprints(current)
    if recorded and not recorded.intersection(current):
        raise ConfigError(WRONG_KEYS)
    if not recorded and await store.holds_keyed_data():
        log_event(log, "recording the fingerprints of the present keys for an existing database", logging.WARNING)
    dropped = len(recorded.difference(current))
    if dropped:
        log_event(
            log,
            "keys this database was written with are no longer in BOUNDARY_SECRET_KEY: posts, blocks and flags "
            "made under them no longer match anyone",
            logging.WARNING,
            count=dropped,
        )


@dataclass
class Services:
    settings: Settings
    store: Store
    identity: Identity
    catalog: Catalog
    matcher: Matcher
    client: AsyncWebClient
    gateway: Gateway
    renderer: Renderer
    workspace: Workspace
    review: Review
    posting: Posting
    discussion: Discussion
    conversation: IntakeConversation
    moderation: Moderation
    admin: AdminCommands
    codes: CodeChoice
    responder: Responder = field(default_factory=Responder)
    # acknowledged requests whose listeners still run: a clean stop waits for them
    in_flight: InFlight = field(default_factory=InFlight)
    # the OAuth install in several workspaces (bot/slack/installs.py); None with one bot token
    installations: Any = None

    async def leave_workspace(self, team: Team) -> dict[str, int]:
        """The app left a workspace (uninstalled, or its bot token revoked): what it kept
        of it is purged, then its installation goes. Purge first: with the installation
        gone, nothing would bring the workspace back to finish a failed purge."""
        self.moderation.forget_team(team)
        removed = await self.workspace.purge(team.id)  # deletes a DEPARTURE_PENDING note too
        if self.installations is not None:
            await self.installations.remove(team)
        return removed

    async def note_departure(self, team: Team) -> None:
        """A departure whose purge failed (Slack does not send the event again: Bolt
        acknowledged it): the worker finishes it (finish_departures)."""
        await self.store.set_setting(
            team.id, DEPARTURE_PENDING, {"enterprise_id": team.enterprise_id, "org": team.is_enterprise_install}
        )

    async def finish_departures(self) -> int:
        done = 0
        for team_id, where in (await self.store.settings_named(DEPARTURE_PENDING)).items():
            where = where if isinstance(where, dict) else {}
            await self.leave_workspace(Team(team_id, where.get("enterprise_id"), bool(where.get("org"))))
            log_event(log, "left a workspace: its data purged", kind="departure finished", detail=team_id)
            done += 1
        return done

    async def close(self) -> None:
        await self.responder.close()
        await close_client(self.client)
        try:
            await self.conversation.save_prompts()  # where the newest prompts went, so a restart can update them
        except Exception as exc:  # noqa: BLE001 - the database may be down: those prompts keep their buttons
            log_event(log, "could not save where the newest prompts went", logging.WARNING, error=type(exc).__name__)
        finally:
            await self.store.close()


async def open_store(settings: Settings, secrets: list[str]) -> Store:
    from bot.storage.db import DatabaseUrlError

    try:
        return await Store.open(settings.resolved_database_url(), secrets)
    except DatabaseUrlError as exc:
        raise ConfigError(f"{settings.database_setting()} {exc}") from None


async def build_services(
    settings: Settings,
    store: Store | None = None,
    client: AsyncWebClient | None = None,
    gateway: Gateway | None = None,
) -> Services:
    # The keys first: without a usable one nothing is opened.
    secrets = load_secrets(settings.secret_key, settings.data_dir, sandbox=settings.in_sandbox)
    identity = Identity(secrets)
    own_store = store is None
    if store is None:
        store = await open_store(settings, secrets)
    else:
        store.use_secrets(secrets)
    try:
        await check_keys(store, identity)
    except ConfigError:
        if own_store:
            await store.close()
        raise
    client = client or build_client(settings)
    catalog = get_catalog()
    matcher = get_matcher()
    # the risk cues and the lexicons load just after the port opens (bot/warmup.py)
    renderer = Renderer(catalog, load_spec(), settings.max_answer_chars, identity.value_tags)

    async def the_one_client(_team: Team) -> AsyncWebClient:
        return client

    client_for: ClientFor = the_one_client
    installations = None
    if settings.oauth:  # each workspace's own token, from the installation store
        from bot.slack.installs import Installations

        installations = Installations(
            store.engine,
            settings.client_id or "",
            settings.client_secret or "",
            client,
            identity.fernet_for(b"installation-tokens"),
        )
        client_for = installations.client_for
    gateway = gateway or WebApiGateway(client_for, renderer)
    workspace = Workspace(store, settings)
    review = Review(store, workspace, gateway)
    posting = Posting(store, identity, gateway, review, settings.posting_retry_interval_seconds)
    discussion = Discussion(
        store, identity, gateway, workspace, posting, review, deid_engine, settings.relay_batch_seconds
    )

    def suggest(text: str) -> list[str]:
        return [m.key for m in matcher.answer(text).principles]

    def resolve(text: str) -> str | None:
        p = catalog.find_principle(text)
        return p.key if p else None

    flow = IntakeFlow(
        load_spec(),
        suggest=suggest,
        principle_keys=list(catalog.principles),
        resolve_principle=resolve,
        max_chars=settings.max_answer_chars,
    )
    conversation = IntakeConversation(
        store=store,
        identity=identity,
        flow=flow,
        deid=deid_engine,
        workspace=workspace,
        posting=posting,
        gateway=gateway,
    )
    moderation = Moderation(store, workspace, gateway, posting, discussion, review, settings.idle_expiry_hours)
    admin = AdminCommands(store, workspace, gateway, moderation, discussion, identity, settings)
    codes = admin.codes
    return Services(
        settings=settings,
        store=store,
        identity=identity,
        catalog=catalog,
        matcher=matcher,
        client=client,
        gateway=gateway,
        renderer=renderer,
        workspace=workspace,
        review=review,
        posting=posting,
        discussion=discussion,
        conversation=conversation,
        moderation=moderation,
        admin=admin,
        codes=codes,
        installations=installations,
    )
