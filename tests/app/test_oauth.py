"""Installed in several workspaces (OAuth): the install as a browser and Slack run it
(/slack/install → Slack's authorize page → /slack/oauth_redirect → oauth.v2.access on
the fake), then signed requests from two workspaces that never see each other's
channels, moderators, posts or settings; an org-wide install on Enterprise Grid; and an
uninstall that purges that workspace only."""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from pathlib import Path

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot import server
from bot.app import build_web_app, create_app
from bot.gateway import Team
from bot.sandbox.web_api import SlackWorkspaces
from bot.services import build_services
from bot.storage import models as m
from bot.worker import Worker
from tests.app.test_moderation import NOT_MODERATOR, admin, consult
from tests.conftest import COLLEAGUE, CONSULT, GENERAL, MODERATOR, PRACTITIONER, SECRET, Bot, make_settings

A, B = "T0ALPHA", "T0BRAVO"
ORG, ORG1, ORG2 = "E0ORG", "T0ORGONE", "T0ORGTWO"
NOT_INSTALLED = "isn't installed in this workspace"


def flat(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)


@asynccontextmanager
async def oauth_app(tmp_path: Path, fake: SlackWorkspaces, **overrides):
    """The real app in OAuth mode (no bot token), its Web API client on the fake; one
    Bot per workspace of the fake, all on the same app."""
    await fake.start()
    settings = make_settings(
        tmp_path,
        **{
            "slack_api_url": fake.api_url,
            "bot_token": None,
            "client_id": fake.client_id,
            "client_secret": fake.client_secret,
            "channels": [],
            **overrides,
        },
    )
    services = await build_services(settings)
    app = create_app(services, services.client, signing_secret=SECRET, process_before_response=True)
    server = TestServer(build_web_app(app, SECRET, store=services.store), host="127.0.0.1")
    await server.start_server()
    fake.redirect_urls = [str(server.make_url("/slack/oauth_redirect"))]
    fake.connect(str(server.make_url("/slack/events")), SECRET)
    worker = Worker(services)
    bots = {team: Bot(ws, services, worker, server, settings) for team, ws in fake.workspaces.items()}
    try:
        yield bots
    finally:
        await server.close()
        await services.close()
        await fake.stop()


def record_files(bot: Bot) -> list[dict]:
    return [bot.slack.file(f["id"]) for msg in bot.dms(PRACTITIONER) for f in msg.get("files", [])]


async def install(bot: Bot, team: str) -> tuple[int, str]:
    """What an admin's browser does: /slack/install (the state in a cookie) → Slack's
    page, approved → back to /slack/oauth_redirect with a code. The final page."""
    async with ClientSession() as http:
        start = await http.get(bot.server.make_url("/slack/install").with_query(team=team), allow_redirects=False)
        assert start.status == 302, await start.text()
        cookie = start.headers["Set-Cookie"].split(";")[0]
        assert cookie.startswith("slack-app-oauth-state=")
        slack = await http.get(start.headers["Location"], allow_redirects=False)
        assert slack.status == 302, await slack.text()
        back = slack.headers["Location"]
        assert back.startswith(str(bot.server.make_url("/slack/oauth_redirect"))) and "code=" in back
        done = await http.get(back, headers={"Cookie": cookie}, allow_redirects=False)
        return done.status, await done.text()


async def rows(bot: Bot, model, **where) -> list:
    async with bot.services.store.engine.connect() as conn:
        query = select(model.__table__)
        for key, value in where.items():
            query = query.where(getattr(model.__table__.c, key) == value)
        return list((await conn.execute(query)).mappings())


async def installations(bot: Bot) -> list[dict]:
    table = bot.services.installations.store.bots
    async with bot.services.store.engine.connect() as conn:
        return [dict(r) for r in (await conn.execute(select(table))).mappings()]


def tokens_used(bot: Bot) -> set[str | None]:
    return {c.token for c in bot.slack.calls if c.method != "response_url"}


def moderators_line(status: str) -> str:
    return next(line for line in status.splitlines() if "Moderators" in line)


def two_workspaces() -> SlackWorkspaces:
    fake = SlackWorkspaces()
    # The same people and channel IDs in both: anything keyed by a user or a channel
    # alone, not by its workspace, would show up in the other.
    fake.add(A, team_name="Alpha Clinic", team_domain="alpha")
    fake.add(B, team_name="Bravo <Practice> & Co", team_domain="bravo")
    return fake


