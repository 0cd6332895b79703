"""The HTTP front door: Slack's requests reach Bolt through here.

Bolt answers 500 when a body cannot be parsed and 404 when nothing listens; Slack
retries both, so a malformed request would be retried and an unhandled event
redelivered three times. Here: a bad signature is 401, a malformed body is 400
with a log line, and anything verified but unhandled is acknowledged with 200.
"""
from __future__ import annotations

import json
import logging
import time
from urllib.parse import parse_qs

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.logs import log_event

log = logging.getLogger("bot.http")


class BadRequest(ValueError):
    pass


def classify(raw: str, content_type: str) -> tuple[str, str]:
    """(kind, name) of a Slack request; raises BadRequest when it is not one."""
    if "application/json" in content_type:
        try:
            body = json.loads(raw)
        except ValueError:
            raise BadRequest("body is not valid JSON") from None
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            raise BadRequest("JSON body without a type")
        if body["type"] == "event_callback":
            event = body.get("event")
            if not isinstance(event, dict) or not isinstance(event.get("type"), str):
                raise BadRequest("event_callback without an event type")
            return "event", event["type"]
        return body["type"], body["type"]
    form = parse_qs(raw, keep_blank_values=True)
    if "payload" in form:
        try:
            payload = json.loads(form["payload"][0])
        except ValueError:
            raise BadRequest("payload is not valid JSON") from None
        if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
            raise BadRequest("payload without a type")
        kind = payload["type"]
        if not isinstance(payload.get("user"), dict) or "id" not in payload["user"]:
            raise BadRequest(f"{kind} payload without a user")
        if kind == "block_actions":
            acts = payload.get("actions")
            if not isinstance(acts, list) or not acts or not isinstance(acts[0], dict):
                raise BadRequest("block_actions without actions")
            return kind, str(acts[0].get("action_id", ""))
        if kind in ("view_submission", "view_closed"):
            view = payload.get("view")
            if not isinstance(view, dict):
                raise BadRequest(f"{kind} without a view")
            return kind, str(view.get("callback_id", ""))
        return kind, str(payload.get("callback_id", ""))
    if "command" in form:
        for required in ("user_id", "team_id"):
            if not form.get(required, [""])[0]:
                raise BadRequest(f"slash command without {required}")
        return "command", form["command"][0]
    if "ssl_check" in form:
        return "ssl_check", "ssl_check"
    raise BadRequest("not a Slack request body")


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
            kind, name = classify(raw, request.headers.get("Content-Type", ""))
            bolt_request = AsyncBoltRequest(body=raw, query=request.query_string, headers=dict(request.headers))
        except (BadRequest, ValueError, TypeError, KeyError) as exc:
            log_event(log, "rejected", logging.WARNING, kind="malformed", status=400, reason=str(exc)[:200])
            return web.json_response({"error": "malformed request"}, status=400)
        response = await app.async_dispatch(bolt_request)
        status = response.status
        if status == 404:
            # Verified but nobody listens (a message subtype, an old button):
            # acknowledge so that Slack does not redeliver it.
            response.status, response.body = 200, ""
        retry = request.headers.get("X-Slack-Retry-Num")
        log_event(
            log, "request", kind=kind, name=name[:80], status=response.status,
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
            **({"retry": retry} if retry else {}),
        )
        return await to_aiohttp_response(response)

    return handle


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"ok": True})
