"""Socket Mode: Bolt's aiohttp handler, with the request log line HTTP mode writes,
and a connection whose state the health check and the log can tell.

HTTP mode logs each request in bot/http.py once Bolt has answered it. Over the
WebSocket there is no HTTP request, and a Bolt middleware cannot stand in: Bolt's
async middleware `next()` only marks the chain as continued, so a line written there
saw neither the status nor the time the listener took. This handler times the
envelope from its arrival to its acknowledgement, as Slack waits for it.

The connection (slack-sdk's aiohttp client, which reconnects by itself after a drop
or Slack's `disconnect` message) is `connecting` until the first `hello`, then
`connected`, `reconnecting` while it gets a new URL and `hello` again, and
`disconnected` once closed. An app-level token Slack refuses (`invalid_auth`:
revoked, mistyped, or a bot token in its place) is not retried: slack-sdk would retry
it every few seconds forever, with a traceback each time. The connection is then
`disconnected` for good, /healthz answers 503, and one log line names SLACK_APP_TOKEN
(at start, the start fails with that line instead)."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import run_async_bolt_app, send_async_response
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.http import BadRequest, classify
from bot.logs import log_event

log = logging.getLogger("bot.socket_mode")

# apps.connections.open's errors that no retry can mend: the token itself is refused.
REFUSED = frozenset(
    {"invalid_auth", "not_authed", "token_revoked", "account_inactive", "not_allowed_token_type", "missing_scope"}
)


class TokenRefused(Exception):
    pass


def refusal_text(error: str) -> str:
    return (
        f"Slack refused SLACK_APP_TOKEN ({error}) when asked for a Socket Mode connection: "
        "set it to the app-level token (xapp-…, scope connections:write) from the app's "
        "Basic Information page, or generate a new one if it was revoked"
    )


def kind_of(payload: Any) -> tuple[str, str]:
    try:
        return classify(payload)
    except BadRequest:
        return "malformed", ""


class WatchedSocketModeClient(SocketModeClient):
    """slack-sdk's aiohttp Socket Mode client, which says what state it is in."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.refused: str | None = None  # the refusal, in words, once Slack refused the token
        self.hellos = 0
        self._hello_session: object | None = None
        self._reason: str | None = None  # why the next reconnection happens
        self.message_listeners.append(self._on_message)

    async def _on_message(self, _client: Any, message: dict, _raw: str | None) -> None:
        if message.get("type") == "hello":
            self.hellos += 1
            self._hello_session = self.current_session
            log_event(log, "socket connected", count=self.hellos)

    async def state(self) -> str:
        if self.refused is not None or self.closed:
            return "disconnected"
        if self._hello_session is not None and self._hello_session is self.current_session:
            if await self.is_connected():
                return "connected"
        return "reconnecting" if self.hellos else "connecting"

    async def health(self) -> tuple[str, str | None]:
        """The state, and why it is not connected (None when it is)."""
        state = await self.state()
        if state == "connected":
            return state, None
        return state, self.refused or f"socket {state}"

    async def issue_new_wss_url(self) -> str:
        try:
            response = await self.web_client.apps_connections_open(app_token=self.app_token)
            return str(response["url"])
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "")
            if error == "ratelimited":
                await asyncio.sleep(int(exc.response.headers.get("Retry-After", "30")))
                return await self.issue_new_wss_url()
            if error not in REFUSED:  # Slack having trouble: slack-sdk logs it (one line) and retries
                raise
            await self._refuse(error)
            raise TokenRefused(error) from None

    async def _refuse(self, error: str) -> None:
        """Stops for good: no more retries (the monitor and the receiver end with
        `closed`), the old connection closed, one line in the log."""
        self.refused = refusal_text(error)
        self.closed = True
        self.auto_reconnect_enabled = False
        if self.hellos:  # at start the start fails with this text instead (bot/server.py)
            log_event(log, "socket closed for good", logging.ERROR, error=error, reason=self.refused)
        if self.current_session is not None and not self.current_session.closed:
            await self.current_session.close()

    async def connect_to_new_endpoint(self, force: bool = False) -> None:
        if force or not await self.is_connected():
            if self.hellos and not self.closed:
                log_event(log, "socket reconnecting", logging.WARNING, reason=self._reason or "connection lost")
        self._reason = None
        try:
            await super().connect_to_new_endpoint(force=force)
        except TokenRefused:
            return

    async def run_message_listeners(self, message: dict, raw_message: str) -> None:
        if message.get("type") == "disconnect":
            self._reason = f"disconnect: {message.get('reason') or 'unknown'}"
        await super().run_message_listeners(message, raw_message)


class LoggedSocketModeHandler(AsyncSocketModeHandler):
    client: WatchedSocketModeClient

    def __init__(self, app: AsyncApp, app_token: str, ping_interval: float = 10):
        # AsyncSocketModeHandler's own __init__, with the client above.
        self.app = app
        self.app_token = app_token
        self.client = WatchedSocketModeClient(
            app_token=app_token, logger=app.logger, web_client=app.client, ping_interval=ping_interval
        )
        self.client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]

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
