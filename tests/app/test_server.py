"""`python -m bot` as a real process: HTTP mode on PORT, and Socket Mode selection."""

import asyncio
import json
import logging
import os
import socket
import sys

import asyncpg
import pytest
from aiohttp import ClientSession

from bot.sandbox.signing import signed_headers, slash_command_body
from tests.app.processes import ROOT, app_env, ask_principles, free_port, spawn_app, wait_healthy
from tests.conftest import CONSULT, GENERAL, PRACTITIONER, TEAM, make_settings


async def test_http_mode_serves_slack_events_and_healthz(tmp_path, slack):
    port = free_port()
    proc = await spawn_app(app_env(tmp_path, slack.api_url, port))
    try:
        await wait_healthy(f"http://127.0.0.1:{port}/healthz", proc)
        assert await ask_principles(port, slack.response_url("x", user=PRACTITIONER)) == 200
        async with ClientSession() as s:
            answer = (await slack.wait_for("response_url"))[-1].args
            assert answer["response_type"] == "ephemeral" and "principles" in json.dumps(answer).lower()
            body = slash_command_body(
                command="/boundary", text="x", user_id=PRACTITIONER, team_id=TEAM, channel_id=GENERAL, response_url="u"
            )
            async with s.post(
                f"http://127.0.0.1:{port}/slack/events", data=body.encode(), headers=signed_headers(body, "wrong")
            ) as r:
                assert r.status == 401
        # The container's HEALTHCHECK command (Dockerfile) finds it healthy.
        check = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "healthcheck", cwd=ROOT, env={"PATH": "/usr/bin:/bin", "PORT": str(port)}
        )
        assert await asyncio.wait_for(check.wait(), 60) == 0
    finally:
        proc.terminate()
        out, err = await asyncio.wait_for(proc.communicate(), 10)
    # The log is JSON lines on stdout (stdout is not a terminal here); nothing on stderr.
    lines = [json.loads(line) for line in out.decode().splitlines()]
    assert any(line.get("msg") == "started" and line.get("mode") == "http" for line in lines), out.decode()[-2000:]
    assert any(line.get("msg") == "request" and line.get("kind") == "command" for line in lines)
    assert PRACTITIONER not in out.decode() + err.decode()
    assert "will be unused" not in out.decode() + err.decode()  # Bolt's redundant-token warning
    assert not err.decode().strip(), err.decode()[-2000:]


async def test_socket_mode_is_used_when_an_app_token_is_set(tmp_path, slack):
    from bot import server

    settings = make_settings(tmp_path, slack_api_url=slack.api_url, app_token="xapp-test", port=free_port())
    task = asyncio.create_task(server.serve(settings))
    try:
        await slack.wait_for("apps.connections.open", timeout=10)
    finally:
        task.cancel()
        try:
            await task
        except (asyncio.CancelledError, Exception):
            pass


async def test_socket_mode_healthz_reports_the_socket(tmp_path, slack):
    """Until Slack answers apps.connections.open (held here), /healthz says the socket is
    still connecting. (Connected, reconnecting and refused: tests/app/test_socket_mode.py.)"""
    from bot import server

    port = free_port()
    slack.hold_next("apps.connections.open")
    settings = make_settings(tmp_path, slack_api_url=slack.api_url, app_token="xapp-test", port=port)
    task = asyncio.create_task(server.serve(settings))
    try:
        await slack.wait_for("apps.connections.open", timeout=10)
        async with ClientSession() as s:
            async with s.get(f"http://127.0.0.1:{port}/healthz") as r:
                body = await r.json()
                assert r.status == 503 and body["socket"] == "connecting" and body["database"] == "ok"
    finally:
        task.cancel()
        try:
            await task
        except (asyncio.CancelledError, Exception):
            pass
        slack.release_held_answers()