async def test_two_workspaces_installed_never_see_each_others_data(tmp_path):
    fake = two_workspaces()
    async with oauth_app(tmp_path, fake) as bots:
        a, b = bots[A], bots[B]
        # Before the install the app answers nothing but "not installed".
        before = await a.command(PRACTITIONER, "help")
        assert before.status == 200
        assert NOT_INSTALLED in a.slack.calls_to("response_url")[-1].args["text"]

        status, page = await install(a, A)
        assert status == 200 and "<p>Boundary Consult is now installed in Alpha Clinic.</p>" in page
        status, page = await install(b, B)
        assert status == 200 and "installed in Bravo &lt;Practice&gt; &amp; Co." in page  # a name is anyone's
        exchanged = [c for c in fake.calls if c.method == "oauth.v2.access"]
        assert [(c.args["code"].split(".")[0], c.response["ok"]) for c in exchanged] == [(A, True), (B, True)]
        stored = await installations(a)
        assert {r["team_id"] for r in stored} == {A, B}
        assert all(r["bot_token"].startswith(f"xoxb-{r['team_id']}-") for r in stored)

        # Alpha: a consultation channel and a post; Bravo: another moderator and approval.
        assert "is now a consultation channel" in await admin(a, MODERATOR, f"channel add <#{CONSULT}|peer-consult>")
        assert "is now a moderator" in await admin(b, MODERATOR, f"moderators add <@{COLLEAGUE}>")
        assert "Pre-approval is on" in await admin(b, MODERATOR, "approval on")
        posted = await consult(a)
        assert "posted" in flat(posted).lower(), flat(posted)[:400]
        assert len(a.slack.messages(CONSULT)) == 1
        assert b.slack.messages(CONSULT) == []

        # Each workspace's status shows its own channels, moderators and approval only.
        status_a = await admin(a, MODERATOR, "status")
        status_b = await admin(b, MODERATOR, "status")
        assert f"<#{CONSULT}>" in status_a and f"<#{CONSULT}>" not in status_b
        assert "*Pre-approval:* off" in status_a and "*Pre-approval:* on" in status_b
        assert "1 set in Slack" in moderators_line(status_b) and "0 set in Slack" in moderators_line(status_a)
        # A moderator in Bravo is nobody in Alpha.
        assert NOT_MODERATOR in await admin(a, COLLEAGUE, "status")
        assert NOT_MODERATOR not in await admin(b, COLLEAGUE, "status")
        # Bravo's practitioner (same user ID) has no posts; Alpha's has one.
        await b.command(PRACTITIONER, "mine")
        await a.command(PRACTITIONER, "mine")
        mine_b = b.slack.calls_to("response_url")[-1].args
        mine_a = a.slack.calls_to("response_url")[-1].args
        assert "#1" not in flat(mine_b) and "#1" in flat(mine_a)
        # The record's file goes up through the workspace that issued its upload URL.
        await a.slack.click(PRACTITIONER, a.slack.ephemerals(PRACTITIONER)[-1], "post_record", "1")
        assert [f["name"][:29] for f in record_files(a)] == ["consultation-record-dilemma-1"]
        assert record_files(b) == []
        # Bravo cannot post in Alpha's channel: it has no consultation channel at all.
        await b.command(PRACTITIONER, "consult")
        assert b.slack.messages(CONSULT) == []

        # Every call into a workspace carried that workspace's own token.
        assert tokens_used(a) == {r["bot_token"] for r in stored if r["team_id"] == A}
        assert tokens_used(b) == {r["bot_token"] for r in stored if r["team_id"] == B}
        posts = await rows(a, m.Post)
        assert [p["team_id"] for p in posts] == [A]
        assert {r["team_id"] for r in await rows(a, m.Moderator)} == {B}
        assert {r["team_id"] for r in await rows(a, m.Channel)} == {A}
        assert {r["team_id"] for r in await rows(a, m.Setting)} == {B}


