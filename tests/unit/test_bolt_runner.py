"""bot.bolt_runner: the ack goes back as soon as the listener gives it, not at Bolt's next poll;
what goes back is what Bolt would have sent."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.listener import asyncio_runner
from slack_bolt.request.async_request import AsyncBoltRequest

from bot import bolt_runner


def command_request(text: str) -> AsyncBoltRequest:
    body = urlencode(
        {
            "command": "/boundary",
            "text": text,
            "team_id": "T1",
            "user_id": "U1",
            "channel_id": "C1",
            "response_url": "http://127.0.0.1:9/r",
            "trigger_id": "t.1",
        }
    )
    return AsyncBoltRequest(body=body, headers={"content-type": ["application/x-www-form-urlencoded"]})


def bare_app() -> AsyncApp:
    async def authorize(enterprise_id, team_id, user_id):  # no auth.test: nothing leaves the process
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token="xoxb-test", bot_user_id="UB")

    app = AsyncApp(signing_secret="s", request_verification_enabled=False, authorize=authorize)
    bolt_runner.install(app)
    return app


@pytest.fixture
def bolt_poll_never_wakes(monkeypatch):
    """Bolt's polling loop sleeps on this instead of asyncio.sleep: with the stock runner no
    ack could get out until it is released, so an answer that does get out did not wait for it."""
    gate = asyncio.Event()
    polls: list[float] = []

    async def sleep(delay: float) -> None:
        polls.append(delay)
        await gate.wait()

    # Bolt's module gets its own asyncio whose sleep is this one; everything else keeps the real one.
    monkeypatch.setattr(asyncio_runner, "asyncio", SimpleNamespace(**{**vars(asyncio), "sleep": sleep}))
    yield polls
    gate.set()


async def test_ack_returns_while_bolts_poll_is_still_asleep(bolt_poll_never_wakes):
    app = bare_app()
    listener_may_finish = asyncio.Event()
    finished = []

    @app.command("/boundary")
    async def boundary(ack, command):
        await ack(response_type="ephemeral", text=f"got {command['text']}")
        await listener_may_finish.wait()  # still working after the ack, as ours do
        finished.append(True)

    # wait_for only keeps a regression from hanging the suite; nothing is timed.
    response = await asyncio.wait_for(app.async_dispatch(command_request("hello")), 10)
    assert response.status == 200
    assert response.body == '{"text": "got hello", "response_type": "ephemeral"}'
    assert bolt_poll_never_wakes == [0.01]  # Bolt's loop did start polling; we did not wait for it
    assert finished == []
    listener_may_finish.set()
    await asyncio.sleep(0)
    assert finished == [True]


async def test_a_listener_that_fails_before_acking_gets_bolts_500(bolt_poll_never_wakes):
    app = bare_app()
    seen = []

    @app.error
    async def on_error(error):
        seen.append(type(error).__name__)

    @app.command("/boundary")
    async def boundary(ack):
        raise ValueError("no")

    response = await asyncio.wait_for(app.async_dispatch(command_request("x")), 10)
    assert response.status == 500
    assert seen == ["ValueError"]


async def test_events_are_still_acked_by_bolt_itself():
    app = bare_app()
    got = []

    @app.event("app_mention")
    async def mention(event):
        got.append(event["text"])

    body = (
        '{"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": "Ev1", "event_time": 1,'
        ' "event": {"type": "app_mention", "user": "U1", "text": "hi", "channel": "C1", "ts": "1.0"}}'
    )
    response = await app.async_dispatch(AsyncBoltRequest(body=body, headers={"content-type": ["application/json"]}))
    assert response.status == 200
    for _ in range(5):
        await asyncio.sleep(0)
    assert got == ["hi"]


async def test_the_app_uses_it():
    from slack_sdk.web.async_client import AsyncWebClient

    from bot.app import create_app

    class Services:
        pass

    app = create_app(Services(), AsyncWebClient(token="xoxb-test"), signing_secret="s")
    assert isinstance(app.listener_runner, bolt_runner.PromptAckRunner)
