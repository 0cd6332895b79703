"""Outages: the database dropped mid-run, and Slack answering errors for a poster or an admin.

Work Slack has had its acknowledgement for is never dropped silently: the person is
told it was not saved and can repeat it once the database is back; /healthz says
the database is unreachable; a poster who cannot be reached is not retried forever
and moderators see it; a failed admin lookup is not remembered as "not an admin"."""

import asyncio
import json
import os
import shutil
import sys
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import ClientSession

from tests.app.test_consult_flow import flat, run_intake_to_preview, step_prompt
from tests.app.test_moderation import NOT_MODERATOR, admin
from tests.conftest import COLLEAGUE, CONSULT, MODERATOR, PRACTITIONER, make_settings, start_bot, stop_bot

NOT_SAVED = "couldn't save that"


@asynccontextmanager
async def sqlite_down(bot):
    """The SQLite file is gone (moved away, a directory in its place) until the block ends."""
    path = Path(bot.settings.database_url.split(":///", 1)[1])
    aside = path.parent / "aside"
    aside.mkdir()
    await bot.services.store.engine.dispose()  # pooled connections would still reach the old file
    files = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
    for p in files:
        shutil.move(p, aside / p.name)
    path.mkdir()
    try:
        yield
    finally:
        path.rmdir()
        for p in files:
            shutil.move(aside / p.name, p)
        aside.rmdir()


async def health(bot) -> tuple[int, dict]:
    async with ClientSession() as s:
        async with s.get(bot.server.make_url("/healthz")) as r:
            return r.status, await r.json()


async def test_dm_answers_consult_and_post_click_during_an_outage_are_not_lost_silently(bot):
    await bot.command(PRACTITIONER, "consult")
    await bot.click_dm(PRACTITIONER, "intake_choice:2")  # Former client
    assert "How long ago" in step_prompt(bot.last_dm(PRACTITIONER))
    async with sqlite_down(bot):
        status, body = await health(bot)
        assert status == 503 and body["ok"] is False and body["database"] == "unreachable" and body["reason"]
        await bot.dm(PRACTITIONER, "3")  # a DM answer
        assert NOT_SAVED in flat(bot.last_dm(PRACTITIONER))
        await bot.command(COLLEAGUE, "consult")  # /boundary consult
        assert NOT_SAVED in flat(bot.last_dm(COLLEAGUE))
    assert (await health(bot))[0] == 200
    await bot.dm(PRACTITIONER, "3")  # repeated once the database is back: the intake goes on
    assert "setting" in step_prompt(bot.last_dm(PRACTITIONER))


async def test_the_post_click_during_an_outage_is_answered_and_works_when_repeated(bot):
    preview = await run_intake_to_preview(bot)
    async with sqlite_down(bot):
        await bot.slack.click(PRACTITIONER, preview, "intake_post")
        assert NOT_SAVED in flat(bot.last_dm(PRACTITIONER))
        assert bot.slack.messages(CONSULT) == []
    await bot.slack.click(PRACTITIONER, preview, "intake_post")
    assert len(bot.slack.messages(CONSULT)) == 1
    assert "Dilemma #1" in flat(bot.last_dm(PRACTITIONER))


async def test_a_thread_reply_during_an_outage_is_kept_and_relayed_when_the_database_is_back(bot):
    preview = await run_intake_to_preview(bot)
    await bot.slack.click(PRACTITIONER, preview, "intake_post")
    async with sqlite_down(bot):
        await reply_in_thread(bot, "first")
        await reply_in_thread(bot, "second")
        try:
            await bot.worker.tick()  # still down: the held replies stay held
        except Exception:
            pass
    assert NOT_SAVED not in flat(bot.dms(COLLEAGUE))  # the writer is not asked to repeat a reply
    await bot.worker.tick()
    relays = [mm for mm in bot.dms(PRACTITIONER) if "new repl" in flat(mm)]
    assert len(relays) == 1 and "2 new replies" in flat(relays[0])


