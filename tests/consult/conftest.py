"""The domain with an in-memory Slack and a SQLite file: no HTTP, no Bolt."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.gateway import ChannelInfo, Team
from bot.services import Services, build_services
from bot.storage.store import Store
from tests.conftest import CONSULT, MODERATOR, REVIEW, TEAM, make_settings, migrated_copy
from tests.fakes import InMemoryGateway

WORKSPACE = Team(TEAM)


@dataclass
class Domain:
    services: Services
    gateway: InMemoryGateway

    @property
    def store(self) -> Store:
        return self.services.store


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
