"""The HTTP front door: Slack's requests reach Bolt through here.

Bolt answers 500 when a body cannot be parsed and 404 when nothing listens; Slack
retries both, so a malformed request would be retried and an unhandled event
redelivered three times. Here the signature is checked on the raw bytes before
anything is decoded: a missing, stale or bad signature is 401, a body over the
limit 413, a verified body that is not UTF-8 or not the shape Slack sends 400 —
each with one log line saying why (no user IDs, no content) — and anything
verified but unhandled is acknowledged with 200.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import time
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot import ack_first
from bot.guard import BODY_TIMEOUT, guard_of
from bot.logs import log_event
from bot.storage.outage import database_problem

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
    user = body.get("user")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str):
        raise BadRequest("interaction payload without a user")
    if kind == "block_actions":
        acts = body.get("actions")
        if not isinstance(acts, list) or not acts or not all(isinstance(a, dict) for a in acts):
            raise BadRequest("block_actions without actions")
        for act in acts:
            _check_action(act)
        return kind, acts[0]["action_id"]
    if kind in ("view_submission", "view_closed"):
        view = body.get("view")
        if not isinstance(view, dict):
            raise BadRequest("view payload without a view")
        if not isinstance(view.get("type"), str) or not isinstance(view.get("callback_id", ""), str):
            raise BadRequest("view without a type or callback_id")
        _check_state(view.get("state"))
        return kind, view.get("callback_id", "")
    return kind, str(body.get("callback_id", ""))


def _check_action(act: dict) -> None:
    if not isinstance(act.get("action_id"), str):
        raise BadRequest("action without an action_id")
    for key in ("value", "block_id", "type"):
        if act.get(key) is not None and not isinstance(act[key], str):
            raise BadRequest(f"action {key} is not a string")
    _check_options(act)


def _check_options(element: dict) -> None:
    if "selected_option" in element and element["selected_option"] is not None:
        if not isinstance(element["selected_option"], dict) or not isinstance(
            element["selected_option"].get("value"), str
        ):
            raise BadRequest("selected_option without a string value")
    if "selected_options" in element:
        options = element["selected_options"]
        if not isinstance(options, list) or not all(
            isinstance(o, dict) and isinstance(o.get("value"), str) for o in options
        ):
            raise BadRequest("selected_options without string values")


def _check_state(state) -> None:
    """A modal's state.values: {block_id: {action_id: element}}, text values strings."""
    if state is None:
        return
    values = state.get("values", {}) if isinstance(state, dict) else None
    if not isinstance(values, dict) or not all(isinstance(block, dict) for block in values.values()):
        raise BadRequest("view state is not an object")
    for block in values.values():
        for element in block.values():
            if not isinstance(element, dict):
                raise BadRequest("view state element is not an object")
            if element.get("value") is not None and not isinstance(element["value"], str):
                raise BadRequest("view state value is not a string")
            _check_options(element)


MAX_BODY_BYTES = 1024 * 1024
MAX_SKEW_SECONDS = 60 * 5
_TIMESTAMP = re.compile(rb"[0-9]{1,12}")
_SIGNATURE = re.compile(rb"v0=[0-9a-f]{64}")
_CHARSETS = {"utf-8", "utf8", "us-ascii", "ascii"}


class Rejected(Exception):
    """A request answered without reaching Bolt: (status, kind, reason) for one log line."""

    def __init__(self, status: int, kind: str, reason: str):
        super().__init__(reason)
        self.status, self.kind, self.reason = status, kind, reason


def _header_bytes(request: web.Request, name: str) -> bytes:
    # aiohttp decodes headers as UTF-8 with surrogate escapes; take the bytes back.
    value = request.headers.get(name)
    return b"" if value is None else value.encode("utf-8", "surrogateescape")


def verify(secret: bytes, timestamp: bytes, signature: bytes, raw: bytes, now: float) -> None:
    """Slack's v0 signature over the raw bytes, checked before anything is decoded."""
    if not timestamp:
        raise Rejected(401, "unsigned", "missing timestamp")
    if not _TIMESTAMP.fullmatch(timestamp):
        raise Rejected(401, "bad_signature", "malformed timestamp")
    if not signature:
        raise Rejected(401, "unsigned", "missing signature")
    if not _SIGNATURE.fullmatch(signature):
        raise Rejected(401, "bad_signature", "malformed signature")
    if abs(now - int(timestamp)) > MAX_SKEW_SECONDS:
        raise Rejected(401, "stale", "timestamp outside five minutes")
    expected = b"v0=" + hmac.new(secret, b"v0:" + timestamp + b":" + raw, hashlib.sha256).hexdigest().encode()
    if not hmac.compare_digest(expected, signature):
        raise Rejected(401, "bad_signature", "signature mismatch")


