"""Slow connections cannot starve the server.

aiohttp never times out a client that sends its request a byte at a time, so a few
hundred such connections hold every file descriptor the process may open and new
connections, `/healthz` among them, are never accepted. The guard sits between the
listening socket and aiohttp's protocol and keeps, per connection, whether the
client still owes us its request (waiting: idle, headers partly sent, or body
being read) or the app is working on a request it has fully received:

* a connection that has started a request but not finished its headers within
  `header_timeout`, or its body within as long again after them, or that sends
  nothing for `idle_timeout`, is closed (`bot.http.read_body` also answers 408 when
  the body takes longer than `BODY_TIMEOUT`);
* at most `max_connections` are open (by default a margin below the process's file
  limit): a new connection beyond it closes the connection that has been waiting
  longest on its client, so a working request is never cut and the newest one is
  served.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import resource
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.logs import log_event

log = logging.getLogger("bot.guard")
_held: contextvars.ContextVar[list[bool]] = contextvars.ContextVar("guard_held")

HEADER_TIMEOUT = 10.0
BODY_TIMEOUT = 10.0
IDLE_TIMEOUT = 75.0
FD_RESERVE = 128  # database connections, log files, outgoing Slack calls


def file_limit() -> int:
    """The process's file limit, raised to its hard limit first (as Go does at start)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    return 1 << 20 if soft == resource.RLIM_INFINITY else soft


