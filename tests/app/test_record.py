"""The consultation record: the poster saves a de-identified record of their consult
(the post, the principles, what colleagues said, the outcome) from their own post's
buttons or `/boundary mine`, over signed HTTP against the stand-in Slack."""

from bot.texts import text
from tests.app.test_consult_flow import text_objects
from tests.app.test_moderation import admin, assert_author_hidden, backdate, consult, flat, signed_click
from tests.app.test_replies import reply
from tests.conftest import COLLEAGUE, COLLEAGUE2, CONSULT, MODERATOR, PRACTITIONER

ALL_NAMES = ("Sam", "sam", "Alex", "alex", "Okafor", "Lindqvist", "Pat", "Rivera", "pat")


def records(bot, user: str = PRACTITIONER) -> list[dict]:
    """The record messages in a DM (not the file shared beside them)."""
    return [m for m in bot.dms(user) if "Consultation record" in flat(m) and not m.get("files")]


def record_files(bot, user: str = PRACTITIONER) -> list[dict]:
    """The files shared in a DM, as the stand-in holds them (name, title, content)."""
    return [bot.slack.file(f["id"]) for m in bot.dms(user) for f in m.get("files", [])]


def record_body(msg: dict) -> str:
    return "\n".join(body for kind, body in text_objects(msg["blocks"]) if kind == "plain_text")


async def test_the_poster_saves_a_de_identified_record_from_boundary_mine(bot):
    await consult(bot, question="How do I decline <!channel> kindly & *firmly*?")
    post = bot.slack.messages(CONSULT)[0]
    await reply(bot, COLLEAGUE, "Decline warmly, and name the boundary.")
    await bot.slack.send_user_message(
        COLLEAGUE2, CONSULT, "Ask <@U0COLL1> about Rosalind Okafor's school too.", thread_ts=post["ts"]
    )
    await bot.worker.tick()
    await bot.click_dm(PRACTITIONER, "post_op_reply")
    await bot.slack.submit_view(PRACTITIONER, bot.slack.views(PRACTITIONER)[-1]["id"], {"reply": {"value": "Thanks!"}})
    await bot.click_dm(PRACTITIONER, "post_resolve")

    await bot.command(PRACTITIONER, "mine")
    mine = bot.slack.ephemerals(PRACTITIONER)[-1]
    assert "Save a record of this consultation" in flat(mine)
    await bot.slack.click(PRACTITIONER, mine, "post_record", "1")
    assert "sent you the record of Dilemma #1" in flat(bot.slack.calls_to("response_url")[-1].args)

    [record] = records(bot)
    body = record_body(record)
    assert "Dilemma #1" in body and "Date posted: 20" in body
    # the @channel mention was read as plain words and de-identified: shown literally, no ping
    assert "Question as posted:\nHow do I decline [handle] kindly & *firmly*?" in body
    assert "Principles shown:\n• " in body
    assert "What colleagues suggested (2):" in body
    assert "1. Decline warmly, and name the boundary." in body
    assert "2. Ask [name] about" in body and "Rosalind" not in body  # de-identified like an anonymous reply
    assert "Thanks!" not in body  # the poster's own reply is not a colleague's suggestion
    assert "Outcome: resolved" in body
    # Nothing that identifies anyone: no user IDs, no names, no channel.
    for who in (PRACTITIONER, COLLEAGUE, COLLEAGUE2, CONSULT, *ALL_NAMES):
        assert who not in flat(record), who
    mrkdwn = " ".join(b for kind, b in text_objects(record["blocks"]) if kind == "mrkdwn")
    assert "<!channel>" not in mrkdwn
    assert_author_hidden(bot)


async def test_the_record_button_is_on_the_relay_and_only_the_poster_gets_a_record(bot):
    await consult(bot)
    await reply(bot, COLLEAGUE, "Decline warmly.")
    await bot.worker.tick()
    await bot.click_dm(PRACTITIONER, "post_record")
    [record] = records(bot)
    assert "Outcome: open" in record_body(record) and "1. Decline warmly." in record_body(record)

    # Someone else clicking a hand-made button learns nothing and gets no record.
    said = await signed_click(bot, COLLEAGUE, "post_record", "1")
    assert said == text("posts.post.not_owner", number=1)
    assert records(bot, COLLEAGUE) == []


async def test_no_record_when_slack_cannot_show_the_thread_or_the_text_is_purged(bot):
    await consult(bot)
    bot.slack.fail_next("conversations.replies", *([503] * 4))
    said = await signed_click(bot, PRACTITIONER, "post_record", "1")
    assert said == text("posts.record.unavailable", number=1)
    assert records(bot) == []

    await backdate(bot, 1, 3)
    await admin(bot, MODERATOR, "retention 1")
    said = await signed_click(bot, PRACTITIONER, "post_record", "1")
    assert said == text("posts.record.purged", number=1)
    assert records(bot) == []


async def test_the_record_button_works_from_the_home_tab(bot):
    from tests.app.test_moderation import valid_view

    await consult(bot)
    await bot.slack.open_home(PRACTITIONER)
    home = bot.slack.home(PRACTITIONER)
    valid_view(home)
    assert "post_record" in flat(home)
    await bot.slack.click(PRACTITIONER, home, "post_record", "1")
    [record] = records(bot)
    assert "What colleagues suggested (0):" in record_body(record) and "(no replies in the thread yet)" in record_body(
        record
    )


async def test_the_record_also_arrives_as_a_text_file_to_download(bot):
    await consult(bot)
    await reply(bot, COLLEAGUE, "Decline warmly, and name the boundary.")
    await bot.worker.tick()
    await bot.click_dm(PRACTITIONER, "post_record")
    [record] = records(bot)
    [file] = record_files(bot)
    assert file["name"].startswith("consultation-record-dilemma-1-20") and file["name"].endswith(".txt")
    assert file["title"] == "Consultation record · Dilemma #1"
    content = file["content"].decode("utf-8")
    # the same words as the record's text (below its title), as plain text (nothing escaped for mrkdwn)
    assert record_body(record).strip().endswith(content.strip()) and content.startswith("Peer consultation record")
    assert "1. Decline warmly, and name the boundary." in content and "Outcome: open" in content
    for who in (PRACTITIONER, COLLEAGUE, CONSULT, *ALL_NAMES):
        assert who not in content, who
    assert "as a file to download" in flat(bot.slack.calls_to("response_url")[-1].args) or any(
        "as a file to download" in flat(e) for e in bot.slack.ephemerals(PRACTITIONER)
    )


async def test_without_permission_to_share_files_the_text_record_still_arrives(bot):
    bot.slack.scopes.remove("files:write")  # an install from before the scope was asked for
    await consult(bot)
    await bot.command(PRACTITIONER, "mine")
    await bot.slack.click(PRACTITIONER, bot.slack.ephemerals(PRACTITIONER)[-1], "post_record", "1")
    assert len(records(bot)) == 1 and record_files(bot) == []
    said = flat(bot.slack.calls_to("response_url")[-1].args)
    assert "couldn't add it as a file" in said
    assert [c.response["error"] for c in bot.slack.calls_to("files.getUploadURLExternal")] == ["missing_scope"]