async def test_uninstall_purges_that_workspace_only(tmp_path):
    fake = two_workspaces()
    async with oauth_app(tmp_path, fake) as bots:
        a, b = bots[A], bots[B]
        for bot, team in ((a, A), (b, B)):
            assert (await install(bot, team))[0] == 200
            assert "is now a consultation channel" in await admin(
                bot, MODERATOR, f"channel add <#{CONSULT}|peer-consult>"
            )
            assert "is now a moderator" in await admin(bot, MODERATOR, f"moderators add <@{COLLEAGUE}>")
            await consult(bot)
        # An intake left open in Bravo.
        await b.command(COLLEAGUE, "consult")
        await b.dm(COLLEAGUE, "1")
        assert len(await rows(b, m.Intake, team_id=B)) == 1

        await fake.uninstall(B)  # the token stops working, then tokens_revoked and app_uninstalled
        assert [(d.payload["event"]["type"], d.status) for d in b.slack.deliveries[-2:]] == [
            ("tokens_revoked", 200),
            ("app_uninstalled", 200),
        ]

        # Bravo: no installation, no settings, moderators, channels, intakes; posts' text gone.
        assert {r["team_id"] for r in await installations(a)} == {A}
        assert await rows(b, m.Intake, team_id=B) == []
        assert await rows(b, m.IntakeKey) == []
        for model in (m.Moderator, m.Channel, m.Setting, m.AuditEntry):
            assert await rows(b, model, team_id=B) == [], model
        purged = await rows(b, m.Post, team_id=B)
        assert purged and all(p["content"] is None and p["author_enc"] is None for p in purged)
        assert all(p["purged_at"] is not None for p in purged)
        # Alpha: untouched.
        kept = await rows(a, m.Post, team_id=A)
        assert kept and all(p["content"] and p["purged_at"] is None for p in kept)
        assert {r["user_id"] for r in await rows(a, m.Moderator, team_id=A)} == {COLLEAGUE}
        assert len(await rows(a, m.Channel, team_id=A)) == 1
        assert f"<#{CONSULT}>" in await admin(a, MODERATOR, "status")
        # Bravo's people are told the app is not installed; its old token is refused by Slack.
        await b.command(PRACTITIONER, "help")
        assert NOT_INSTALLED in b.slack.calls_to("response_url")[-1].args["text"]
        # Installed again: a fresh start, nothing of before.
        assert (await install(b, B))[0] == 200
        assert f"<#{CONSULT}>" not in await admin(b, MODERATOR, "status")


async def test_org_wide_install_on_enterprise_grid_keys_data_by_the_organisation(tmp_path):
    fake = SlackWorkspaces()
    fake.add(ORG1, team_name="Org North", enterprise_id=ORG, org_install=True)
    fake.add(ORG2, team_name="Org South", enterprise_id=ORG, org_install=True)
    fake.add(A, team_name="Alpha Clinic")
    for team in (ORG1, ORG2):
        fake[team].users[MODERATOR]["enterprise_user"]["is_admin"] = True  # an organisation admin
        fake[team].users[COLLEAGUE]["is_admin"] = True  # a workspace admin, not the organisation's
    async with oauth_app(tmp_path, fake) as bots:
        status, page = await install(bots[ORG1], ORG1)  # once, for the whole organisation
        assert status == 200 and f"{ORG} org" in page
        assert (await install(bots[A], A))[0] == 200
        stored = {(r["enterprise_id"], r["team_id"], r["is_enterprise_install"]) for r in await installations(bots[A])}
        assert stored == {(ORG, None, True), (None, A, False)}
        assert fake.tokens(ORG1) == fake.tokens(ORG2)

        # A channel added from one workspace of the organisation is the organisation's
        # (the other is only asked for its status: the fake answers an org token's Web API
        # calls as its first workspace).
        assert "is now a consultation channel" in await admin(
            bots[ORG1], MODERATOR, f"channel add <#{CONSULT}|peer-consult>"
        )
        assert f"<#{CONSULT}>" in await admin(bots[ORG2], MODERATOR, "status")
        # The organisation's data is moderated by its admins, not by any one workspace's.
        assert NOT_MODERATOR in await admin(bots[ORG2], COLLEAGUE, "status")
        assert f"<#{CONSULT}>" not in await admin(bots[A], MODERATOR, "status")
        assert {r["team_id"] for r in await rows(bots[A], m.Channel)} == {ORG}
        await consult(bots[ORG1])
        assert [p["team_id"] for p in await rows(bots[A], m.Post)] == [ORG]
        # The background worker finds the organisation's token from the post's key alone.
        client = await bots[A].services.installations.client_for(Team(ORG))
        assert client.token in fake.tokens(ORG1)

        await fake.uninstall(ORG2)
        assert {r["team_id"] for r in await installations(bots[A])} == {A}
        assert await rows(bots[A], m.Channel, team_id=ORG) == []
        assert all(p["content"] is None for p in await rows(bots[A], m.Post, team_id=ORG))