def listen_backlog(limit: int | None = None) -> int:
    """asyncio accepts up to `backlog` connections in one go before the guard sees any,
    so the backlog is part of the file budget: an eighth of it, 128 to 1024."""
    limit = file_limit() if limit is None else limit
    return max(128, min(1024, limit // 8))


def default_max_connections(limit: int | None = None, cap: int = 4096) -> int:
    limit = file_limit() if limit is None else limit
    return max(16, min(cap, limit - FD_RESERVE - listen_backlog(limit)))


class _Conn:
    __slots__ = ("transport", "since", "partial", "active", "received")

    def __init__(self, transport: asyncio.Transport, now: float):
        self.transport = transport
        self.since = now  # when the connection started waiting on its client
        self.partial = False  # bytes of a request have arrived since then
        self.active = 0  # requests the app holds whose body is fully read
        self.received = False


class _GuardedProtocol(asyncio.Protocol):
    """Forwards everything to aiohttp's protocol, noting when bytes arrive."""

    def __init__(self, guard: ConnectionGuard, inner: asyncio.Protocol):
        self._guard, self._inner, self._conn = guard, inner, None

    def connection_made(self, transport):
        self._conn = self._guard._opened(transport)
        self._inner.connection_made(transport)

    def data_received(self, data):
        conn = self._conn
        if conn is not None and not conn.partial and conn.active == 0:
            conn.partial, conn.since = True, time.monotonic()
        self._inner.data_received(data)

    def eof_received(self):
        return self._inner.eof_received()

    def connection_lost(self, exc):
        self._guard._closed(self._conn)
        self._inner.connection_lost(exc)

    def pause_writing(self):
        self._inner.pause_writing()

    def resume_writing(self):
        self._inner.resume_writing()


class ConnectionGuard:
    def __init__(
        self,
        *,
        max_connections: int | None = None,
        header_timeout: float = HEADER_TIMEOUT,
        idle_timeout: float = IDLE_TIMEOUT,
    ):
        self.max_connections = max_connections or default_max_connections()
        self.header_timeout, self.idle_timeout = header_timeout, idle_timeout
        self._conns: dict[asyncio.BaseTransport, _Conn] = {}
        self._sweeper: asyncio.Task | None = None
        self.closed = {"cap": 0, "header_timeout": 0, "idle_timeout": 0}

    # --- the protocol side -------------------------------------------------

    def wrap(self, factory: Callable[[], asyncio.Protocol]) -> Callable[[], asyncio.Protocol]:
        return lambda: _GuardedProtocol(self, factory())

    def _opened(self, transport: asyncio.Transport) -> _Conn:
        conn = _Conn(transport, time.monotonic())
        self._conns[transport] = conn
        if len(self._conns) > self.max_connections:
            self._drop_oldest_waiting(conn)
        if self._sweeper is None or self._sweeper.done():
            self._sweeper = asyncio.get_running_loop().create_task(self._sweep())
        return conn

    def _closed(self, conn: _Conn | None) -> None:
        if conn is not None:
            self._conns.pop(conn.transport, None)

    def _drop_oldest_waiting(self, newest: _Conn) -> None:
        waiting = [c for c in self._conns.values() if c.active == 0 and c is not newest]
        victim = min(waiting, key=lambda c: c.since) if waiting else newest
        self._close(victim, "cap")

    def _close(self, conn: _Conn, why: str) -> None:
        self.closed[why] += 1
        self._conns.pop(conn.transport, None)
        conn.transport.abort()

    async def _sweep(self) -> None:
        reported = dict(self.closed)
        while self._conns:
            await asyncio.sleep(min(1.0, self.header_timeout / 2))
            now = time.monotonic()
            for conn in list(self._conns.values()):
                if conn.active:
                    continue
                if conn.partial and now - conn.since > self.header_timeout:
                    self._close(conn, "header_timeout")
                elif not conn.partial and now - conn.since > self.idle_timeout:
                    self._close(conn, "idle_timeout")
            for why, n in self.closed.items():
                if n > reported[why]:
                    # One line per reason and second, however many were closed.
                    log_event(log, "slow connections closed", logging.WARNING, reason=why, count=n - reported[why])
            reported = dict(self.closed)

    # --- the application side ----------------------------------------------

    def _conn_of(self, request: web.BaseRequest) -> _Conn | None:
        return self._conns.get(request.transport) if request.transport is not None else None

    def received(self, request: web.BaseRequest) -> None:
        """The request is fully read: from now on the app, not the client, holds it."""
        conn, held = self._conn_of(request), _held.get(None)
        if conn is not None and held is not None and not held:
            held.append(True)
            conn.active += 1

    @web.middleware
    async def middleware(self, request: web.Request, handler: Callable[[web.Request], Any]):
        conn = self._conn_of(request)
        if conn is not None and conn.active == 0:
            conn.since = time.monotonic()  # headers are in: the body now has its own time
        held: list[bool] = []
        token = _held.set(held)
        if not request.can_read_body:
            self.received(request)
        try:
            return await handler(request)
        finally:
            _held.reset(token)
            conn = self._conn_of(request)
            if conn is not None:
                if held:
                    conn.active -= 1
                if conn.active == 0:
                    conn.partial, conn.since = False, time.monotonic()

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()


def guard_of(request: web.Request) -> ConnectionGuard | None:
    return request.app.get(GUARD_KEY)


GUARD_KEY = web.AppKey("connection_guard", ConnectionGuard)


class GuardedSite(web.TCPSite):
    """A TCPSite whose connections pass through a ConnectionGuard."""

    def __init__(self, runner: web.BaseRunner, host: str, port: int, guard: ConnectionGuard, **kwargs):
        super().__init__(runner, host, port, **kwargs)
        self.guard = guard

    async def start(self) -> None:
        await web.BaseSite.start(self)
        loop = asyncio.get_running_loop()
        server = self._runner.server
        assert server is not None
        self._server = await loop.create_server(
            self.guard.wrap(server),
            self._host,
            self._port,
            ssl=self._ssl_context,
            backlog=self._backlog,
            reuse_address=self._reuse_address,
        )
        self._bound_port = self._server.sockets[0].getsockname()[1] if self._server.sockets else self._port


def install(web_app: web.Application, guard: ConnectionGuard) -> None:
    """Before the app is frozen: the middleware that tells the guard who is working."""
    web_app[GUARD_KEY] = guard
    web_app.middlewares.append(guard.middleware)
