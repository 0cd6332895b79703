"""Socket Mode end to end: the real app (`server.serve`, only the bot and app tokens)
against a local stand-in for Slack's WebSocket end (bot/sandbox/socket_mode.py).

Everything the Web API stand-in would POST to the app travels as envelopes: a command,
clicks, a modal submission, events. Each envelope must be acknowledged by its
`envelope_id`, with the payload Slack expects in the ack (a modal's `response_action`).
The connection's life is Slack's: a drop, `disconnect` messages, a token revoked."""

from __future__ import annotations

import asyncio
import json
import logging
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import ClientSession

from bot import server
from bot.sandbox.socket_mode import SocketModeStandIn
from tests.app.processes import app_env, free_port, spawn_app
from tests.app.test_consult_flow import flat, step_prompt
from tests.conftest import GENERAL, PRACTITIONER, make_settings

APP_TOKEN = "xapp-test"


class Log(logging.Handler):
    """Every log record the process writes (at INFO for the app's own loggers), as it is written."""

    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.new = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.new.set()

    def lines(self, msg: str) -> list[dict]:
        return [dict(getattr(r, "fields", {})) for r in self.records if r.getMessage() == msg]

    async def wait(self, msg: str, count: int = 1, timeout: float = 60.0) -> list[dict]:
        """Until `count` lines say `msg` (the bound only keeps a broken run from hanging)."""

        async def enough() -> list[dict]:
            while len(self.lines(msg)) < count:
                self.new.clear()
                await self.new.wait()
            return self.lines(msg)

        return await asyncio.wait_for(enough(), timeout)


@dataclass
class Running:
    socket: SocketModeStandIn
    log: Log
    port: int
    task: asyncio.Task

    async def health(self) -> tuple[int, dict]:
        async with ClientSession() as s:
            async with s.get(f"http://127.0.0.1:{self.port}/healthz") as r:
                return r.status, await r.json()


@asynccontextmanager
async def socket_mode_app(tmp_path, slack):
    log = Log()
    root, bot_log = logging.getLogger(), logging.getLogger("bot")
    level = bot_log.level
    root.addHandler(log)
    bot_log.setLevel(logging.INFO)
    socket = SocketModeStandIn(app_id=slack.app_id)
    slack.socket_mode_url = await socket.start()
    slack.socket_mode = socket  # what the stand-in sends the app goes over the socket
    port = free_port()
    settings = make_settings(tmp_path, slack_api_url=slack.api_url, app_token=APP_TOKEN, signing_secret=None, port=port)
    task = asyncio.create_task(server.serve(settings))
    try:
        await log.wait("socket connected")
        yield Running(socket, log, port, task)
    finally:
        root.removeHandler(log)
        bot_log.setLevel(level)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        slack.socket_mode = None
        await socket.stop()


async def served(app: Running, slack) -> None:
    """A `/boundary principles` over the current connection is acked and answered."""
    before = len(slack.calls_to("response_url"))
    delivery = await slack.send_command(PRACTITIONER, GENERAL, "/boundary", "principles")
    assert delivery.status == 200, delivery
    assert app.socket.envelopes[-1].connection == app.socket.connections
    answer = (await slack.wait_for("response_url", count=before + 1, timeout=30))[-1].args
    assert "principles" in json.dumps(answer).lower()


async def asked(slack, words: str) -> None:
    """Until the DM's newest message is the intake step that says `words`."""
    dm = slack.dm_channel(PRACTITIONER)
    await slack.wait_for("chat.postMessage", where=lambda c: c.ok and words in flat(c.args), timeout=30)
    assert words in step_prompt(slack.messages(dm)[-1])


