"""Shared fixtures: the real app served over HTTP, talking to a stand-in Slack.

Requests reach the app signed exactly as Slack signs them; every Web API call the
app makes lands in the stand-in, which records it. This is how slack-bolt tests
itself, with a stateful fake instead of canned answers."""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import tempfile
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from hypothesis import settings as hypothesis_settings

from bot.app import build_web_app, create_app
from bot.config import Settings
from bot.sandbox.web_api import SlackStandIn
from bot.services import build_services
from bot.storage.store import Store
from bot.worker import Worker

# Property tests draw the same examples on every run (derandomize): a failure shows
# a real bug, reproducibly, instead of turning CI red at random. The examples still
# change whenever a test or its strategy changes. HYPOTHESIS_PROFILE=explore draws fresh ones.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

SECRET = "test-signing-secret"
TEAM = "T0SANDBOX"
PRACTITIONER, COLLEAGUE, COLLEAGUE2, MODERATOR = "U0PRACT", "U0COLL1", "U0COLL2", "U0MOD"
CONSULT, REVIEW, GENERAL = "C0CONSULT", "G0REVIEW", "C0GENERAL"


def make_settings(tmp_path: Path, **overrides) -> Settings:
    s = Settings(
        data_dir=tmp_path / "data",
        signing_secret=SECRET,
        bot_token="xoxb-test",
        secret_key="test-key-" + "x" * 40,
        channels=[{"id": CONSULT, "name": "peer-consult"}],
        relay_batch_seconds=0,
        posting_retry_interval_seconds=0,
        rate_limit_retries=3,
        server_error_retries=3,
        retry_backoff_seconds=0.01,
    )
    for k, v in overrides.items():
        setattr(s, k, v)
    if s.database_url is None:
        s.database_url = f"sqlite:///{tmp_path / 'data' / 'test.sqlite3'}"
    return s


@dataclass
class Bot:
    slack: SlackStandIn
    services: object
    worker: Worker
    server: TestServer
    settings: Settings
    extra: list = field(default_factory=list)

    async def command(self, user: str, text: str = "", channel: str = GENERAL, command: str = "/boundary"):
        return await self.slack.send_command(user, channel, command, text)

    async def dm(self, user: str, text: str):
        return await self.slack.send_user_message(user, self.slack.dm_channel(user), text)

    def dms(self, user: str) -> list[dict]:
        return self.slack.messages(self.slack.dm_channel(user))

    def last_dm(self, user: str) -> dict:
        return self.dms(user)[-1]

    async def click_dm(self, user: str, action_id: str, value=None, index: int = -1):
        """Clicks a button in the newest DM message that has it."""
        for msg in reversed(self.dms(user)):
            if _has_action(msg, action_id):
                return await self.slack.click(user, msg, action_id, value)
        raise AssertionError(f"no DM message with {action_id}")


def _has_action(msg: dict, action_id: str) -> bool:
    for block in msg.get("blocks") or []:
        for el in block.get("elements") or []:
            if el.get("action_id") == action_id:
                return True
        acc = block.get("accessory") or {}
        if acc.get("action_id") == action_id:
            return True
    return False


_template: Path | None = None


async def migrated_copy(url: str) -> None:
    """A SQLite database at ``url`` already migrated: a copy of one migrated once per test
    process (running the migrations took half the tests' start-up time; tests/storage
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


async def start_bot(settings: Settings, slack: SlackStandIn, *, process_before_response: bool = True) -> Bot:
    await migrated_copy(settings.resolved_database_url())
    services = await build_services(settings)
    app = create_app(services, services.client, signing_secret=SECRET, process_before_response=process_before_response)
    server = TestServer(build_web_app(app, SECRET, store=services.store), host="127.0.0.1")
    await server.start_server()
    slack.events_url = str(server.make_url("/slack/events"))
    slack.signing_secret = SECRET
    return Bot(slack, services, Worker(services), server, settings)


async def stop_bot(bot: Bot) -> None:
    await bot.server.close()
    await bot.services.close()


@pytest.fixture
async def slack():
    stand_in = SlackStandIn(team_id=TEAM)
    await stand_in.start()
    yield stand_in
    await stand_in.stop()


@pytest.fixture
def settings(tmp_path, slack):
    return make_settings(tmp_path, slack_api_url=slack.api_url)


@pytest.fixture
async def bot(settings, slack):
    b = await start_bot(settings, slack)
    yield b
    await stop_bot(b)


_pg_template: str | None = None


async def _migrated_pg_template(admin: str) -> str:
    """A PostgreSQL database migrated once per test process (migrating runs a child
    process: bot/storage/db.py), copied by CREATE DATABASE … TEMPLATE; dropped at exit."""
    global _pg_template
    if _pg_template is None:
        import asyncpg

        name = "bc_tpl_" + uuid.uuid4().hex[:12]
        conn = await asyncpg.connect(admin)
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()
        store = await Store.open(admin.rsplit("/", 1)[0] + "/" + name)
        await store.close()  # no connection left to it: a template must have none

        async def drop() -> None:
            conn = await asyncpg.connect(admin)
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.close()

        atexit.register(lambda: asyncio.run(drop()))
        _pg_template = name
    return _pg_template


@asynccontextmanager
async def fresh_pg_database(*, migrated: bool = False):
    """A new PostgreSQL database on the TEST_DATABASE_URL server, dropped afterwards
    (``migrated``: a copy of one migrated already)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("TEST_DATABASE_URL not set")
    import asyncpg

    name = "bc_" + uuid.uuid4().hex[:12]
    admin = base.replace("postgresql+asyncpg://", "postgresql://")
    template = f' TEMPLATE "{await _migrated_pg_template(admin)}"' if migrated else ""
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"{template}')
    await conn.close()
    try:
        yield admin.rsplit("/", 1)[0] + "/" + name
    finally:
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


@pytest.fixture
async def pg_url():
    async with fresh_pg_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request, tmp_path):
    """The storage suite runs on SQLite always and on PostgreSQL when configured."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
        await migrated_copy(url)
        s = await Store.open(url)
        yield s
        await s.close()
        return
    async with fresh_pg_database(migrated=True) as url:
        s = await Store.open(url)
        yield s
        await s.close()