async def test_install_failures_show_a_page_and_install_nothing(tmp_path):
    fake = two_workspaces()
    async with oauth_app(tmp_path, fake) as bots:
        a = bots[A]
        async with ClientSession() as http:
            start = await http.get(a.server.make_url("/slack/install").with_query(team=A), allow_redirects=False)
            cookie = start.headers["Set-Cookie"].split(";")[0]
            slack = await http.get(start.headers["Location"], allow_redirects=False)
            back = slack.headers["Location"]
            # Another browser (no state cookie): refused.
            other = await http.get(back, allow_redirects=False)
            assert other.status == 400
            page = await other.text()
            assert "was not installed" in page and "invalid_browser" in page and 'href="/slack/install"' in page
            done = await http.get(back, headers={"Cookie": cookie}, allow_redirects=False)
            assert done.status == 200
            # The same redirect again: the state was used.
            again = await http.get(back, headers={"Cookie": cookie}, allow_redirects=False)
            assert again.status == 401 and "invalid_state" in await again.text()
            # Cancelled on Slack's page.
            cancelled = await http.get(a.server.make_url("/slack/oauth_redirect").with_query(error="access_denied"))
            assert "access_denied" in await cancelled.text()
        assert {r["team_id"] for r in await installations(a)} == {A}


async def test_oauth_v2_access_is_as_strict_as_slacks(tmp_path):
    fake = SlackWorkspaces(redirect_urls=["https://app.example/slack/oauth_redirect"])
    fake.add(A)
    await fake.start()
    try:
        async with ClientSession() as http:

            async def code(**query) -> str:
                q = {"client_id": fake.client_id, "scope": "commands,chat:write", "state": "s", "team": A, **query}
                r = await http.get(fake.base_url + "oauth/v2/authorize", params=q, allow_redirects=False)
                assert r.status == 302, await r.text()
                return r.headers["Location"].split("code=")[1].split("&")[0]

            async def exchange(**data) -> dict:
                async with http.post(fake.api_url + "oauth.v2.access", data=data) as r:
                    return await r.json()

            secret = {"client_id": fake.client_id, "client_secret": fake.client_secret}
            c = await code()
            wrong = await exchange(code=c, client_id=fake.client_id, client_secret="wrong")
            assert wrong["error"] == "bad_client_secret"
            assert (await exchange(code=c, client_id="9.9", client_secret=fake.client_secret))["error"] == (
                "invalid_client_id"
            )
            granted = await exchange(code=c, **secret)
            assert granted["ok"] and granted["scope"] == "commands,chat:write" and granted["team"]["id"] == A
            assert fake[A].scopes == ["commands", "chat:write"]
            assert (await exchange(code=c, **secret))["error"] == "invalid_code"  # single use
            # A redirect_uri given to the authorize page must be given again, the same.
            c = await code(redirect_uri="https://app.example/slack/oauth_redirect")
            assert (await exchange(code=c, **secret))["error"] == "bad_redirect_uri"
            assert (await exchange(code=c, **secret))["error"] == "invalid_code"  # used up by the failed try
            # Scopes the manifest does not ask for, a stranger's redirect URL: Slack's page refuses.
            q = {"client_id": fake.client_id, "scope": "chat:write.public", "team": A}
            r = await http.get(fake.base_url + "oauth/v2/authorize", params=q, allow_redirects=False)
            assert r.status == 400 and "invalid_scope" in await r.text()
            q = {"client_id": fake.client_id, "scope": "commands", "team": A, "redirect_uri": "https://evil.example/"}
            r = await http.get(fake.base_url + "oauth/v2/authorize", params=q, allow_redirects=False)
            assert r.status == 400 and "bad_redirect_uri" in await r.text()
            # A token never issued, and no token: refused.
            async with http.post(fake.api_url + "auth.test", headers={"Authorization": "Bearer xoxb-made-up"}) as r:
                assert (await r.json())["error"] == "invalid_auth"
    finally:
        await fake.stop()


async def test_config_file_settings_apply_to_the_workspace_it_names_only(tmp_path):
    async with oauth_app(
        tmp_path,
        two_workspaces(),
        team_id=A,
        channels=[{"id": CONSULT, "name": "peer-consult"}],
        moderators=[COLLEAGUE],
    ) as bots:
        for team, bot in bots.items():
            assert (await install(bot, team))[0] == 200
        assert f"<#{CONSULT}>" in await admin(bots[A], COLLEAGUE, "status")
        assert NOT_MODERATOR in await admin(bots[B], COLLEAGUE, "status")
        assert f"<#{CONSULT}>" not in await admin(bots[B], MODERATOR, "status")


