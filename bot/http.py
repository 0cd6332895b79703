"""The HTTP front door: Slack's requests reach Bolt through here.

Bolt answers 500 when a body cannot be parsed and 404 when nothing listens; Slack
retries both, so a malformed request would be retried and an unhandled event
redelivered three times. Here: a bad signature is 401, a malformed body is 400
with a log line, and anything verified but unhandled is acknowledged with 200.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.logs import log_event

log = logging.getLogger("bot.http")


class BadRequest(ValueError):
    pass


def classify(body) -> tuple[str, str]:
    """(kind, name) of a parsed Slack request body; raises BadRequest when it is not one."""
    if not isinstance(body, dict):
        raise BadRequest("body is not an object")
    kind = body.get("type")
    if "command" in body and kind is None:
        for required in ("user_id", "team_id"):
            if not body.get(required):
                raise BadRequest(f"slash command without {required}")
        return "command", str(body["command"])
    if "ssl_check" in body and kind is None:
        return "ssl_check", "ssl_check"
    if not isinstance(kind, str):
        raise BadRequest("not a Slack request body")
    if kind == "event_callback":
        event = body.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            raise BadRequest("event_callback without an event type")
        return "event", event["type"]
    if kind in ("url_verification", "app_rate_limited"):
        return kind, kind
    if not isinstance(body.get("user"), dict) or "id" not in body["user"]:
        raise BadRequest(f"{kind} payload without a user")
    if kind == "block_actions":
        acts = body.get("actions")
        if not isinstance(acts, list) or not acts or not isinstance(acts[0], dict):
            raise BadRequest("block_actions without actions")
        return kind, str(acts[0].get("action_id", ""))
    if kind in ("view_submission", "view_closed"):
        if not isinstance(body.get("view"), dict):
            raise BadRequest(f"{kind} without a view")
        return kind, str(body["view"].get("callback_id", ""))
    return kind, str(body.get("callback_id", ""))


def events_handler(app: AsyncApp, signing_secret: str):
    verifier = SignatureVerifier(signing_secret)

    async def handle(request: web.Request) -> web.Response:
        started = time.perf_counter()
        raw = await request.text()
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not verifier.is_valid(body=raw, timestamp=timestamp, signature=signature):
            log_event(log, "rejected", logging.WARNING, kind="unverified", status=401)
            return web.json_response({"error": "invalid request"}, status=401)
        try:
            # Bolt parses the body once (JSON, form, or a form's JSON payload);
            # what it parsed is checked here, before any listener sees it.
            bolt_request = AsyncBoltRequest(body=raw, query=request.query_string, headers=dict(request.headers))
            kind, name = classify(bolt_request.body)
        except (BadRequest, ValueError, TypeError, KeyError, AttributeError) as exc:
            log_event(log, "rejected", logging.WARNING, kind="malformed", status=400, reason=str(exc)[:200])
            return web.json_response({"error": "malformed request"}, status=400)
        response = await app.async_dispatch(bolt_request)
        status = response.status
        if status == 404:
            # Verified but nobody listens (a message subtype, an old button):
            # acknowledge so that Slack does not redeliver it.
            response.status, response.body = 200, ""
        retry = request.headers.get("X-Slack-Retry-Num")
        extra: dict[str, Any] = {"retry": retry} if retry else {}
        log_event(
            log,
            "request",
            kind=kind,
            name=name[:80],
            status=response.status,
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
            **extra,
        )
        return await to_aiohttp_response(response)

    return handle


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"ok": True})
