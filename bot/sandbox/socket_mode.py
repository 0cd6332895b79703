"""Slack's end of Socket Mode, on loopback, for tests.

The app's Socket Mode client asks the Web API stand-in for a URL
(`apps.connections.open`, answered with this server's ws:// URL), connects, is sent
`hello`, then envelopes; it acknowledges each by its `envelope_id` over the same
socket, as it would to Slack."""

from __future__ import annotations

import asyncio
import json
import secrets
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

from bot.sandbox import signing


class SocketModeStandIn:
    def __init__(self, app_id: str = signing.DEFAULT_APP_ID):
        self.app_id = app_id
        self.url: str | None = None
        self.connections = 0
        self._ws: web.WebSocketResponse | None = None
        self._connected = asyncio.Event()
        self._acks: dict[str, asyncio.Future] = {}
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/link", self._link)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
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
        self._ws, self.connections = ws, self.connections + 1
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "stand-in", "approximate_connection_time": 3600},
                "connection_info": {"app_id": self.app_id},
            }
        )
        self._connected.set()
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            waiter = self._acks.get(str(data.get("envelope_id")))
            if waiter is not None and not waiter.done():
                waiter.set_result(data)
        return ws

    async def connected(self, timeout: float = 10.0) -> None:
        await asyncio.wait_for(self._connected.wait(), timeout)

    async def send(self, kind: str, payload: dict) -> str:
        """Sends an envelope (`slash_commands`, `interactive`, `events_api`); its id."""
        assert self._ws is not None, "no Socket Mode connection yet"
        envelope_id = secrets.token_hex(8)
        self._acks[envelope_id] = asyncio.get_running_loop().create_future()
        await self._ws.send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )
        return envelope_id

    async def ack(self, envelope_id: str, timeout: float = 10.0) -> dict:
        """The app's acknowledgement of that envelope (with its response payload, if any)."""
        return await asyncio.wait_for(asyncio.shield(self._acks[envelope_id]), timeout)

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
