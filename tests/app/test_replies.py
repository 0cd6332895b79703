"""Anonymous replies over signed HTTP: only channel members reply or flag, a form
delivered twice posts once, and moderators can remove one reply and block (and
unblock) whoever wrote it — or a post's author — without learning who it is."""

from aiohttp import ClientSession

from bot.sandbox.signing import signed_headers, view_submission_body
from tests.app.test_moderation import admin, assert_author_hidden, backdate, block, consult, flag_post, flat
from tests.conftest import COLLEAGUE, COLLEAGUE2, CONSULT, MODERATOR, PRACTITIONER, SECRET, TEAM


def anonymous_replies(bot) -> list[dict]:
    post = bot.slack.messages(CONSULT)[0]
    return [m for m in bot.slack.replies(CONSULT, post["ts"]) if "Anonymous colleague" in flat(m)]


async def open_reply_form(bot, user: str) -> dict:
    await bot.slack.click(user, bot.slack.messages(CONSULT)[0], "post_reply_anon")
    return bot.slack.views(user)[-1]


def filled(view: dict, reply: str) -> dict:
    """The form's state as Slack's client sends it, with ``reply`` typed in."""
    block = next(b for b in view["blocks"] if b["type"] == "input")
    action_id = block["element"]["action_id"]
    return {block["block_id"]: {action_id: {"type": "plain_text_input", "value": reply}}}


async def deliver(bot, user: str, view: dict, values: dict) -> int:
    """One signed view_submission, as Slack sends it (e.g. again on a retry)."""
    body = view_submission_body(user_id=user, team_id=TEAM, view=view, values=values)
    async with ClientSession() as s:
        async with s.post(
            bot.server.make_url("/slack/events"), data=body.encode(), headers=signed_headers(body, SECRET)
        ) as r:
            return r.status


async def reply(bot, user: str, words: str) -> None:
    view = await open_reply_form(bot, user)
    await bot.slack.submit_view(user, view["id"], {"reply": {"value": words}})


async def test_the_same_reply_form_delivered_twice_posts_one_reply(bot):
    await consult(bot)
    view = await open_reply_form(bot, COLLEAGUE)
    values = filled(view, "Decline warmly and name the boundary.")
    assert await deliver(bot, COLLEAGUE, view, values) == 200
    assert await deliver(bot, COLLEAGUE, view, values) == 200
    replies = anonymous_replies(bot)
    assert len(replies) == 1, replies
    assert "reply 1" in flat(replies[0])
    # Each delivery is answered, and both say the reply is in.
    notes = [flat(m) for m in bot.dms(COLLEAGUE)]
    assert sum("Your anonymous reply is in the thread of Dilemma #1" in n for n in notes) == 2

    # A new form is a new reply, numbered on.
    await reply(bot, COLLEAGUE, "One more thought.")
    assert [("reply 1" in flat(m), "reply 2" in flat(m)) for m in anonymous_replies(bot)] == [
        (True, False),
        (False, True),
    ]


async def test_someone_outside_the_posts_channel_cannot_reply_or_flag(bot):
    await consult(bot)
    view = await open_reply_form(bot, COLLEAGUE2)
    bot.slack.channels[CONSULT]["members"].remove(COLLEAGUE2)  # left the channel, or never in it

    assert await deliver(bot, COLLEAGUE2, view, filled(view, "I should not be able to say this.")) == 200
    assert anonymous_replies(bot) == []
    assert "Only members of the channel where Dilemma #1 was posted can do that." in flat(bot.last_dm(COLLEAGUE2))

    answer = await flag_post(bot, COLLEAGUE2, bot.slack.messages(CONSULT)[0])
    assert answer is not None and "Only members of the channel" in answer
    assert await bot.services.store.open_flags(TEAM) == []

    # A member still can.
    await reply(bot, COLLEAGUE, "Fine from here.")
    assert len(anonymous_replies(bot)) == 1


async def test_a_moderator_removes_one_reply_and_blocks_and_unblocks_its_writer(bot):
    await consult(bot)
    await reply(bot, COLLEAGUE, "First reply.")
    await reply(bot, COLLEAGUE2, "Second reply, the one to remove.")
    assert len(anonymous_replies(bot)) == 2

    assert await admin(bot, MODERATOR, "remove 1.2") == "Anonymous reply 2 of Dilemma #1 is deleted."
    left = anonymous_replies(bot)
    assert len(left) == 1 and "First reply." in flat(left[0])
    assert len(bot.slack.messages(CONSULT)) == 1, "the post itself stays"
    assert "no anonymous reply 2" in (await admin(bot, MODERATOR, "remove 1.2")).lower()

    assert "can no longer post" in await block(bot, MODERATOR, "1.2")
    await reply(bot, COLLEAGUE2, "Trying again.")
    assert len(anonymous_replies(bot)) == 1
    assert "You can't post anonymous replies" in flat(bot.last_dm(COLLEAGUE2))
    before = len(bot.dms(COLLEAGUE2))
    await bot.command(COLLEAGUE2, "consult")
    assert "You can't post consults" in flat(bot.dms(COLLEAGUE2)[before:])
    # The writer of reply 1 and the post's author are not touched.
    await reply(bot, COLLEAGUE, "Still here.")
    assert len(anonymous_replies(bot)) == 2

    assert "can post again" in await admin(bot, MODERATOR, "unblock 1.2")
    await reply(bot, COLLEAGUE2, "Back again.")
    assert len(anonymous_replies(bot)) == 3
    audit = await admin(bot, MODERATOR, "audit")
    assert "Dilemma #1" in audit
    for who in (COLLEAGUE, COLLEAGUE2):
        assert who not in audit
    assert_author_hidden(bot)


