"""Faults: restarts, Slack errors and retries, duplicates, double clicks, two processes."""

import asyncio
from datetime import timedelta

from sqlalchemy import update

from bot.gateway import Team
from bot.storage import models as m
from bot.storage.models import utcnow
from tests.app.test_consult_flow import IDENTIFIERS, flat, run_intake_to_preview, step_prompt
from tests.conftest import CONSULT, PRACTITIONER, TEAM, make_settings, start_bot, stop_bot


async def test_restart_mid_intake_resumes_where_the_user_was(settings, slack):
    first = await start_bot(settings, slack)
    await first.command(PRACTITIONER, "consult")
    await first.click_dm(PRACTITIONER, "intake_choice:1")  # current client → setting
    await first.dm(PRACTITIONER, "private practice")
    await stop_bot(first)

    second = await start_bot(settings, slack)  # a new process on the same database
    try:
        assert "Describe the situation" in step_prompt(second.last_dm(PRACTITIONER))
        await second.dm(PRACTITIONER, "The client asked me to be friends on Facebook.")
        assert "considering" in step_prompt(second.last_dm(PRACTITIONER))
        intake = await second.services.store.open_intake(
            TEAM, second.services.identity.author_hashes(TEAM, PRACTITIONER)
        )
        assert intake.state["answers"]["setting"] == "private"
    finally:
        await stop_bot(second)


async def post_count(slack) -> int:
    return sum(1 for c in slack.calls_to("chat.postMessage") if c.args.get("channel") == CONSULT and c.ok)


async def test_rate_limited_then_ok_posts_once(bot):
    await run_intake_to_preview(bot)
    bot.slack.fail_next("chat.postMessage", 429, retry_after=0)
    await bot.click_dm(PRACTITIONER, "intake_post")
    assert len(bot.slack.messages(CONSULT)) == 1
    assert await post_count(bot.slack) == 1
    assert "Dilemma #1" in flat(bot.last_dm(PRACTITIONER))


async def test_a_server_error_on_the_post_is_never_retried_blindly(bot):
    """Slack may have stored a post whose answer was a 500: the app looks for its own
    message before it sends the post again, and the post goes out once."""
    await run_intake_to_preview(bot)
    bot.slack.fail_next("chat.postMessage", 500)
    await bot.click_dm(PRACTITIONER, "intake_post")
    attempts = [c for c in bot.slack.calls_to("chat.postMessage") if c.args.get("channel") == CONSULT]
    assert len(attempts) == 1 and bot.slack.messages(CONSULT) == []
    assert bot.slack.calls_to("conversations.history"), "looked for its own message first"
    await bot.worker.tick()
    assert len(bot.slack.messages(CONSULT)) == 1
    attempts = [c for c in bot.slack.calls_to("chat.postMessage") if c.args.get("channel") == CONSULT]
    assert len(attempts) == 2


async def test_outage_delays_the_post_but_never_loses_it(bot):
    await run_intake_to_preview(bot)
    bot.slack.fail_next("chat.postMessage", *([503] * 4))  # more than the client retries
    await bot.click_dm(PRACTITIONER, "intake_post")
    assert bot.slack.messages(CONSULT) == []
    assert "saved and will be posted automatically" in flat(bot.last_dm(PRACTITIONER))
    post = await bot.services.store.get_post(1)
    assert post.status == "pending"
    await bot.worker.tick()  # the retry (backoff is 0 in tests)
    assert len(bot.slack.messages(CONSULT)) == 1
    assert "is now posted" in flat(bot.last_dm(PRACTITIONER))
    await bot.worker.tick()
    assert len(bot.slack.messages(CONSULT)) == 1


async def crash_between_send_and_record_then_retry(bot) -> None:
    """The post reaches Slack with our metadata and the process dies before recording
    its ts; once the dead process's claim lapses, the worker finds that message
    instead of posting again."""
    await run_intake_to_preview(bot)
    original = bot.services.store.mark_posted

    async def crash(*_a, **_k):
        raise ConnectionError("process died")

    bot.services.store.mark_posted = crash
    await bot.click_dm(PRACTITIONER, "intake_post")
    bot.services.store.mark_posted = original
    assert len(bot.slack.messages(CONSULT)) == 1
    async with bot.services.store.session() as s:
        await s.execute(update(m.Post).values(claimed_until=utcnow() - timedelta(seconds=1)))
    await bot.worker.tick()
    assert len(bot.slack.messages(CONSULT)) == 1
    post = await bot.services.store.get_post(1)
    assert post.status == "posted" and post.message_ts == bot.slack.messages(CONSULT)[0]["ts"]