async def test_a_busy_port_is_one_clear_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = await spawn_app(app_env(tmp_path, "http://127.0.0.1:9/api/", port))
        _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 3
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err.decode(), err.decode()
    assert lines[0].startswith("Cannot start:") and f"port {port}" in lines[0] and "PORT" in lines[0]


async def test_socket_mode_starts_with_only_the_bot_and_app_tokens_and_acks_a_command(tmp_path, slack):
    """No signing secret (nothing arrives over HTTP): the app connects to the Socket Mode
    stand-in, gets `hello`, acks a slash command's envelope by its id and answers it."""
    from bot import server
    from bot.sandbox.socket_mode import SocketModeStandIn

    socket = SocketModeStandIn(app_id=slack.app_id)
    slack.socket_mode_url = await socket.start()
    settings = make_settings(
        tmp_path, slack_api_url=slack.api_url, app_token="xapp-test", signing_secret=None, port=free_port()
    )
    task = asyncio.create_task(server.serve(settings))
    try:
        await socket.connected()
        envelope = await socket.command(slack, PRACTITIONER, GENERAL, "/boundary", "principles")
        ack = await socket.ack(envelope)
        assert ack["envelope_id"] == envelope
        answer = (await slack.wait_for("response_url", timeout=10))[-1].args
        assert answer["response_type"] == "ephemeral" and "principles" in json.dumps(answer).lower()
        assert slack.calls_to("apps.connections.open")[-1].token == "xapp-test"
        # At start it looked at the configured consultation channel (joined when it was not in it).
        await slack.wait_for("conversations.info", where=lambda c: c.args.get("channel") == CONSULT)
        async with ClientSession() as s:
            async with s.get(f"http://127.0.0.1:{settings.port}/healthz") as r:
                assert r.status == 200
        assert not task.done()
    finally:
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        await socket.stop()


class _Requests(logging.Handler):
    """The app's `request` log lines, as they are written (a test waits for them)."""

    def __init__(self):
        super().__init__()
        self.lines: list[dict] = []
        self.new = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage() == "request":
            self.lines.append(dict(getattr(record, "fields", {})))
            self.new.set()

    async def wait(self, count: int, timeout: float) -> list[dict]:
        """The bound only keeps a broken run from hanging the suite (a loaded machine starts slowly)."""

        async def enough():
            while len(self.lines) < count:
                self.new.clear()
                await self.new.wait()
            return self.lines

        return await asyncio.wait_for(enough(), timeout)


async def test_socket_mode_request_lines_carry_the_status_and_the_latency(tmp_path, slack):
    from bot import server
    from bot.sandbox.socket_mode import SocketModeStandIn

    requests = _Requests()
    bot_log = logging.getLogger("bot")
    level = bot_log.level
    bot_log.addHandler(requests)
    bot_log.setLevel(logging.INFO)
    socket = SocketModeStandIn(app_id=slack.app_id)
    slack.socket_mode_url = await socket.start()
    settings = make_settings(
        tmp_path, slack_api_url=slack.api_url, app_token="xapp-test", signing_secret=None, port=free_port()
    )
    task = asyncio.create_task(server.serve(settings))
    try:
        await socket.connected(timeout=60)
        envelope = await socket.command(slack, PRACTITIONER, GENERAL, "/boundary", "principles")
        await socket.ack(envelope, timeout=60)
        # a button nobody listens to: Bolt answers 404 (and the envelope is not acknowledged)
        await socket.send(
            "interactive",
            {
                "type": "block_actions",
                "team": {"id": TEAM},
                "user": {"id": PRACTITIONER},
                "api_app_id": slack.app_id,
                "actions": [{"type": "button", "action_id": "nobody_listens", "block_id": "b", "value": "1"}],
            },
        )
        command, unheard = await requests.wait(2, timeout=60)
    finally:
        bot_log.removeHandler(requests)
        bot_log.setLevel(level)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        await socket.stop()
    assert command["kind"] == "command" and command["name"] == "/boundary" and command["mode"] == "socket"
    assert command["status"] == 200
    assert isinstance(command["latency_ms"], float) and command["latency_ms"] > 0
    assert unheard["kind"] == "block_actions" and unheard["name"] == "nobody_listens" and unheard["status"] == 404
    assert unheard["latency_ms"] > 0