async def test_unblocking_a_posts_author_lets_them_post_again(bot):
    await consult(bot)
    assert "can no longer post" in await block(bot, MODERATOR, "1")
    before = len(bot.dms(PRACTITIONER))
    await bot.command(PRACTITIONER, "consult")
    assert "You can't post consults" in flat(bot.dms(PRACTITIONER)[before:])

    assert "can post again" in await admin(bot, MODERATOR, "unblock 1")
    await consult(bot)
    assert len(bot.slack.messages(CONSULT)) == 2
    assert_author_hidden(bot)


def relay_dms(bot) -> list[dict]:
    return [m for m in bot.dms(PRACTITIONER) if "new repl" in flat(m)]


async def test_the_relay_dm_carries_what_colleagues_said_and_never_who(bot):
    from tests.app.test_consult_flow import text_objects

    await consult(bot)
    post = bot.slack.messages(CONSULT)[0]
    await reply(bot, COLLEAGUE, "Decline warmly; name the boundary <!channel> *now*.")
    await bot.slack.send_user_message(
        COLLEAGUE2, CONSULT, "I'd ask <@U0COLL1> too: Rosalind Okafor sounds like a real name.", thread_ts=post["ts"]
    )
    await bot.worker.tick()
    relays = relay_dms(bot)
    assert len(relays) == 1 and "2 new replies" in flat(relays[0])
    relay = relays[0]
    literal = [body for kind, body in text_objects(relay["blocks"]) if kind == "plain_text"]
    assert "Decline warmly; name the boundary <!channel> *now*." in literal  # shown literally: it cannot ping
    said = " ".join(literal)
    assert "I'd ask [name] too" in said and "Rosalind" not in said  # de-identified like an anonymous reply
    for who in (COLLEAGUE, COLLEAGUE2, "sam", "Sam", "alex", "Alex", "Okafor", "Lindqvist"):
        assert who not in flat(relay), who
    assert "<!channel>" not in " ".join(body for kind, body in text_objects(relay["blocks"]) if kind == "mrkdwn")

    # The poster's own reply is not relayed back to them; a colleague's next one is.
    await bot.click_dm(PRACTITIONER, "post_op_reply")
    await bot.slack.submit_view(PRACTITIONER, bot.slack.views(PRACTITIONER)[-1]["id"], {"reply": {"value": "Thanks!"}})
    await bot.slack.send_user_message(COLLEAGUE, CONSULT, "One more idea.", thread_ts=post["ts"])
    await bot.worker.tick()
    relays = relay_dms(bot)
    assert len(relays) == 2 and "1 new reply" in flat(relays[1])
    assert "One more idea." in flat(relays[1]) and "Thanks!" not in flat(relays[1])
    assert "Decline warmly" not in flat(relays[1])
    assert_author_hidden(bot)


async def test_a_relay_whose_thread_cannot_be_read_still_goes_out_with_the_count(bot):
    await consult(bot)
    await reply(bot, COLLEAGUE, "Decline warmly.")
    bot.slack.fail_next("conversations.replies", *([503] * 4))
    await bot.worker.tick()
    relays = relay_dms(bot)
    assert len(relays) == 1 and "1 new reply" in flat(relays[0]) and "Decline warmly" not in flat(relays[0])


def poster_dm_text(bot) -> str:
    return " ".join(flat(m) for m in bot.dms(PRACTITIONER))


async def test_a_reply_a_moderator_removes_leaves_the_posters_relay_dm_too(bot):
    await consult(bot)
    await reply(bot, COLLEAGUE, "Tell them about Saturday at the lake.")
    await bot.worker.tick()
    assert "Saturday at the lake" in poster_dm_text(bot)  # relayed to the poster

    assert await admin(bot, MODERATOR, "remove 1.1") == "Anonymous reply 1 of Dilemma #1 is deleted."
    assert anonymous_replies(bot) == []
    assert "Saturday at the lake" not in poster_dm_text(bot)
    assert relay_dms(bot) == []


async def test_deleting_a_post_deletes_its_relay_and_record_dms(bot):
    await consult(bot)
    await reply(bot, COLLEAGUE, "Decline and refer on.")
    await bot.worker.tick()
    await bot.command(PRACTITIONER, "mine")
    await bot.slack.click(PRACTITIONER, bot.slack.ephemerals(PRACTITIONER)[-1], "post_record", "1")
    assert poster_dm_text(bot).count("Decline and refer on.") == 2  # the relay and the record

    assert "Dilemma #1 and the app's replies in its thread are deleted" in await admin(bot, MODERATOR, "remove 1")
    assert "Decline and refer on." not in poster_dm_text(bot)
    assert await bot.services.store.dm_messages(1) == []
    assert bot.slack.files == {}  # the record's file went with it


async def test_retention_deletes_the_relay_dm_before_it_purges_the_post(bot):
    await consult(bot)
    await reply(bot, COLLEAGUE, "Decline and refer on.")
    await bot.worker.tick()
    assert "Decline and refer on." in poster_dm_text(bot)
    await backdate(bot, 1, 3)
    bot.slack.fail_next("chat.delete", *([503] * 4))  # Slack down: the post waits for the next run
    await admin(bot, MODERATOR, "retention 2")
    assert (await bot.services.store.get_post(1)).purged_at is None
    assert "Decline and refer on." in poster_dm_text(bot)
    assert (await bot.services.moderation.run_retention())["purged"] == 1
    assert (await bot.services.store.get_post(1)).purged_at is not None
    assert "Decline and refer on." not in poster_dm_text(bot)
