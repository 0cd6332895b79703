"""Background work: pending posts, reply relays, idle intakes, retention.

Runs once at start (so a post left pending by a crash goes out) and then every few
seconds. Every step is safe to run in several processes at once: posts and relays
are claimed one by one, and the scheduled jobs (idle-intake expiry every tick
interval, retention hourly) run once per interval across all processes on the
database, by a lease in `job_runs` (Store.claim_job)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.consult.posting import RETITLE_JOB
from bot.logs import log_event
from bot.storage.models import utcnow

log = logging.getLogger("bot.worker")
RETENTION_EVERY = timedelta(hours=1)
# How long a claimed run holds its job: longer than a run takes, short enough that a
# process killed mid-run holds the job up only briefly.
LEASE = timedelta(minutes=10)


class Worker:
    def __init__(self, services, interval: float = 5.0, clock: Callable[[], datetime] = utcnow):
        self.s = services
        self.interval = interval
        self.clock = clock  # the time the jobs' intervals are measured in (tests move it)
        self._task: asyncio.Task | None = None
        self._stopping = asyncio.Event()
        self._retitled = False  # no post left to re-title after migration 0008 (checked once per process)

    async def tick(self) -> dict:
        await self.s.finish_departures()  # workspaces the app left whose purge failed
        # Where this process's newest prompts went, into the database: a next step that
        # another process handles can then take their buttons away too.
        await self.s.conversation.save_prompts()
        posted = await self.s.posting.deliver_due()
        relayed = await self.s.discussion.flush_relays()
        expired = 0
        every = timedelta(seconds=self.interval)
        if await self.s.store.claim_job("expiry", every, LEASE, now=self.clock()):
            detail = None
            try:
                expired = await self.s.store.expire_intakes(timedelta(hours=self.s.settings.idle_expiry_hours))
                detail = {"expired": expired}
            finally:
                await self.s.store.finish_job("expiry", detail)
        await self.s.store.scrub()  # closed intakes' keys out of this process's database files
        if not self._retitled and await self.s.store.claim_job(RETITLE_JOB, every, LEASE, now=self.clock()):
            detail = None
            try:
                await self.s.posting.retitle_renumbered()
                job = await self.s.store.job(RETITLE_JOB)
                detail = job.detail if job is not None else {}
                self._retitled = not detail.get("posts")
            finally:
                await self.s.store.finish_job(RETITLE_JOB, detail)
        if await self.s.store.claim_job("retention", RETENTION_EVERY, LEASE, now=self.clock()):
            detail = None
            try:
                detail = await self.s.moderation.run_retention(record=False)
                await self.s.store.prune_keys(timedelta(days=1))
            finally:
                await self.s.store.finish_job("retention", detail)
        return {"posted": posted, "relayed": relayed, "expired": expired}

    async def tick_logged(self) -> None:
        """One tick whose failure is a log line: the loop must outlive a bad tick (e.g. the
        database restarting)."""
        try:
            await self.tick()
        except Exception as exc:
            log_event(log, "worker tick failed", logging.ERROR, error=type(exc).__name__)

    async def run(self) -> None:
        while not self._stopping.is_set():
            await self.tick_logged()
            try:
                await asyncio.wait_for(self._stopping.wait(), self.interval)
            except TimeoutError:
                pass

    def start(self) -> None:
        if self._task is None:
            self._stopping.clear()
            self._task = asyncio.create_task(self.run())

    async def stop(self, timeout: float = 0.0) -> bool:
        """Stops the loop; a tick under way gets up to `timeout` seconds to finish (a
        post or a relay half sent is claimed in the database, and a tick cut short leaves
        it for the next process to find later). True when it ended by itself."""
        task, self._task = self._task, None
        if task is None:
            return True
        self._stopping.set()
        done, _ = await asyncio.wait([task], timeout=max(0.0, timeout)) if timeout > 0 else (set(), None)
        if task not in done:
            task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        return task in done
