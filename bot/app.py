"""Building the Bolt app and the aiohttp application that serves it."""

from __future__ import annotations

import logging
import time
import traceback
from pathlib import Path

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.http import MAX_BODY_BYTES, events_handler, healthz
from bot.listeners import register_listeners
from bot.logs import log_event

log = logging.getLogger("bot.app")


def create_app(
    services,
    client: AsyncWebClient,
    *,
    signing_secret: str | None,
    process_before_response: bool = False,
    log_requests: bool = False,
) -> AsyncApp:
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret,
        process_before_response=process_before_response,
        request_verification_enabled=bool(signing_secret),
        logger=logging.getLogger("slack_bolt.App"),
    )
    if log_requests:
        # Socket Mode bypasses the HTTP front door, so log requests here instead.
        @app.middleware
        async def request_log(body, next):
            started = time.perf_counter()
            response = await next()
            kind = body.get("type") or ("command" if "command" in body else "unknown")
            log_event(
                log,
                "request",
                kind=kind,
                status=getattr(response, "status", None),
                latency_ms=round((time.perf_counter() - started) * 1000, 1),
                mode="socket",
            )
            return response

    @app.error
    async def on_error(error, body):
        # Where, not what: an exception's message may quote user text.
        frames = traceback.extract_tb(error.__traceback__)
        where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno} {frames[-1].name}" if frames else ""
        log_event(log, "listener failed", logging.ERROR, error=type(error).__name__, detail=where)

    register_listeners(app, services)
    return app


def build_web_app(app: AsyncApp, signing_secret: str) -> web.Application:
    web_app = web.Application(client_max_size=MAX_BODY_BYTES)
    web_app.router.add_post("/slack/events", events_handler(app, signing_secret))
    web_app.router.add_get("/healthz", healthz)
    return web_app