async def test_crash_between_slack_call_and_marking_does_not_post_twice(bot):
    await crash_between_send_and_record_then_retry(bot)


async def test_duplicate_event_delivery_is_handled_once(bot):
    await bot.command(PRACTITIONER, "consult")
    event = {
        "type": "message",
        "user": PRACTITIONER,
        "text": "1",
        "channel": bot.slack.dm_channel(PRACTITIONER),
        "channel_type": "im",
        "ts": "1800000000.000100",
        "event_ts": "1800000000.000100",
    }
    first = await bot.slack.deliver_event(event, event_id="Ev0DUP")
    retry = await bot.slack.deliver_event(event, event_id="Ev0DUP", retry_num=1)
    assert first.status == retry.status == 200
    prompts = [step_prompt(mm) for mm in bot.dms(PRACTITIONER) if mm.get("blocks")]
    assert sum("setting" in p for p in prompts) == 1


async def test_double_click_on_post_posts_once(bot):
    preview = await run_intake_to_preview(bot)
    await asyncio.gather(*[bot.slack.click(PRACTITIONER, preview, "intake_post") for _ in range(3)])
    assert len(bot.slack.messages(CONSULT)) == 1
    assert await post_count(bot.slack) == 1


async def test_two_instances_on_one_postgresql_database_post_once(tmp_path, slack, pg_url):
    a = await start_bot(make_settings(tmp_path / "a", slack_api_url=slack.api_url, database_url=pg_url), slack)
    b = await start_bot(make_settings(tmp_path / "b", slack_api_url=slack.api_url, database_url=pg_url), slack)
    try:
        await run_intake_to_preview(a)
        # The same "post" click and the same redelivered event reach both processes at once.
        preview = a.last_dm(PRACTITIONER)
        deliveries = []
        for bot_ in (a, b):
            bot_.slack.events_url = str(bot_.server.make_url("/slack/events"))
            deliveries.append(bot_.slack.click(PRACTITIONER, preview, "intake_post"))
        await asyncio.gather(*deliveries)
        assert len(slack.messages(CONSULT)) == 1
        post = slack.messages(CONSULT)[0]
        for ident in IDENTIFIERS:
            assert ident not in flat(post)
        reply = {
            "type": "message",
            "user": "U0COLL1",
            "text": "hi",
            "channel": CONSULT,
            "channel_type": "channel",
            "ts": "1900000000.000200",
            "thread_ts": post["ts"],
            "event_ts": "1900000000.000200",
        }
        for bot_ in (a, b):
            bot_.slack.events_url = str(bot_.server.make_url("/slack/events"))
            await bot_.slack.deliver_event(reply, event_id="Ev0SAME")
        await asyncio.gather(a.worker.tick(), b.worker.tick())
        relays = [mm for mm in slack.messages(slack.dm_channel(PRACTITIONER)) if "new repl" in flat(mm)]
        assert len(relays) == 1 and "1 new reply" in flat(relays[0])
    finally:
        await stop_bot(a)
        await stop_bot(b)


async def test_a_post_deleted_while_it_is_being_sent_is_taken_down(bot):
    await run_intake_to_preview(bot)
    original = bot.services.store.mark_posted

    async def delete_first(post_id, ts):
        # The poster deletes (from `/boundary mine`) while Slack is answering the send.
        await bot.services.discussion.delete(Team(TEAM), PRACTITIONER, post_id)
        return await original(post_id, ts)

    bot.services.store.mark_posted = delete_first
    await bot.click_dm(PRACTITIONER, "intake_post")
    bot.services.store.mark_posted = original
    assert [m for m in bot.slack.messages(CONSULT) if m.get("user") != "USLACKBOT"] == []
    post = await bot.services.store.get_post(1)
    assert post.status == "deleted" and post.content is None


async def test_a_post_whose_text_retention_purged_can_still_be_deleted(bot):
    await run_intake_to_preview(bot)
    await bot.click_dm(PRACTITIONER, "intake_post")
    async with bot.services.store.session() as s:
        await s.execute(update(m.Post).values(created_at=utcnow() - timedelta(days=40)))
    assert await bot.services.store.purge_older_than(30, TEAM) == 1
    result = await bot.services.discussion.delete(Team(TEAM), PRACTITIONER, 1)
    assert result.ok and bot.slack.messages(CONSULT) == []


