"""Answers to a command's response_url over one pooled HTTP session.

Bolt's `respond()` opens a new connection for every answer; under a burst of
questions that connection set-up costs more than the answer itself. Answers are
also computed by a few queue workers rather than by each request's own task, so
that in a burst the acknowledgements (which Slack needs within 3 s) go out first
and the answers follow."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import ClientSession, ClientTimeout, TCPConnector
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.webhook.async_client import AsyncWebhookClient


class Responder:
    def __init__(self, retries: int = 2, workers: int = 4):
        self._session: ClientSession | None = None
        self._lock = asyncio.Lock()
        self._queue: asyncio.Queue | None = None
        self._workers: list[asyncio.Task] = []
        self._worker_count = workers
        self._retry_handlers = [
            AsyncConnectionErrorRetryHandler(max_retry_count=retries),
            AsyncRateLimitErrorRetryHandler(max_retry_count=retries),
            AsyncServerErrorRetryHandler(max_retry_count=retries),
        ]

    async def _shared(self) -> ClientSession:
        async with self._lock:
            if self._session is None or self._session.closed:
                self._session = ClientSession(connector=TCPConnector(limit=100), timeout=ClientTimeout(total=30))
            return self._session

    async def send(self, response_url: str, **payload) -> int:
        """Posts an (ephemeral by default) message to response_url; the HTTP status."""
        payload.setdefault("response_type", "ephemeral")
        webhook = AsyncWebhookClient(
            url=response_url, session=await self._shared(), retry_handlers=list(self._retry_handlers)
        )
        return (await webhook.send_dict(payload)).status_code

    async def answer(self, response_url: str, compute: Callable[[], object]) -> None:
        """Queues compute() -> Message and sends it to response_url; returns once sent."""
        if self._queue is None:
            self._queue = asyncio.Queue()
            self._workers = [asyncio.create_task(self._work()) for _ in range(self._worker_count)]
        done = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((response_url, compute, done))
        await done

    async def _work(self) -> None:
        queue = self._queue
        assert queue is not None, "workers start with their queue"
        while True:
            response_url, compute, done = await queue.get()
            try:
                message = compute()
                await self.send(response_url, **message.kwargs())
            except Exception as exc:  # handed to the waiting listener, which reports it
                if not done.done():
                    done.set_exception(exc)
            else:
                if not done.done():
                    done.set_result(None)

    async def close(self) -> None:
        for task in self._workers:
            task.cancel()
        self._workers, self._queue = [], None
        if self._session is not None and not self._session.closed:
            await self._session.close()