async def test_start_joins_the_named_workspaces_channels_and_no_other(tmp_path):
    fake = two_workspaces()
    async with oauth_app(tmp_path, fake, team_id=A, channels=[{"id": GENERAL, "name": "general"}]) as bots:
        assert await server.join_configured_channels(bots[A].services) == {GENERAL: "not_authed"}  # not yet installed
        assert (await install(bots[A], A))[0] == 200
        bots[A].services.installations.forget(Team(A))
        assert await server.join_configured_channels(bots[A].services) == {GENERAL: "joined"}
        assert fake[A].channels[GENERAL]["is_member"] and not fake[B].channels[GENERAL]["is_member"]
    fake = two_workspaces()
    async with oauth_app(tmp_path / "none", fake, channels=[{"id": GENERAL, "name": "general"}]) as bots:
        assert await server.join_configured_channels(bots[A].services) == {}  # config/ is no workspace's


async def test_on_postgresql_too(tmp_path, pg_url):
    fake = two_workspaces()
    async with oauth_app(tmp_path, fake, database_url=pg_url) as bots:
        for team, bot in bots.items():
            assert (await install(bot, team))[0] == 200
            assert "is now a consultation channel" in await admin(
                bot, MODERATOR, f"channel add <#{CONSULT}|peer-consult>"
            )
        await consult(bots[A])
        await fake.uninstall(A)
        assert {r["team_id"] for r in await installations(bots[B])} == {B}
        assert await rows(bots[B], m.Channel, team_id=A) == []
        assert len(await rows(bots[B], m.Channel, team_id=B)) == 1
        assert f"<#{CONSULT}>" in await admin(bots[B], MODERATOR, "status")


async def test_single_token_mode_purges_its_workspace_on_uninstall(bot):
    """One bot token: config/ is the workspace's; app_uninstalled purges what the app
    kept there (there is no installation row to delete)."""
    assert "is now a moderator" in await admin(bot, MODERATOR, f"moderators add <@{COLLEAGUE}>")
    await consult(bot)
    assert await rows(bot, m.Moderator)
    delivery = await bot.slack.deliver_event({"type": "app_uninstalled"})
    assert delivery.status == 200
    assert await rows(bot, m.Moderator) == []
    assert all(p["content"] is None for p in await rows(bot, m.Post))
    # A user token revoked (the app asks for none) is not a departure.
    assert "is now a moderator" in await admin(bot, MODERATOR, f"moderators add <@{COLLEAGUE}>")
    await bot.slack.deliver_event({"type": "tokens_revoked", "tokens": {"oauth": ["U0MOD"], "bot": []}})
    assert len(await rows(bot, m.Moderator)) == 1


async def test_a_late_or_repeated_departure_never_undoes_a_reinstall(tmp_path):
    """Slack retries an event for up to an hour: a retry after a reinstall (same event_id),
    or a first delivery that arrives after it (older event_time), changes nothing."""
    fake = two_workspaces()
    async with oauth_app(tmp_path, fake) as bots:
        b = bots[B]
        assert (await install(b, B))[0] == 200
        await fake.uninstall(B)
        first = b.slack.deliveries[-1]
        assert first.payload["event"]["type"] == "app_uninstalled"
        assert (await install(b, B))[0] == 200
        assert "is now a consultation channel" in await admin(b, MODERATOR, f"channel add <#{CONSULT}|peer-consult>")

        retry = await b.slack.deliver_event(
            {"type": "app_uninstalled"}, event_id=first.payload["event_id"], retry_num=1
        )
        late = await b.slack.deliver_event({"type": "app_uninstalled"}, event_time=int(first.payload["event_time"]) - 1)
        assert (retry.status, late.status) == (200, 200)
        assert {r["team_id"] for r in await installations(b)} == {B}
        assert f"<#{CONSULT}>" in await admin(b, MODERATOR, "status")


async def test_a_purge_that_fails_is_finished_by_the_worker(tmp_path, monkeypatch):
    fake = two_workspaces()
    async with oauth_app(tmp_path, fake) as bots:
        b = bots[B]
        assert (await install(b, B))[0] == 200
        assert "is now a consultation channel" in await admin(b, MODERATOR, f"channel add <#{CONSULT}|peer-consult>")
        purge = b.services.workspace.purge

        async def database_gone(team_id):
            raise ConnectionError("the database went away")

        monkeypatch.setattr(b.services.workspace, "purge", database_gone)
        await b.slack.deliver_event({"type": "app_uninstalled"})  # Bolt acknowledges events first
        assert {r["team_id"] for r in await installations(b)} == {B}  # kept until the purge is done
        assert await b.services.store.settings_named("departure_pending") == {B: {"enterprise_id": None, "org": False}}

        monkeypatch.setattr(b.services.workspace, "purge", purge)
        await b.worker.tick()  # the worker finishes it
        assert B not in {r["team_id"] for r in await installations(b)}
        assert await rows(b, m.Channel, team_id=B) == []
        assert await b.services.store.settings_named("departure_pending") == {}
