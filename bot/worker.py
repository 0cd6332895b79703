"""Background work: pending posts, reply relays, idle intakes, retention.

Runs once at start (so a post left pending by a crash goes out) and then every few
seconds. Every step is safe to run in several processes at once."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta

from bot.logs import log_event

log = logging.getLogger("bot.worker")
RETENTION_EVERY = 3600.0


class Worker:
    def __init__(self, services, interval: float = 5.0):
        self.s = services
        self.interval = interval
        self._last_retention: float | None = None  # None: retention runs on the first tick
        self._task: asyncio.Task | None = None

    async def tick(self) -> dict:
        posted = await self.s.posting.deliver_due()
        relayed = await self.s.discussion.flush_relays()
        expired = await self.s.store.expire_intakes(timedelta(hours=self.s.settings.idle_expiry_hours))
        await self.s.store.scrub()  # closed intakes' keys out of the database's files
        if self._last_retention is None or time.monotonic() - self._last_retention >= RETENTION_EVERY:
            self._last_retention = time.monotonic()
            await self.s.moderation.run_retention()
            await self.s.store.prune_keys(timedelta(days=1))
        return {"posted": posted, "relayed": relayed, "expired": expired}

    async def run(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception as exc:  # the loop must outlive a bad tick (e.g. the database restarting)
                log_event(log, "worker tick failed", logging.ERROR, error=type(exc).__name__)
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
