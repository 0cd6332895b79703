"""What a clean stop waits for: acknowledged requests whose listeners still run.

Bolt acks a request and then runs its listener in a task of its own (the answer to a
command, an intake step, a submitted reply). Slack will not send that request again,
so a stop that cancelled those tasks would lose the work for good. Bolt's listener
start and completion hooks count them here; the server waits for the count to reach
zero (within its bound) before it closes the database."""

from __future__ import annotations

import asyncio
import time

from slack_bolt.async_app import AsyncApp
from slack_bolt.listener.async_listener_completion_handler import AsyncListenerCompletionHandler
from slack_bolt.listener.async_listener_start_handler import AsyncListenerStartHandler


class InFlight:
    def __init__(self) -> None:
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def count(self) -> int:
        return self._count

    def started(self) -> None:
        self._count += 1
        self._idle.clear()

    def finished(self) -> None:
        self._count = max(0, self._count - 1)
        if self._count == 0:
            self._idle.set()

    async def wait_idle(self, timeout: float) -> bool:
        """True once nothing is in flight; False if the timeout came first."""
        deadline = time.monotonic() + max(0.0, timeout)
        # Bolt starts a listener's task right after the ack: let tasks scheduled by
        # requests that have just finished begin (and count themselves) first.
        for _ in range(3):
            await asyncio.sleep(0)
        while self._count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self._idle.wait(), remaining)
            except TimeoutError:
                return False
            await asyncio.sleep(0)  # a listener that finished may have started another
        return True


class _Start(AsyncListenerStartHandler):
    def __init__(self, inner: AsyncListenerStartHandler, in_flight: InFlight):
        self.inner, self.in_flight = inner, in_flight

    async def handle(self, request, response) -> None:
        self.in_flight.started()
        await self.inner.handle(request=request, response=response)


class _Completion(AsyncListenerCompletionHandler):
    def __init__(self, inner: AsyncListenerCompletionHandler, in_flight: InFlight):
        self.inner, self.in_flight = inner, in_flight

    async def handle(self, request, response) -> None:
        try:
            await self.inner.handle(request=request, response=response)
        finally:
            self.in_flight.finished()


def track_listeners(app: AsyncApp, in_flight: InFlight) -> None:
    """Counts every listener run of `app` in `in_flight` (Bolt calls the start hook
    and, in a `finally`, the completion hook around each one)."""
    runner = app.listener_runner
    runner.listener_start_handler = _Start(runner.listener_start_handler, in_flight)
    runner.listener_completion_handler = _Completion(runner.listener_completion_handler, in_flight)