async def test_the_sandbox_prints_its_url_after_the_start_up_jobs_log_lines(tmp_path):
    """A first run: the start-up jobs' log lines (retention, on a new database) come out
    before the banner, so "open http://…" is the last thing on the screen."""
    port = free_port()
    proc = await spawn_app(sandbox_env(tmp_path, port), stderr=asyncio.subprocess.STDOUT)
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        while not lines or "Ctrl-C to stop" not in lines[-1]:
            line = await asyncio.wait_for(proc.stdout.readline(), 120)
            assert line, f"the sandbox exited before its banner: {lines}"
            lines.append(line.decode())
        await wait_healthy(f"http://127.0.0.1:{port}/healthz", proc)
    finally:
        proc.terminate()
        rest, _ = await proc.communicate()
    banner = next(i for i, ln in enumerate(lines) if f"open http://localhost:{port}/" in ln)
    assert any('"retention ran"' in ln for ln in lines[:banner])
    assert '"retention ran"' not in rest.decode()


def sandbox_env(tmp_path, port: int) -> dict[str, str]:
    """`python -m bot` with no Slack tokens: the local sandbox, on its own SQLite file."""
    env = app_env(
        tmp_path,
        "http://127.0.0.1:9/api/",
        port,
        BOUNDARY_SANDBOX_DATABASE_URL=f"sqlite:///{tmp_path / 'sandbox.sqlite3'}",
    )
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL", "DATABASE_URL", "BOUNDARY_SECRET_KEY"):
        env.pop(name, None)
    return env


async def test_a_busy_port_stops_the_sandbox_with_one_clear_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = await spawn_app(sandbox_env(tmp_path, port))
        _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 3
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err.decode(), err.decode()
    assert lines[0].startswith("Cannot start:") and f"port {port}" in lines[0] and "PORT" in lines[0]


async def test_a_bot_token_slack_refuses_stops_the_start_with_one_clear_line(tmp_path, slack):
    """auth.test answers invalid_auth (a token mistyped, revoked, from another app): no call
    could succeed, so the app stops cleanly and says which setting to fix, in one line."""
    slack.valid_tokens = {"xoxb-the-right-one"}
    proc = await spawn_app(app_env(tmp_path, slack.api_url, free_port()))  # SLACK_BOT_TOKEN=xoxb-test
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 3, (out.decode()[-2000:], err.decode()[-2000:])
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err.decode(), err.decode()
    assert lines[0].startswith("Cannot start: Slack refused SLACK_BOT_TOKEN (invalid_auth)")
    logged = [json.loads(line) for line in out.decode().splitlines()]
    assert any(line.get("msg") == "stopped" for line in logged)
    assert not [line for line in logged if line.get("level") in ("error", "critical")], logged


async def test_sslmode_require_against_a_server_without_tls_names_sslmode(tmp_path):
    """The form several hosts hand out, used against a server without TLS: the line says
    to look at sslmode=, not only that the database cannot be reached."""
    from bot import server
    from bot.config import StartupError

    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("TEST_DATABASE_URL not set")
    conn = await asyncpg.connect(base.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        if await conn.fetchval("SHOW ssl") == "on":
            pytest.skip("this PostgreSQL server accepts TLS")
    finally:
        await conn.close()
    url = base.replace("postgresql+asyncpg://", "postgres://").replace("postgresql://", "postgres://")
    settings = make_settings(tmp_path, database_url=url + "?sslmode=require")
    with pytest.raises(StartupError) as raised:
        await server.start_app(settings)
    assert "sslmode= in DATABASE_URL" in str(raised.value) and "?sslmode=require" in str(raised.value)
