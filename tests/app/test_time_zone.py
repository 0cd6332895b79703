"""Time values are UTC and timezone-aware in storage, whatever the server's time zone.

On SQLite a DateTime column comes back without a zone; read as local time on a
server in New York it shifted the window in which the app looks for its own post
after a kill between send and record by five hours, and the post went out twice."""

import os
import time
from datetime import UTC, timedelta

import pytest
from sqlalchemy import update

from bot.storage import models as m
from bot.storage.models import utcnow
from tests.app.test_consult_flow import run_intake_to_preview
from tests.app.test_faults import crash_between_send_and_record_then_retry
from tests.conftest import CONSULT, PRACTITIONER


@pytest.fixture
def new_york():
    """The process runs in America/New_York (UTC-5 or -4) for the test, then as before."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    assert time.timezone != 0, "the tz database must know America/New_York"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


async def test_times_come_back_from_storage_aware_and_in_utc(new_york, store):
    written = utcnow()
    await store.record_job("retention", {})
    job = await store.job("retention")
    assert job.last_run_at.tzinfo is not None
    assert abs(job.last_run_at - written) < timedelta(minutes=1)
    assert job.last_run_at.utcoffset() == timedelta(0)


async def test_naive_or_foreign_zone_times_are_stored_as_utc(new_york, store):
    from zoneinfo import ZoneInfo

    eastern = utcnow().astimezone(ZoneInfo("America/New_York"))
    await store.record_job("retention", {})
    async with store.session() as s:
        await s.execute(update(m.JobRun).values(last_run_at=eastern))
    job = await store.job("retention")
    assert job.last_run_at == eastern and job.last_run_at.tzinfo == UTC


async def test_kill_between_send_and_record_in_new_york_does_not_post_twice(new_york, bot):
    await crash_between_send_and_record_then_retry(bot)


async def test_a_lost_answer_in_new_york_finds_the_stored_post(new_york, bot):
    """Slack stores the post and its answer is a 500: the app finds its message by metadata."""
    await run_intake_to_preview(bot)
    bot.slack.lose_next_answer("chat.postMessage", "500")
    await bot.click_dm(PRACTITIONER, "intake_post")
    sends = [c for c in bot.slack.calls_to("chat.postMessage") if c.args.get("channel") == CONSULT]
    assert len(sends) == 1 and sends[0].status == 500
    assert bot.slack.calls_to("conversations.history"), "looked for its own message"
    assert len(bot.slack.messages(CONSULT)) == 1
    await bot.worker.tick()
    assert len(bot.slack.messages(CONSULT)) == 1
    post = await bot.services.store.get_post(1)
    assert post.status == "posted" and post.message_ts == bot.slack.messages(CONSULT)[0]["ts"]
