"""SIGTERM (a deploy, a scale-down): the real process stops taking requests, finishes
what it acknowledged, closes the database and exits 0 within its bound."""

from __future__ import annotations

import asyncio
import json
import signal

import pytest

from tests.app.processes import SECRET, app_env, ask_principles, free_port, spawn_app, wait_healthy
from tests.conftest import GENERAL, PRACTITIONER


class App:
    """`python -m bot` in HTTP mode against the fake Slack, its JSON log read as it comes."""

    def __init__(self, proc, port: int):
        self.proc, self.port = proc, port
        self.lines: list[dict] = []
        self.stderr = ""
        self._reader = asyncio.create_task(self._read())
        self._new_line = asyncio.Event()

    @classmethod
    async def start(cls, tmp_path, slack, **env_overrides: str) -> App:
        port = free_port()
        proc = await spawn_app(app_env(tmp_path, slack.api_url, port, LOG_FORMAT="json", **env_overrides))
        app = cls(proc, port)
        # (in Socket Mode /healthz answers 200 once the socket is connected)
        await wait_healthy(f"http://127.0.0.1:{port}/healthz", proc)
        slack.events_url = f"http://127.0.0.1:{port}/slack/events"
        slack.signing_secret = SECRET
        return app

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        async for raw in self.proc.stdout:
            try:
                self.lines.append(json.loads(raw))
            except ValueError:
                self.lines.append({"msg": raw.decode(errors="replace")})
            self._new_line.set()
        self._new_line.set()

    async def log_line(self, msg: str, timeout: float = 60) -> dict:
        """Waits for the log line `msg` (the bound only keeps a broken stop from hanging the suite)."""

        async def seen() -> dict:
            while True:
                for line in self.lines:
                    if line.get("msg") == msg:
                        return line
                if self._reader.done():
                    raise AssertionError(f"the app ended without logging {msg!r}: {self.lines[-10:]}")
                self._new_line.clear()
                await self._new_line.wait()

        return await asyncio.wait_for(seen(), timeout)

    async def exit_code(self, timeout: float = 60) -> int:
        code = await asyncio.wait_for(self.proc.wait(), timeout)
        await self._reader
        assert self.proc.stderr is not None
        self.stderr = (await self.proc.stderr.read()).decode(errors="replace")
        return code

    async def terminate_with_one_under_way(self, slack) -> int:
        """SIGTERM while one acknowledged piece of work waits on Slack; Slack then answers; the exit code."""
        self.proc.send_signal(signal.SIGTERM)
        assert (await self.log_line("stopping"))["count"] == 1
        slack.release_held_answers()
        return await self.exit_code()

    async def kill(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
        await self._reader


async def refuses_connections(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return True
    writer.close()
    return False


async def test_sigterm_mid_answer_delivers_it_and_exits_0(tmp_path, slack):
    app = await App.start(tmp_path, slack)
    try:
        slack.hold_next("response_url")  # Slack is slow to take the answer
        # acknowledged: Slack will not send it again
        assert await ask_principles(app.port, slack.response_url("slow", user=PRACTITIONER, channel=GENERAL)) == 200
        held = (await slack.wait_for("response_url", timeout=60))[-1]
        assert held.response is None  # on its way, not yet taken

        app.proc.send_signal(signal.SIGTERM)
        stopping = await app.log_line("stopping")
        assert stopping["count"] == 1  # the answer under way
        assert await refuses_connections(app.port)  # no new requests once stopping

        slack.release_held_answers()
        assert await app.exit_code() == 0
    finally:
        slack.release_held_answers()
        await app.kill()
    assert held.response == {"ok": True}
    answer = slack.ephemerals(PRACTITIONER)[-1]
    assert "principles" in json.dumps(answer).lower()
    messages = [line.get("msg") for line in app.lines]
    assert "stopped" in messages and "stopped before all acknowledged work finished" not in messages
    assert messages.index("stopping") < messages.index("stopped")
    assert not app.stderr.strip(), app.stderr[-2000:]
    assert [
        line for line in app.lines if line.get("level") == "error"
    ] == []  # no traceback, no warning outside the log


async def test_sigterm_mid_dm_step_sends_the_reply_and_exits_0(tmp_path, slack):
    app = await App.start(tmp_path, slack)
    try:
        slack.hold_next("chat.postMessage")
        _, delivery = await slack.send_user_message(PRACTITIONER, slack.dm_channel(PRACTITIONER), "hello")
        assert delivery is not None and delivery.status == 200
        held = (await slack.wait_for("chat.postMessage", timeout=60))[-1]
        assert await app.terminate_with_one_under_way(slack) == 0
    finally:
        slack.release_held_answers()
        await app.kill()
    assert held.ok
    assert slack.messages(slack.dm_channel(PRACTITIONER))[-1]["user"] == slack.bot_user_id


@pytest.mark.parametrize("limit", ["1"])
async def test_work_that_outlasts_the_bound_is_reported_and_the_process_still_exits_0(tmp_path, slack, limit):
    app = await App.start(tmp_path, slack, SHUTDOWN_SECONDS=limit)
    try:
        slack.hold_next("response_url")  # never released while the app runs
        assert await ask_principles(app.port, slack.response_url("stuck", user=PRACTITIONER)) == 200
        await slack.wait_for("response_url", timeout=60)
        app.proc.send_signal(signal.SIGTERM)
        assert await app.exit_code() == 0
    finally:
        slack.release_held_answers()
        await app.kill()
    late = [line for line in app.lines if line.get("msg") == "stopped before all acknowledged work finished"]
    assert late and late[0]["count"] == 1 and late[0]["level"] == "warning"
    assert app.lines[-1]["msg"] == "stopped"


async def test_sigterm_in_socket_mode_closes_the_socket_and_delivers_the_answer(tmp_path, slack):
    from bot.sandbox.socket_mode import SocketModeStandIn

    socket = SocketModeStandIn(app_id=slack.app_id)
    slack.socket_mode_url = await socket.start()
    app = await App.start(tmp_path, slack, SLACK_APP_TOKEN="xapp-test", SLACK_SIGNING_SECRET="")
    try:
        slack.hold_next("response_url")
        envelope = await socket.command(slack, PRACTITIONER, GENERAL, "/boundary", "principles")
        assert (await socket.ack(envelope, timeout=60))["envelope_id"] == envelope
        held = (await slack.wait_for("response_url", timeout=60))[-1]
        assert await app.terminate_with_one_under_way(slack) == 0
    finally:
        slack.release_held_answers()
        await app.kill()
        await socket.stop()
    assert held.response == {"ok": True}
    assert "principles" in json.dumps(slack.ephemerals(PRACTITIONER)[-1]).lower()
    assert "stopped" in [line.get("msg") for line in app.lines]
    assert not app.stderr.strip(), app.stderr[-2000:]
    assert [line for line in app.lines if line.get("level") == "error"] == []