async def test_envelopes_of_every_kind_are_acked_by_id_and_served(tmp_path, slack):
    async with socket_mode_app(tmp_path, slack) as app:
        status, body = await app.health()
        assert status == 200 and body["socket"] == "connected"

        # a slash command: acked with its reply (Slack shows it), the intake starts in the DM
        d = await slack.send_command(PRACTITIONER, GENERAL, "/boundary", "consult")
        assert d.status == 200 and "direct message" in d.response_text
        await asked(slack, "Who is the person")
        # an action (block_actions): a button in that DM
        d = await slack.click(PRACTITIONER, slack.messages(slack.dm_channel(PRACTITIONER))[-1], "intake_choice:1")
        assert d.status == 200
        await asked(slack, "setting")
        # an event (message.im): the practitioner's answer, typed in the DM
        _, d = await slack.send_user_message(PRACTITIONER, slack.dm_channel(PRACTITIONER), "skip")
        assert d is not None and d.status == 200
        await asked(slack, "Describe the situation")
        # a view submission answered with response_action errors, in the ack's payload
        d = await slack.click(PRACTITIONER, slack.messages(slack.dm_channel(PRACTITIONER))[-1], "intake_form")
        assert d.status == 200
        await slack.wait_for("views.open", timeout=30)
        view = slack.views(PRACTITIONER)[-1]
        d = await slack.submit_view(PRACTITIONER, view["id"], {"answer": {"value": "  "}}, enforce_required=False)
        assert d.status == 200 and d.response_json and d.response_json["response_action"] == "errors"
        assert slack.view_errors(view["id"])  # the modal shows them, as Slack would
        # an event (app_home_opened): the Home tab is published
        d = await slack.open_home(PRACTITIONER)
        assert d is not None and d.status == 200
        await slack.wait_for("views.publish", where=lambda c: c.args.get("user_id") == PRACTITIONER, timeout=30)

        kinds = [e.type for e in app.socket.envelopes]
        assert {"slash_commands", "interactive", "events_api"} <= set(kinds), kinds
        for envelope in app.socket.envelopes:
            assert envelope.ack is not None and envelope.ack["envelope_id"] == envelope.envelope_id, envelope
        command, submission = (
            next(e for e in app.socket.envelopes if e.type == "slash_commands"),
            next(e for e in app.socket.envelopes if e.payload.get("type") == "view_submission"),
        )
        assert command.ack is not None and "direct message" in json.dumps(command.ack.get("payload"))
        assert submission.ack is not None and submission.ack["payload"]["response_action"] == "errors"
        assert submission.ack["payload"]["errors"]
        events = [e for e in app.socket.envelopes if e.type == "events_api"]
        assert {e.payload["event"]["type"] for e in events} >= {"message", "app_home_opened"}

        # Each envelope is a request line with its status and latency, as over HTTP.
        lines = await app.log.wait("request", count=len(app.socket.envelopes), timeout=30)
        assert {line["kind"] for line in lines} >= {"command", "block_actions", "view_submission", "event"}
        for line in lines:
            assert line["mode"] == "socket" and line["status"] == 200, line
            assert isinstance(line["latency_ms"], float) and line["latency_ms"] > 0, line


async def test_a_drop_and_disconnect_messages_are_each_followed_by_a_new_connection(tmp_path, slack):
    async with socket_mode_app(tmp_path, slack) as app:
        await served(app, slack)
        opened = len(slack.calls_to("apps.connections.open"))

        # The connection drops (no close frame). While the app waits for a new URL, it says so.
        slack.hold_next("apps.connections.open")
        app.socket.drop()
        await slack.wait_for("apps.connections.open", count=opened + 1, timeout=60)
        status, body = await app.health()
        assert status == 503 and body["socket"] == "reconnecting", body
        slack.release_held_answers()
        await app.log.wait("socket connected", count=2)
        assert app.socket.connections == 2
        status, body = await app.health()
        assert status == 200 and body["socket"] == "connected"
        await served(app, slack)

        # Slack's `disconnect` message: a new URL, a new connection with its hello.
        for count, reason in enumerate(("refresh_requested", "warning"), start=3):
            await app.socket.disconnect(reason)
            await app.log.wait("socket connected", count=count)
            assert app.socket.connections == count
            assert len(slack.calls_to("apps.connections.open")) == opened + count - 1
            await served(app, slack)

        reasons = [line["reason"] for line in app.log.lines("socket reconnecting")]
        assert reasons == ["connection lost", "disconnect: refresh_requested", "disconnect: warning"]
        assert not app.task.done()


async def test_a_revoked_app_token_is_one_log_line_and_an_unhealthy_process(tmp_path, slack):
    async with socket_mode_app(tmp_path, slack) as app:
        await served(app, slack)
        errors_before = [r for r in app.log.records if r.levelno >= logging.ERROR]
        slack.revoked_tokens.add(APP_TOKEN)
        await app.socket.disconnect("refresh_requested")
        [line] = await app.log.wait("socket closed for good")
        assert line["error"] == "invalid_auth" and "SLACK_APP_TOKEN" in line["reason"]
        status, body = await app.health()
        assert status == 503 and body["socket"] == "disconnected" and "SLACK_APP_TOKEN" in body["reason"]
        assert body["database"] == "ok"
        # One line at ERROR, no traceback: no other logger (slack-sdk's retries) said more.
        errors = [r for r in app.log.records if r.levelno >= logging.ERROR and r not in errors_before]
        assert [r.getMessage() for r in errors] == ["socket closed for good"]
        assert all(r.exc_info is None for r in errors)
        # The refused URL was asked for once; the app does not go on asking.
        refused = [c for c in slack.calls_to("apps.connections.open") if c.response.get("error") == "invalid_auth"]
        assert len(refused) == 1
        status, body = await app.health()
        assert status == 503 and body["socket"] == "disconnected"
        assert not app.task.done()  # still up (its worker too), saying why it is unhealthy


async def test_an_app_token_refused_at_start_is_one_clear_line(tmp_path, slack):
    slack.revoked_tokens.add("xapp-revoked")
    env = app_env(tmp_path, slack.api_url, free_port(), SLACK_APP_TOKEN="xapp-revoked")
    env.pop("SLACK_SIGNING_SECRET")
    proc = await spawn_app(env)
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 3, (out.decode()[-2000:], err.decode()[-2000:])
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err.decode(), err.decode()
    assert lines[0].startswith("Cannot start:") and "SLACK_APP_TOKEN" in lines[0] and "invalid_auth" in lines[0]
    assert len(slack.calls_to("apps.connections.open")) == 1
    logged = [json.loads(line) for line in out.decode().splitlines()]
    assert not [line for line in logged if line.get("level") in ("error", "critical")], logged