def decode(request: web.Request, raw: bytes) -> str:
    """The verified body as text: Slack sends UTF-8, anything else is malformed."""
    charset = (request.charset or "utf-8").strip().lower()
    if charset not in _CHARSETS:
        raise Rejected(400, "malformed", "unsupported charset")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Rejected(400, "malformed", "body is not UTF-8") from None


async def read_body(request: web.Request) -> bytes:
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise Rejected(413, "too_large", "content-length over the limit")
    try:
        async with asyncio.timeout(BODY_TIMEOUT):
            raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise Rejected(413, "too_large", "body over the limit") from None
    except TimeoutError:
        raise Rejected(408, "slow", "body not received in time") from None
    guard = guard_of(request)
    if guard is not None:
        guard.received(request)
    return raw


def events_handler(app: AsyncApp, signing_secret: str):
    secret = signing_secret.encode("utf-8")

    async def handle(request: web.Request) -> web.Response:
        started = time.perf_counter()
        # Counted from its arrival (reading and checking it is work an ack waits for too) until
        # this handler has Bolt's answer (see bot/ack_first.py).
        pending = ack_first.GATE.received()
        try:
            return await _handle(request, started, pending)
        finally:
            pending.release()

    async def _handle(request: web.Request, started: float, pending: ack_first.Pending) -> web.Response:
        try:
            raw = await read_body(request)
            verify(
                secret,
                _header_bytes(request, "X-Slack-Request-Timestamp"),
                _header_bytes(request, "X-Slack-Signature"),
                raw,
                time.time(),
            )
            body = decode(request, raw)
            try:
                # Bolt parses the body once (JSON, form, or a form's JSON payload);
                # what it parsed is checked here, before any listener sees it.
                bolt_request = AsyncBoltRequest(body=body, query=request.query_string, headers=dict(request.headers))
                kind, name = classify(bolt_request.body)
            except BadRequest as exc:
                raise Rejected(400, "malformed", str(exc)) from None
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                raise Rejected(400, "malformed", f"unparsable body ({type(exc).__name__})") from None
        except Rejected as exc:
            log_event(log, "rejected", logging.WARNING, kind=exc.kind, status=exc.status, reason=exc.reason)
            message = {401: "invalid request", 408: "request timeout", 413: "request too large"}.get(exc.status)
            refusal = web.json_response({"error": message or "malformed request"}, status=exc.status)
            if exc.status in (408, 413):
                refusal.force_close()  # the rest of the body is not worth waiting for
            return refusal
        bolt_request.context[ack_first.CONTEXT_KEY] = pending  # see after_acks()
        try:
            response = await app.async_dispatch(bolt_request)
        except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
            # Bolt's own matching read a field this payload does not have the expected shape for.
            log_event(
                log, "rejected", logging.WARNING, kind="malformed", status=400, reason=f"shape ({type(exc).__name__})"
            )
            return web.json_response({"error": "malformed request"}, status=400)
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


def health_handler(store=None, socket=None):
    """/healthz: 200 when the process serves, its database answers and (in Socket Mode,
    with `socket`, an async callable answering the connection's state and why it is not
    connected) the socket is connected; else 503 and why."""
    if store is None and socket is None:
        return healthz

    async def health(_request: web.Request) -> web.Response:
        answer: dict = {"ok": True}
        if store is not None:
            problem = await database_problem(store)
            answer["database"] = "ok" if problem is None else "unreachable"
            if problem is not None:
                answer.update(ok=False, reason=problem)
                log_event(log, "unhealthy", logging.WARNING, kind="database", reason=problem)
        if socket is not None:
            try:
                state, why = await socket()
            except Exception:  # a socket client that cannot even say: not connected
                state, why = "disconnected", "socket state unknown"
            answer["socket"] = state
            if state != "connected":
                answer["ok"] = False
                answer.setdefault("reason", why)
        return web.json_response(answer, status=200 if answer["ok"] else 503)

    return health
