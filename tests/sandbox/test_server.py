"""The sandbox server: one port with the app's real routes, the page and its JSON API."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from bot.config import Settings
from bot.sandbox import demo_app
from bot.sandbox.server import Sandbox, sandbox_database_path


@pytest.fixture
async def sandbox(tmp_path, monkeypatch):
    for var in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    settings = Settings(port=0, data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'sandbox.sqlite3'}")
    built = []

    def build(s, client_base_url):
        built.append((s.bot_token, s.signing_secret, client_base_url))
        # stands in for the real app creating its database
        sandbox_database_path(s).write_text("data")
        return demo_app.build_app(s, client_base_url)

    sb = Sandbox(settings, build, host="127.0.0.1", port=0)
    await sb.start()
    sb.built = built
    async with aiohttp.ClientSession(base_url=sb.url) as http:
        sb.http = http
        yield sb
    await sb.stop()


async def post(sb, path, body):
    async with sb.http.post(path, json=body) as resp:
        return resp.status, await resp.json()


async def state(sb, user="U0PRACT"):
    async with sb.http.get(f"/sandbox/state?user={user}") as resp:
        assert resp.status == 200
        return await resp.json()


async def test_configures_the_app_for_the_stand_in(sandbox):
    token, secret, base = sandbox.built[0]
    assert token == "xoxb-sandbox" and len(secret) >= 32 and base == sandbox.slack.api_url
    s = sandbox.settings
    assert s.slack_api_url == sandbox.slack.api_url and s.channels == [{"id": "C0CONSULT", "name": "peer-consult"}]
    assert s.review_channel == "G0REVIEW" and "U0MOD" in s.moderators
    assert sandbox.slack.events_url.endswith("/slack/events")


async def test_page_health_and_real_signed_endpoint(sandbox):
    async with sandbox.http.get("/") as resp:
        assert resp.status == 200 and "Boundary Consult" in await resp.text()
    async with sandbox.http.get("/static/sandbox.js") as resp:
        assert resp.status == 200
    async with sandbox.http.get("/archives/C0CONSULT/p1700000000000100") as resp:
        assert resp.status == 200
    async with sandbox.http.get("/healthz") as resp:
        assert resp.status == 200
    async with sandbox.http.get("/favicon.ico") as resp:  # asked on every page load: no 404 in the log
        assert resp.status == 204
    # /slack/events is the app's own route: an unsigned request is refused
    async with sandbox.http.post("/slack/events", data="command=/demo&text=help") as resp:
        assert resp.status == 401


async def test_state_lists_channels_per_person(sandbox):
    st = await state(sandbox)
    names = [c["name"] for c in st["channels"]]
    assert names == ["general", "peer-consult", "Boundary Consult"]
    assert [p["role"] for p in st["people"]] == ["practitioner", "colleague", "colleague", "moderator"]
    mod = await state(sandbox, "U0MOD")
    assert "consult-review" in [c["name"] for c in mod["channels"]]
    assert mod["channels"][-1]["id"] == "DU0MOD"
    async with sandbox.http.get("/sandbox/state?user=U0BOT") as resp:
        assert resp.status == 400


async def test_command_click_modal_submit(sandbox):
    status, res = await post(
        sandbox, "/sandbox/message", {"user": "U0PRACT", "channel": "C0CONSULT", "text": "/demo help"}
    )
    assert status == 200 and res["ok"]
    st = await state(sandbox)
    eph = st["ephemerals"][0]
    status, res = await post(
        sandbox, "/sandbox/click", {"user": "U0PRACT", "kind": "ephemeral", "ts": eph["ts"], "action_id": "open_form"}
    )
    assert res["ok"], res
    (view,) = (await state(sandbox))["views"]
    status, res = await post(sandbox, "/sandbox/submit", {"user": "U0PRACT", "view_id": view["id"], "values": {}})
    assert status == 422 and set(res["errors"]) == {"situation", "relation"}
    status, res = await post(
        sandbox,
        "/sandbox/submit",
        {
            "user": "U0PRACT",
            "view_id": view["id"],
            "values": {"situation": {"text": "Mr Smith"}, "relation": {"pick": "current"}},
        },
    )
    assert status == 200 and res["errors"] == {"situation": "Please remove names."}
    status, res = await post(
        sandbox,
        "/sandbox/submit",
        {
            "user": "U0PRACT",
            "view_id": view["id"],
            "values": {
                "situation": {"text": "the client"},
                "relation": {"pick": "current"},
                "principles": {"keys": ["power", "confidentiality"]},
            },
        },
    )
    assert res["ok"] and res["errors"] == {}
    st = await state(sandbox)
    assert st["views"] == []
    post_msg = [m for m in st["messages"]["C0CONSULT"]][0]
    assert "power, confidentiality" in str(post_msg["blocks"])
    # a colleague clicks the post's button; a thread reply appears
    status, res = await post(
        sandbox,
        "/sandbox/click",
        {"user": "U0COLL1", "kind": "message", "channel": "C0CONSULT", "ts": post_msg["ts"], "action_id": "thanks"},
    )
    assert res["ok"]
    st = await state(sandbox, "U0COLL1")
    assert [m["text"] for m in st["messages"]["C0CONSULT"]][-1] == "You're welcome"
    # a thread reply typed by a person
    status, res = await post(
        sandbox,
        "/sandbox/message",
        {"user": "U0COLL2", "channel": "C0CONSULT", "text": "/not a command in a thread", "thread_ts": post_msg["ts"]},
    )
    assert res["ok"]
    assert sandbox.slack.replies("C0CONSULT", post_msg["ts"])[-1]["text"].startswith("/not a command")


async def test_dm_echo_home_and_close(sandbox):
    status, res = await post(sandbox, "/sandbox/message", {"user": "U0PRACT", "channel": "DU0PRACT", "text": "hello"})
    assert res["ok"]
    await sandbox.slack.drain()
    assert [m["text"] for m in (await state(sandbox))["messages"]["DU0PRACT"]] == ["hello", "echo: hello"]
    status, res = await post(sandbox, "/sandbox/home", {"user": "U0PRACT"})
    assert res["ok"] and (await state(sandbox))["home"]["blocks"][0]["text"]["text"] == "Welcome home"
    status, res = await post(sandbox, "/sandbox/message", {"user": "U0PRACT", "channel": "C0CONSULT", "text": "  "})
    assert status == 400
    status, res = await post(
        sandbox,
        "/sandbox/click",
        {"user": "U0PRACT", "kind": "message", "channel": "C0CONSULT", "ts": "1.2", "action_id": "x"},
    )
    assert status == 409


async def test_events_stream_announces_changes(sandbox):
    async with sandbox.http.get("/sandbox/events") as resp:
        first = await asyncio.wait_for(resp.content.readuntil(b"\n\n"), 2)
        assert b"event: hello" in first
        await post(sandbox, "/sandbox/message", {"user": "U0PRACT", "channel": "C0CONSULT", "text": "hi all"})
        change = await asyncio.wait_for(resp.content.readuntil(b"\n\n"), 2)
        assert b"event: change" in change


async def test_reset_deletes_database_and_restarts(sandbox):
    db = sandbox_database_path(sandbox.settings)
    await post(sandbox, "/sandbox/message", {"user": "U0PRACT", "channel": "C0CONSULT", "text": "before reset"})
    assert db.exists() and sandbox.slack.messages("C0CONSULT")
    epoch = sandbox.epoch
    deleted = []
    original_build = sandbox.build_app

    def build(s, base):
        deleted.append(not db.exists())
        return original_build(s, base)

    sandbox.build_app = build
    status, res = await post(sandbox, "/sandbox/reset", {})
    assert status == 202 and res["restarting"]
    for _ in range(100):
        if sandbox.epoch > epoch:
            break
        await asyncio.sleep(0.05)
    assert sandbox.epoch == epoch + 1 and deleted == [True]
    assert sandbox.slack.messages("C0CONSULT") == []
    st = await state(sandbox)
    assert st["epoch"] == epoch + 1
    status, res = await post(
        sandbox, "/sandbox/message", {"user": "U0PRACT", "channel": "C0CONSULT", "text": "/demo help"}
    )
    assert res["ok"]  # the rebuilt app answers, with the same signing secret


async def test_reset_refuses_other_databases(sandbox, tmp_path):
    sandbox.settings.database_url = f"sqlite:///{tmp_path / 'boundary.sqlite3'}"
    status, res = await post(sandbox, "/sandbox/reset", {})
    assert status == 409
    sandbox.settings.database_url = "postgresql://db/prod"
    status, res = await post(sandbox, "/sandbox/reset", {})
    assert status == 409


async def test_reset_with_the_real_app(tmp_path, monkeypatch):
    """The real app in the sandbox: a consult channel works, reset drops its database and it starts afresh."""
    try:
        from bot.server import sandbox_web_app
    except ImportError:  # pragma: no cover - until the app lands
        pytest.skip("bot.server.sandbox_web_app is not available")
    for var in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "DATABASE_URL", "BOUNDARY_SECRET_KEY"):
        monkeypatch.delenv(var, raising=False)
    settings = Settings(port=0, data_dir=tmp_path, secret_key="k" * 48)
    sb = Sandbox(settings, sandbox_web_app, host="127.0.0.1", port=0)
    await sb.start()
    try:
        db = sandbox_database_path(settings)
        assert db == tmp_path / "sandbox.sqlite3" and db.exists()
        assert settings.relay_batch_seconds <= 5
        d = await sb.slack.send_command("U0PRACT", "C0GENERAL", "/boundary", "help")
        # The sandbox acks first and answers on the response URL after, as Slack apps do.
        await sb.slack.wait_for("response_url")
        assert d.status == 200 and "Start an anonymous consult" in str(sb.slack.ephemerals("U0PRACT"))
        await sb.reset()
        assert db.exists() and sb.slack.ephemerals("U0PRACT") == []
        d = await sb.slack.send_command("U0PRACT", "C0GENERAL", "/boundary", "consult")
        assert d.status == 200
        await sb.slack.wait_for("chat.postMessage", where=lambda c: c.args.get("channel") == "DU0PRACT")
        assert "Who can learn what" in str(sb.slack.messages("DU0PRACT"))
    finally:
        await sb.stop()


async def test_the_page_gets_what_its_autocomplete_offers(sandbox):
    st = await state(sandbox, "U0PRACT")
    assert all(c["escape"] for c in st["commands"])  # both commands have should_escape in the manifest
    assert {c["name"] for c in st["mentions"]["channels"]} == {"general", "peer-consult"}
    assert "alex" in {u["name"] for u in st["mentions"]["users"]}
    assert "consult-review" in {c["name"] for c in (await state(sandbox, "U0MOD"))["mentions"]["channels"]}
    async with sandbox.http.get("/static/sandbox.js") as resp:
        assert "mention-list" in await resp.text()


async def test_where_localhost_has_no_ipv6_the_sandbox_listens_on_the_ipv4_loopback(tmp_path, monkeypatch):
    """Many containers have IPv6 off: "localhost" names ::1 too, which cannot be bound
    there. The sandbox then listens on 127.0.0.1 (still local only) instead of failing."""
    import errno

    from aiohttp import web

    for var in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    real_start = web.TCPSite.start
    tried: list[str] = []

    async def start_without_ipv6(site):
        tried.append(site._host)
        if site._host == "localhost":
            raise OSError(errno.EADDRNOTAVAIL, "Cannot assign requested address")
        await real_start(site)

    monkeypatch.setattr(web.TCPSite, "start", start_without_ipv6)
    settings = Settings(port=0, data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'sandbox.sqlite3'}")
    sb = Sandbox(settings, lambda s, base: demo_app.build_app(s, base), port=0)
    url = await sb.start()
    try:
        # (the stand-in for Slack listens on 127.0.0.1 first, on its own port)
        assert tried.count("localhost") == 1 and tried[tried.index("localhost") + 1] == "127.0.0.1"
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{sb.port}/healthz") as r:
                assert r.status == 200
        assert url == f"http://localhost:{sb.port}/"
    finally:
        await sb.stop()
