"""Scheduled jobs in several processes: each runs once per interval, whichever
process's worker ticks first (a lease in job_runs), and concurrent ticks never fail."""

import asyncio
from datetime import timedelta

import pytest

from bot.storage.models import utcnow
from bot.worker import RETENTION_EVERY, Worker
from tests.conftest import fresh_pg_database, make_settings, start_bot, stop_bot


class Clock:
    """The time the workers measure intervals in; the test moves it."""

    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
async def shared_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shared.sqlite3'}"
        return
    async with fresh_pg_database() as url:
        yield url


async def test_two_processes_ticking_together_run_each_job_once_per_interval(tmp_path, slack, shared_url):
    bots = [
        await start_bot(make_settings(tmp_path / name, slack_api_url=slack.api_url, database_url=shared_url), slack)
        for name in ("a", "b")
    ]
    clock = Clock()
    tick = 5.0
    workers = [Worker(bot.services, interval=tick, clock=clock) for bot in bots]
    store = bots[0].services.store

    async def runs(job: str) -> int:
        found = await store.job(job)
        return found.runs if found else 0

    async def tick_together(times: int = 3) -> None:
        for _ in range(times):
            await asyncio.gather(*(w.tick() for w in workers))  # any failure in a tick is raised here

    try:
        await tick_together()
        assert (await runs("expiry"), await runs("retention")) == (1, 1)
        for step in range(1, 4):  # three more tick intervals: expiry each time, retention not
            clock.now += timedelta(seconds=tick)
            await tick_together()
            assert (await runs("expiry"), await runs("retention")) == (1 + step, 1)
        clock.now += RETENTION_EVERY
        await tick_together()
        assert (await runs("expiry"), await runs("retention")) == (5, 2)
        assert (await store.job("retention")).lease_until is None  # finished, not left held
    finally:
        for bot in bots:
            await stop_bot(bot)
