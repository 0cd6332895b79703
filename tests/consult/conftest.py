"""The domain with an in-memory Slack and a SQLite file: no HTTP, no Bolt."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.gateway import ChannelInfo, Team
from bot.services import Services, build_services
from bot.storage.store import Store
from tests.conftest import CONSULT, MODERATOR, REVIEW, TEAM, make_settings
from tests.fakes import InMemoryGateway

WORKSPACE = Team(TEAM)


@dataclass
class Domain:
    services: Services
    gateway: InMemoryGateway

    @property
    def store(self) -> Store:
        return self.services.store


_template: Path | None = None


async def migrated_copy(url: str) -> None:
    """A SQLite database at ``url`` already migrated: a copy of one migrated once per test
    process (running the migrations took half the domain tests' time; tests/storage
    test the migrations themselves)."""
    global _template
    if not url.startswith("sqlite:///"):
        return
    target = Path(url.removeprefix("sqlite:///"))
    if target.exists():
        return
    if _template is None:
        folder = tempfile.mkdtemp(prefix="domain-db-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        made = Path(folder) / "migrated.sqlite3"
        store = await Store.open(f"sqlite:///{made}")
        await store.close()  # checkpointed: everything is in the one file
        _template = made
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_template, target)


async def make_domain(tmp_path, **settings) -> Domain:
    s = make_settings(tmp_path, **settings)
    await migrated_copy(s.resolved_database_url())
    store = await Store.open(s.resolved_database_url())
    gateway = InMemoryGateway(store=store)
    gateway.channels = {
        CONSULT: ChannelInfo(CONSULT, "peer-consult", is_private=False, is_member=True),
        REVIEW: ChannelInfo(REVIEW, "consult-review", is_private=True, is_member=True),
    }
    gateway.admins = {MODERATOR}
    services = await build_services(s, store=store, gateway=gateway)
    return Domain(services, gateway)


@pytest.fixture
async def domain(tmp_path):
    d = await make_domain(tmp_path)
    yield d
    await d.services.close()
