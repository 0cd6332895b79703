"""The OAuth install's tables (migration 0007) with slack-sdk's stores on them, and a
workspace's data purged when the app leaves it; on SQLite and on PostgreSQL."""

from datetime import timedelta

from slack_sdk.oauth.installation_store.models.installation import Installation
from sqlalchemy import func, select, text

from bot.config import Settings
from bot.gateway import Team
from bot.identity import Identity
from bot.slack.installs import Installations
from bot.slack_client import build_client
from bot.storage import models as m
from tests.storage.test_store import make_post


def installation(team: str | None, token: str, enterprise: str | None = None, org: bool = False) -> Installation:
    return Installation(
        app_id="A1",
        enterprise_id=enterprise,
        team_id=team,
        bot_token=token,
        bot_id="B1",
        bot_user_id="U0BOT",
        bot_scopes="commands,chat:write",
        user_id="U0ADMIN",
        is_enterprise_install=org,
    )


async def test_installations_and_states_live_in_the_apps_database(store):
    installs = Installations(
        store.engine, "111.222", "secret", build_client(Settings()), Identity(["k" * 40]).fernet_for(b"t")
    )
    await installs.store.async_save(installation("T1", "xoxb-one"))
    await installs.store.async_save(installation(None, "xoxb-org", enterprise="E1", org=True))
    await installs.store.async_save(installation("T2", "xoxb-grid-ws", enterprise="E2"))
    # the tokens are stored sealed: the database alone does not give them away
    async with store.engine.connect() as conn:
        raw = (
            (
                await conn.execute(
                    text("SELECT bot_token FROM slack_bots UNION ALL SELECT bot_token FROM slack_installations")
                )
            )
            .scalars()
            .all()
        )
    assert len(raw) == 6 and not any("xoxb" in value for value in raw)
    # the data key alone (what a background job has) finds each token
    assert (await installs.bot_for_key("T1")).bot_token == "xoxb-one"
    assert (await installs.bot_for_key("E1")).bot_token == "xoxb-org"
    assert (await installs.bot_for_key("T2")).bot_token == "xoxb-grid-ws"
    assert await installs.bot_for_key("T3") is None
    # as Bolt finds them
    bot = await installs.store.async_find_bot(enterprise_id="E1", team_id=None, is_enterprise_install=True)
    assert bot.bot_token == "xoxb-org"
    # a reinstall's newer token wins
    await installs.store.async_save(installation("T1", "xoxb-one-again"))
    installs.forget(Team("T1"))
    assert await installs.token(Team("T1")) == "xoxb-one-again"
    # removed: gone for the gateway, at once in this process
    await installs.remove(Team("T1"))
    await installs.remove(Team("E1", "E1", True))
    assert await installs.token(Team("T1")) is None and await installs.bot_for_key("E1") is None
    assert (await installs.bot_for_key("T2")).bot_token == "xoxb-grid-ws"
    # the state store: issued once, consumed once
    state = await installs.states.async_issue()
    assert await installs.states.async_consume(state)
    assert not await installs.states.async_consume(state)


async def test_purge_team_removes_one_workspace_and_keeps_the_other(store):
    for team in ("T1", "T2"):
        post = await make_post(store, ref=f"r-{team}", team=team, author=team[-1] * 64)
        await store.mark_posted(post.id, "1.1")
        await store.add_reply(post.id, "1.2", timedelta(seconds=60))
        await store.add_flag(post.id, "f" * 64, reason=f"said in {team}")
        await store.create_intake(team, "o" * 64, f"open-{team}", "situation", {"answers": {"x": "raw"}})
        await store.set_setting(team, "approval", True)
        await store.add_moderator(team, "U0MOD")
        await store.set_channel(team, "C1", "consult", active=True)
        await store.add_term(team, "Lighthouse")
        await store.block_author(team, "b" * 64, post.id)
        await store.audit(team, "U0MOD", "approval on")
        await store.record_job(f"channels:{team}", {"C1": "member"})
    waiting = await make_post(store, ref="r-waiting", team="T1", author="w" * 64)

    removed = await store.purge_team("T1")
    assert removed == {"intakes": 1, "posts": 2}

    async with store.session() as s:

        async def count(model, team):
            return (await s.execute(select(func.count()).select_from(model).where(model.team_id == team))).scalar()

        for model in (m.Intake, m.Setting, m.Moderator, m.Channel, m.Term, m.AuthorBlock, m.AuditEntry):
            assert await count(model, "T1") == 0, model
            assert await count(model, "T2") == 1, model
        posts = {p.team_id + p.intake_ref: p for p in (await s.execute(select(m.Post))).scalars()}
        relays = {posts_id for posts_id in (await s.execute(select(m.Relay.post_id))).scalars()}
    gone = [p for key, p in posts.items() if key.startswith("T1")]
    assert all(p.content is None and p.author_enc is None and p.purged_at is not None for p in gone)
    assert posts["T1r-waiting"].status == "failed"  # never sent now: no token for it
    assert posts["T2r-T2"].content and posts["T2r-T2"].purged_at is None
    assert await store.job("channels:T1") is None and await store.job("channels:T2") is not None
    flags = {f.post_id: f.reason for f in await store.open_flags("T2")}
    assert list(flags.values()) == ["said in T2"]
    assert relays == {posts["T2r-T2"].id}
    assert waiting.id in {p.id for p in gone}
