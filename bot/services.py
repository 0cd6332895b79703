"""Everything the listeners need, built once at start and passed to register()."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.config import Settings
from bot.consult.conversation import IntakeConversation
from bot.consult.discussion import Discussion
from bot.consult.intake import IntakeFlow, load_spec
from bot.consult.posting import Posting
from bot.identity import Identity, load_secrets
from bot.moderation.workspace import Workspace
from bot.principles import get_catalog, get_matcher
from bot.responder import Responder
from bot.storage.store import Store


def deid_engine():
    # Imported lazily: the lexicons load on first use, not at import time.
    from bot.deid import get_engine

    return get_engine()


@dataclass
class Services:
    settings: Settings
    store: Store
    identity: Identity
    catalog: object
    matcher: object
    workspace: Workspace
    posting: Posting
    discussion: Discussion
    conversation: IntakeConversation
    moderation: object = None
    responder: Responder = field(default_factory=Responder)

    async def close(self) -> None:
        await self.responder.close()
        await self.store.close()


async def build_services(settings: Settings, store: Store | None = None) -> Services:
    store = store or await Store.open(settings.resolved_database_url())
    identity = Identity(load_secrets(settings.secret_key, settings.data_dir))
    catalog = get_catalog()
    matcher = get_matcher()
    workspace = Workspace(store, settings)
    posting = Posting(store, identity, catalog, settings)
    discussion = Discussion(store, identity, catalog, settings, deid_engine, workspace, posting)

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
        catalog=catalog,
        deid=deid_engine,
        workspace=workspace,
        posting=posting,
        settings=settings,
    )
    services = Services(settings, store, identity, catalog, matcher, workspace, posting, discussion, conversation)
    from bot.moderation.service import Moderation

    services.moderation = Moderation(services)
    return services
