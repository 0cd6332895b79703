"""Slow connections (a bounded slow-loris on loopback) cannot starve `/healthz`."""

import asyncio
import json
import resource

from aiohttp import ClientSession, ClientTimeout, web

from bot.guard import ConnectionGuard, GuardedSite, install
from bot.http import healthz
from tests.app.processes import app_env, free_port, spawn_app, wait_healthy

SLOW = 1100  # more connections than a process with the common 1024-file limit can hold


async def slow_client(port: int, stop: asyncio.Event, *, body: bool = False) -> str:
    """Opens a request and sends one byte of it a second until told to stop."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return "refused"
    head = b"POST /slack/events HTTP/1.1\r\nHost: x\r\n"
    if body:
        head += b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"
    try:
        writer.write(head)
        while not stop.is_set():
            writer.write(b"a" if body else b"X")
            await writer.drain()
            try:
                if await asyncio.wait_for(reader.read(1024), 1.0) == b"":
                    return "closed"
                return "answered"
            except TimeoutError:
                pass
        return "held"
    except OSError:
        return "closed"
    finally:
        writer.close()


def low_file_limit():
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))


async def test_healthz_answers_while_1100_slow_connections_are_held(tmp_path, slack):
    port = free_port()
    proc = await spawn_app(
        app_env(tmp_path, slack.api_url, port), stderr=asyncio.subprocess.DEVNULL, preexec_fn=low_file_limit
    )
    stop = asyncio.Event()
    clients: list[asyncio.Task] = []
    try:
        await wait_healthy(f"http://127.0.0.1:{port}/healthz", proc)
        clients = [asyncio.create_task(slow_client(port, stop)) for _ in range(SLOW)]
        await asyncio.sleep(3)  # all of them connected and dribbling
        assert sum(not c.done() for c in clients) > 500, "the slow connections are being held"
        async with ClientSession(timeout=ClientTimeout(total=20)) as s:
            async with s.get(f"http://127.0.0.1:{port}/healthz") as r:
                assert r.status == 200
    finally:
        stop.set()
        await asyncio.gather(*clients)
        proc.terminate()
        out, _ = await asyncio.wait_for(proc.communicate(), 15)
    lines = [json.loads(line) for line in out.decode().splitlines() if line.startswith("{")]
    closed = [line for line in lines if line.get("msg") == "slow connections closed"]
    assert closed and all(line["reason"] in ("cap", "header_timeout") for line in closed)
    assert len(closed) < 60, "logged per reason and second, not per connection"


async def guarded_server(guard: ConnectionGuard):
    app = web.Application()
    app.router.add_get("/healthz", healthz)

    async def echo(request):
        from bot.http import read_body

        return web.Response(text=str(len(await read_body(request))))

    app.router.add_post("/slack/events", echo)
    install(app, guard)
    runner = web.AppRunner(app)
    await runner.setup()
    site = GuardedSite(runner, "127.0.0.1", 0, guard)
    await site.start()
    return runner, site.port


async def test_a_request_whose_headers_or_body_dribble_in_is_closed():
    guard = ConnectionGuard(header_timeout=1.0)
    runner, port = await guarded_server(guard)
    stop = asyncio.Event()
    try:
        ended = await asyncio.wait_for(
            asyncio.gather(slow_client(port, stop), slow_client(port, stop, body=True)), timeout=30
        )
        assert ended == ["closed", "closed"]
        assert guard.closed["header_timeout"] == 2
        async with ClientSession(timeout=ClientTimeout(total=20)) as s:
            async with s.post(f"http://127.0.0.1:{port}/slack/events", data=b"x" * 10) as r:
                assert r.status == 200 and await r.text() == "10"
    finally:
        stop.set()
        await guard.close()
        await runner.cleanup()


async def test_beyond_the_cap_the_oldest_waiting_connection_is_dropped_not_the_new_one():
    guard = ConnectionGuard(max_connections=20, header_timeout=60)
    runner, port = await guarded_server(guard)
    stop = asyncio.Event()
    clients = []
    try:
        for _ in range(30):
            clients.append(asyncio.create_task(slow_client(port, stop)))
            await asyncio.sleep(0.01)
        async with ClientSession(timeout=ClientTimeout(total=20)) as s:
            async with s.get(f"http://127.0.0.1:{port}/healthz") as r:
                assert r.status == 200
        stop.set()
        ended = await asyncio.gather(*clients)
        assert ended[:10].count("closed") >= 9  # the oldest went first
        assert guard.closed["cap"] >= 10
    finally:
        stop.set()
        await guard.close()
        await runner.cleanup()
