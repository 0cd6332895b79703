"""Socket Mode: Bolt's aiohttp handler, with the request log line HTTP mode writes.

HTTP mode logs each request in bot/http.py once Bolt has answered it. Over the
WebSocket there is no HTTP request, and a Bolt middleware cannot stand in: Bolt's
async middleware `next()` only marks the chain as continued, so a line written there
saw neither the status nor the time the listener took. This handler times the
envelope from its arrival to its acknowledgement, as Slack waits for it."""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import run_async_bolt_app, send_async_response
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.http import BadRequest, classify
from bot.logs import log_event

log = logging.getLogger("bot.socket_mode")


def kind_of(payload: Any) -> tuple[str, str]:
    try:
        return classify(payload)
    except BadRequest:
        return "malformed", ""


class LoggedSocketModeHandler(AsyncSocketModeHandler):
    async def handle(self, client, req: SocketModeRequest) -> None:  # type: ignore[override]
        started = time.perf_counter()
        kind, name = kind_of(req.payload)
        extra: dict[str, Any] = {"retry": req.retry_attempt} if req.retry_attempt else {}
        status: int | None = None
        try:
            response = await run_async_bolt_app(self.app, req)
            status = response.status
            # An envelope is acknowledged only when Bolt answers 200 (as before): the line says which.
            await send_async_response(client, req, response, time.time())
        finally:
            log_event(
                log,
                "request",
                kind=kind,
                name=name[:80],
                status=500 if status is None else status,
                latency_ms=round((time.perf_counter() - started) * 1000, 1),
                mode="socket",
                **extra,
            )