async def test_a_failed_slack_delete_keeps_the_post_and_says_so(bot):
    await run_intake_to_preview(bot)
    await bot.click_dm(PRACTITIONER, "intake_post")
    bot.slack.fail_next("chat.delete", *([503] * 4))
    result = await bot.services.discussion.delete(Team(TEAM), PRACTITIONER, 1)
    assert not result.ok and "try again" in result.message
    assert len(bot.slack.messages(CONSULT)) == 1
    assert (await bot.services.store.get_post(1)).content is not None
    again = await bot.services.discussion.delete(Team(TEAM), PRACTITIONER, 1)
    assert again.ok and bot.slack.messages(CONSULT) == []


async def test_a_channel_slack_will_never_accept_fails_the_post_and_tells_the_poster(bot):
    await run_intake_to_preview(bot)
    bot.slack.fail_next("chat.postMessage", "is_archived")
    await bot.click_dm(PRACTITIONER, "intake_post")
    assert bot.slack.messages(CONSULT) == []
    assert "couldn't post your consult" in flat(bot.last_dm(PRACTITIONER))
    post = await bot.services.store.get_post(1)
    assert post.status == "failed" and post.content is None
    await bot.worker.tick()
    assert bot.slack.messages(CONSULT) == []


async def test_a_post_slack_stored_but_whose_answer_was_lost_goes_out_once(bot):
    """Slack stored the post and the answer was lost (a 500, or the connection reset):
    the app finds its own message by metadata instead of posting it again, and the
    owner's Delete then leaves nothing behind."""
    for how, user in (("500", PRACTITIONER), ("reset", "U0COLL2")):
        await run_intake_to_preview(bot, user)
        bot.slack.lose_next_answer("chat.postMessage", how)
        await bot.click_dm(user, "intake_post")
        await bot.worker.tick()
        await bot.worker.tick()
    posts = bot.slack.messages(CONSULT)
    assert len(posts) == 2, [flat(p)[:80] for p in posts]
    assert sorted(flat(p).split("Dilemma #")[1][:1] for p in posts) == ["1", "2"]
    for number in (1, 2):
        row = await bot.services.store.get_post(number)
        assert row.status == "posted" and row.message_ts in {p["ts"] for p in posts}
    assert "Dilemma #1" in flat(bot.last_dm(PRACTITIONER)) and "Dilemma #2" in flat(bot.last_dm("U0COLL2"))

    await bot.services.discussion.delete(Team(TEAM), None, 1, status="removed")
    await bot.services.discussion.delete(Team(TEAM), None, 2, status="removed")
    assert bot.slack.messages(CONSULT) == []


async def test_an_anonymous_reply_whose_answer_was_lost_is_in_the_thread_once(bot):
    await run_intake_to_preview(bot)
    await bot.click_dm(PRACTITIONER, "intake_post")
    post = bot.slack.messages(CONSULT)[0]
    for how, words in (("500", "First thought."), ("reset", "Second thought.")):
        await bot.slack.click("U0COLL1", post, "post_reply_anon")
        bot.slack.lose_next_answer("chat.postMessage", how)
        await bot.slack.submit_view("U0COLL1", bot.slack.views("U0COLL1")[-1]["id"], {"reply": {"value": words}})
    replies = [m for m in bot.slack.replies(CONSULT, post["ts"]) if "Anonymous colleague" in flat(m)]
    assert [("First" in flat(m), "Second" in flat(m)) for m in replies] == [(True, False), (False, True)]
    assert "Your anonymous reply is in the thread" in flat(bot.last_dm("U0COLL1"))
    # The moderator's removal reaches both, since both were recorded.
    await bot.services.discussion.delete(Team(TEAM), None, 1, status="removed")
    assert [m for m in bot.slack.all_messages(CONSULT) if "Anonymous colleague" in flat(m)] == []


async def test_a_post_whose_answer_timed_out_goes_out_once(tmp_path, slack):
    """Slack stored the post but answered too late: the client gives up (a timeout),
    and the app looks for its own message instead of posting it again."""
    bot = await start_bot(make_settings(tmp_path, slack_api_url=slack.api_url, slack_timeout_seconds=1), slack)
    try:
        await run_intake_to_preview(bot)
        bot.slack.lose_next_answer("chat.postMessage", "timeout")
        await bot.click_dm(PRACTITIONER, "intake_post")
        bot.slack.release_held_answers()
        await bot.worker.tick()
        assert len(bot.slack.messages(CONSULT)) == 1
        attempts = [c for c in bot.slack.calls_to("chat.postMessage") if c.args.get("channel") == CONSULT]
        assert len(attempts) == 1, "never sent again"
        row = await bot.services.store.get_post(1)
        assert row.status == "posted" and row.message_ts == bot.slack.messages(CONSULT)[0]["ts"]
        assert "Dilemma #1" in flat(bot.last_dm(PRACTITIONER))
    finally:
        await stop_bot(bot)