async def test_a_postgresql_database_that_stops_accepting_connections(tmp_path, slack, pg_url):
    import asyncpg

    bot = await start_bot(make_settings(tmp_path, slack_api_url=slack.api_url, database_url=pg_url), slack)
    name = pg_url.rsplit("/", 1)[1]
    admin_url = os.environ["TEST_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(admin_url)
    try:
        await bot.command(PRACTITIONER, "consult")
        await bot.click_dm(PRACTITIONER, "intake_choice:2")
        await conn.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
        await conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name)
        status, body = await health(bot)
        assert status == 503 and body["database"] == "unreachable"
        await bot.dm(PRACTITIONER, "3")
        assert NOT_SAVED in flat(bot.last_dm(PRACTITIONER))
        await conn.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
        assert (await health(bot))[0] == 200
        await bot.dm(PRACTITIONER, "3")
        assert "setting" in step_prompt(bot.last_dm(PRACTITIONER))
    finally:
        await conn.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
        await conn.close()
        await stop_bot(bot)


async def test_an_unreachable_database_at_start_is_one_clear_line(tmp_path):
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "s3cret",
        "PORT": "0",
        "SLACK_API_URL": "http://127.0.0.1:1/api/",
        "DATABASE_URL": "postgresql://app:hunter2@127.0.0.1:1/boundary",
        "BOUNDARY_SECRET_KEY": "k" * 40,
    }
    env.pop("SLACK_APP_TOKEN", None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=root, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode not in (0, None)
    lines = [line for line in err.decode().splitlines() if line and not line.startswith("{")]
    assert len(lines) == 1, err.decode()[-2000:]
    assert "database" in lines[0] and "127.0.0.1:1/boundary" in lines[0]
    assert "Traceback" not in err.decode() and "hunter2" not in err.decode()


async def relays_waiting(bot) -> int:
    return await bot.services.store.relays_waiting()


async def reply_in_thread(bot, text: str = "hi") -> None:
    post = bot.slack.messages(CONSULT)[0]
    await bot.slack.send_user_message(COLLEAGUE, CONSULT, text, thread_ts=post["ts"])


@pytest.mark.parametrize("error", ["account_inactive", "user_not_found", "cannot_dm_bot"])
async def test_a_relay_to_an_unreachable_poster_is_given_up_and_shown_to_moderators(bot, error):
    preview = await run_intake_to_preview(bot)
    await bot.slack.click(PRACTITIONER, preview, "intake_post")
    await reply_in_thread(bot)
    bot.slack.fail_next("chat.postMessage", error)
    await bot.worker.tick()
    assert await relays_waiting(bot) == 0  # not put back to be retried forever
    await bot.worker.tick()
    tries = [c for c in bot.slack.calls_to("chat.postMessage") if "new repl" in flat(c.args)]
    assert len(tries) == 1 and not tries[0].ok
    status = await admin(bot, MODERATOR, "status")
    assert "Reply notices given up:* 1" in status and "#1" in status
    assert PRACTITIONER not in status


async def test_a_relay_slack_keeps_failing_is_tried_a_bounded_number_of_times(bot):
    preview = await run_intake_to_preview(bot)
    await bot.slack.click(PRACTITIONER, preview, "intake_post")
    await reply_in_thread(bot)
    bot.slack.fail_next("chat.postMessage", *([503] * 200))
    ticks = 0
    while await relays_waiting(bot) and ticks < 20:
        await bot.worker.tick()
        ticks += 1
    assert await relays_waiting(bot) == 0 and ticks < 20
    assert "Reply notices given up:* 1" in await admin(bot, MODERATOR, "status")


async def test_a_failed_admin_lookup_is_not_remembered_as_not_an_admin(bot):
    bot.slack.fail_next("users.info", *([500] * 4))  # more than the client's retries
    assert (await admin(bot, MODERATOR, "status")).startswith(NOT_MODERATOR)
    assert "Boundary Consult settings" in await admin(bot, MODERATOR, "status")  # asked again, not cached


def test_the_texts_say_nothing_was_kept():
    from bot.texts import text

    assert NOT_SAVED in text("messages.errors.database_unavailable")
    json.dumps(text("moderation.status.relays_given_up", count=1, posts="#1", when="now"))
