"""Slack's end of Socket Mode, on loopback, for tests.

The app's Socket Mode client asks the Web API stand-in for a URL
(`apps.connections.open`, answered with this server's ws:// URL), connects, is sent
`hello`, then envelopes; it acknowledges each by its `envelope_id` over the same
socket, as it would to Slack. Attached to the Web API stand-in (`slack.socket_mode`),
it carries everything the stand-in would POST to the app (commands, clicks, modal
submissions, events) as envelopes, and hands the acknowledgement's payload back as
the answer (a modal's `response_action`, a command's reply).

Slack's side of a connection's life is here too: `drop()` cuts the connection without
a close frame (a load balancer timing it out), `disconnect(reason)` sends the
`disconnect` message Slack sends before it closes one (`refresh_requested`,
`warning`, `link_disabled`)."""

from __future__ import annotations

import asyncio
import json
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

from bot.sandbox import signing
from bot.sandbox.serving import serve

# What the stand-in POSTs over HTTP, as the envelope type Slack uses over the socket.
ENVELOPE_TYPES = {
    "event": "events_api",
    "command": "slash_commands",
    "block_actions": "interactive",
    "view_submission": "interactive",
    "view_closed": "interactive",
}


@dataclass
class Envelope:
    envelope_id: str
    type: str
    payload: dict
    connection: int  # which connection (1, 2, …) carried it
    ack: dict | None = None  # the app's acknowledgement, once it came


class SocketModeStandIn:
    def __init__(self, app_id: str = signing.DEFAULT_APP_ID):
        self.app_id = app_id
        self.url: str | None = None
        self.connections = 0  # connections opened so far (each is sent its `hello`)
        self.envelopes: list[Envelope] = []
        self._ws: web.WebSocketResponse | None = None
        self._request: web.Request | None = None
        self._hello = asyncio.Condition()
        self._acks: dict[str, asyncio.Future] = {}
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/link", self._link)
        self._runner, port = await serve(app)
        self.url = f"ws://127.0.0.1:{port}/link"
        return self.url

    async def stop(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()  # answers the client's pings itself (autoping)
        await ws.prepare(request)
        self._ws, self._request, self.connections = ws, request, self.connections + 1
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "stand-in", "approximate_connection_time": 3600},
                "connection_info": {"app_id": self.app_id},
            }
        )
        async with self._hello:
            self._hello.notify_all()
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            envelope_id = str(data.get("envelope_id"))
            waiter = self._acks.get(envelope_id)
            if waiter is not None and not waiter.done():
                waiter.set_result(data)
                for env in self.envelopes:
                    if env.envelope_id == envelope_id:
                        env.ack = data
        return ws

    async def connected(self, count: int = 1, timeout: float = 10.0) -> None:
        """Until the app has opened its `count`th connection (and been sent `hello` on it)."""

        async def enough() -> None:
            async with self._hello:
                await self._hello.wait_for(lambda: self.connections >= count)

        await asyncio.wait_for(enough(), timeout)

    async def send(self, kind: str, payload: dict, retry_attempt: int = 0) -> str:
        """Sends an envelope (`slash_commands`, `interactive`, `events_api`); its id."""
        assert self._ws is not None, "no Socket Mode connection yet"
        envelope_id = secrets.token_hex(8)
        self._acks[envelope_id] = asyncio.get_running_loop().create_future()
        self.envelopes.append(Envelope(envelope_id, kind, payload, self.connections))
        await self._ws.send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": retry_attempt,
                "retry_reason": "timeout" if retry_attempt else "",
            }
        )
        return envelope_id

    async def ack(self, envelope_id: str, timeout: float = 10.0) -> dict:
        """The app's acknowledgement of that envelope (with its response payload, if any)."""
        return await asyncio.wait_for(asyncio.shield(self._acks[envelope_id]), timeout)

    async def request(self, kind: str, payload: dict, timeout: float, retry_num: int | None = None) -> dict | None:
        """What the Web API stand-in would POST (`kind`: event, command, block_actions, …),
        as an envelope; the acknowledgement, or None when none came within `timeout`
        (Slack's 3 seconds: it then shows the person an error, as over HTTP)."""
        envelope_id = await self.send(ENVELOPE_TYPES[kind], payload, retry_attempt=retry_num or 0)
        try:
            return await self.ack(envelope_id, timeout)
        except TimeoutError:
            return None

    async def disconnect(self, reason: str = "refresh_requested") -> None:
        """Slack's `disconnect` message on the current connection (it closes it soon after)."""
        assert self._ws is not None, "no Socket Mode connection yet"
        await self._ws.send_json({"type": "disconnect", "reason": reason, "debug_info": {"host": "stand-in"}})

    def drop(self) -> None:
        """Cuts the current connection: no close frame, the TCP connection just ends."""
        assert self._request is not None and self._request.transport is not None, "no Socket Mode connection yet"
        self._request.transport.abort()

    async def command(self, slack, user: str, channel: str, command: str, text: str = "") -> str:
        """A slash command, as the Web API stand-in `slack` would send it over HTTP."""
        key = secrets.token_hex(8)
        body = signing.slash_command_body(
            command=command,
            text=text,
            user_id=user,
            team_id=slack.team_id,
            channel_id=channel,
            response_url=slack.response_url(key, user=user, channel=channel),
            api_app_id=self.app_id,
        )
        return await self.send("slash_commands", dict(parse_qsl(body)))
