"""Scheduled jobs in several processes: each runs once per interval, whichever
process's worker ticks first (a lease in job_runs), and concurrent ticks never fail."""

import asyncio
import json
from datetime import timedelta

import pytest

from bot.storage.models import utcnow
from bot.worker import RETENTION_EVERY, Worker
from tests.conftest import PRACTITIONER, fresh_pg_database, make_settings, start_bot, stop_bot


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


async def test_two_real_processes_on_postgresql_run_the_start_up_retention_once(tmp_path, slack):
    """Two `python -m bot` processes started together on one PostgreSQL database (two
    replicas behind a load balancer): both migrate, serve and tick at start, and the
    hourly retention runs once between them; no tick fails in either."""
    import asyncpg

    from tests.app.processes import app_env, ask_principles, free_port, spawn_app, wait_healthy

    async with fresh_pg_database() as url:
        ports = [free_port(), free_port()]
        procs = [
            await spawn_app(app_env(tmp_path / name, slack.api_url, port, DATABASE_URL=url))
            for name, port in zip(("a", "b"), ports, strict=True)
        ]
        try:
            for proc, port in zip(procs, ports, strict=True):
                await wait_healthy(f"http://127.0.0.1:{port}/healthz", proc)
                assert await ask_principles(port, slack.response_url(f"p{port}", user=PRACTITIONER)) == 200
        finally:
            for proc in procs:
                if proc.returncode is None:
                    proc.terminate()  # a clean stop waits for the start-up tick under way
            outputs = [await asyncio.wait_for(proc.communicate(), 60) for proc in procs]
        logs = [[json.loads(line) for line in out.decode().splitlines()] for out, _ in outputs]
        assert [proc.returncode for proc in procs] == [0, 0], [err.decode()[-2000:] for _, err in outputs]
        conn = await asyncpg.connect(url)
        try:
            runs = await conn.fetchval("SELECT runs FROM job_runs WHERE name = 'retention'")
        finally:
            await conn.close()
    assert runs == 1
    assert sum(1 for log in logs for line in log if line.get("msg") == "retention ran") == 1
    for log in logs:
        assert any(line.get("msg") == "stopped" for line in log), log[-5:]
        assert not [line for line in log if line.get("level") in ("error", "critical")], log
        assert not [line for line in log if line.get("msg") == "worker tick failed"], log
