from __future__ import annotations

import pytest
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.demo_app import build_bolt
from bot.sandbox.web_api import SlackStandIn

SECRET = "test-signing-secret"


@pytest.fixture
async def slack():
    stand_in = SlackStandIn()
    await stand_in.start()
    yield stand_in
    await stand_in.stop()


@pytest.fixture
def client(slack) -> AsyncWebClient:
    return AsyncWebClient(token="xoxb-test", base_url=slack.api_url)


@pytest.fixture
async def tiny(slack, monkeypatch):
    """The tiny Bolt app served over real HTTP; the stand-in sends it signed requests."""
    for var in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    bolt = build_bolt(SECRET, slack.api_url, "xoxb-test")
    runner = web.AppRunner(bolt.web_app(path="/slack/events"), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    slack.events_url = f"http://127.0.0.1:{port}/slack/events"
    slack.signing_secret = SECRET
    yield bolt
    await slack.drain()
    await runner.cleanup()
