"""The poster's, colleague's and moderator's buttons behave as people expect
(Mark resolved / Reopen, Flag with a reason and an undo, the moderator's queue),
over signed HTTP against the stand-in Slack."""

from tests.app.test_consult_flow import flat, run_intake_to_preview
from tests.app.test_moderation import admin, consult, flag_post, review_ready, valid_view
from tests.app.test_moderation import signed_click as signed_click_answer
from tests.conftest import COLLEAGUE, COLLEAGUE2, CONSULT, MODERATOR, PRACTITIONER, REVIEW, TEAM


def actions_of(msg) -> list[str]:
    return [el.get("action_id") for b in msg.get("blocks") or [] for el in b.get("elements") or [] if "action_id" in el]


async def post_consult(bot):
    await run_intake_to_preview(bot)
    await bot.click_dm(PRACTITIONER, "intake_post")
    assert "Posted anonymously as *Dilemma #1*" in flat(bot.last_dm(PRACTITIONER))
    return bot.slack.messages(CONSULT)[0]


async def test_mark_resolved_becomes_reopen_and_reopen_works(bot):
    post = await post_consult(bot)
    await bot.slack.send_user_message(COLLEAGUE, CONSULT, "I'd decline warmly.", thread_ts=post["ts"])
    await bot.worker.tick()
    relay_ts = bot.last_dm(PRACTITIONER)["ts"]
    assert "post_resolve" in actions_of(bot.last_dm(PRACTITIONER))

    await bot.click_dm(PRACTITIONER, "post_resolve")
    relay = next(m for m in bot.dms(PRACTITIONER) if m["ts"] == relay_ts)
    assert "post_reopen" in actions_of(relay) and "post_resolve" not in actions_of(relay)
    assert "Reopen" in flat(relay)
    assert "resolved" in flat(bot.slack.messages(CONSULT)[0]["blocks"][0])
    await bot.command(PRACTITIONER, "mine")
    mine = flat(bot.slack.calls_to("response_url")[-1].args)
    assert "post_reopen" in mine and "post_resolve" not in mine

    await bot.click_dm(PRACTITIONER, "post_reopen")
    relay = next(m for m in bot.dms(PRACTITIONER) if m["ts"] == relay_ts)
    assert "post_resolve" in actions_of(relay) and "post_reopen" not in actions_of(relay)
    assert "resolved" not in flat(bot.slack.messages(CONSULT)[0]["blocks"][0])
    assert "is open again" in flat(bot.slack.calls_to("response_url")[-1].args)
    assert not (await bot.services.store.get_post(1)).resolved


async def test_moderator_queue_shows_the_post_text_and_status_reads_cleanly(bot):
    assert "App Home" in await admin(bot, MODERATOR, "approval on")
    await consult(bot, question="How do I decline <!channel> kindly & *firmly*?")
    await bot.slack.open_home(MODERATOR)
    home = bot.slack.home(MODERATOR)
    valid_view(home)
    blocks = home["blocks"]
    approve_at = next(i for i, b in enumerate(blocks) if "review_approve" in flat(b))
    item = blocks[approve_at - 1]["text"]["text"]  # right above Approve / Reject
    assert "Dilemma #1" in item and "How do I decline" in item
    # the @channel mention reached the app as markup, read as plain words, then de-identified
    assert "<!channel>" not in flat(home) and "[handle]" in item and "&amp;" in item

    status = await admin(bot, MODERATOR, "status")
    assert "))" not in status and "config (" not in status
    assert "_(from default.yaml)_" in status


async def test_flag_asks_an_optional_reason_and_the_flagger_can_undo_it(bot):
    await review_ready(bot)
    await consult(bot)
    post = bot.slack.messages(CONSULT)[0]
    said = await flag_post(bot, COLLEAGUE, post, reason="It names Rosalind, the client's school.")
    assert "moderators have been told" in said
    confirmation = bot.slack.calls_to("response_url")[-1].args
    assert "post_flag_undo" in flat(confirmation["blocks"])

    notice = bot.slack.messages(REVIEW)[-1]
    shown = flat(notice)
    assert "Reason given" in shown and "client's school" in shown
    assert "Rosalind" not in shown  # the reason is de-identified like a reply
    assert COLLEAGUE not in shown and PRACTITIONER not in shown  # nobody's identity
    await bot.slack.open_home(MODERATOR)
    assert "client's school" in flat(bot.slack.home(MODERATOR))
    assert COLLEAGUE not in flat(bot.slack.home(MODERATOR))

    # Undo, from the ephemeral confirmation: the flag is withdrawn, the moderators' notice says so.
    await signed_click_answer(bot, COLLEAGUE, "post_flag_undo", "1")
    assert "withdrawn" in flat(bot.slack.calls_to("response_url")[-1].args)
    assert await bot.services.store.open_flags(TEAM) == []
    closed = flat(bot.slack.messages(REVIEW)[-1])
    assert "Withdrawn by the colleague who flagged it" in closed and "flag_remove" not in closed
    # Someone else cannot undo a flag that is not theirs; the flagger can flag again, without a reason.
    await flag_post(bot, COLLEAGUE, bot.slack.messages(CONSULT)[0])
    await signed_click_answer(bot, COLLEAGUE2, "post_flag_undo", "1")
    assert "no open flag of yours" in flat(bot.slack.calls_to("response_url")[-1].args)
    assert len(await bot.services.store.open_flags(TEAM)) == 1
    assert "Reason given" not in flat(bot.slack.messages(REVIEW)[-1])


async def test_block_from_the_queue_asks_first_and_unblock_lifts_it(bot):
    await consult(bot)
    await flag_post(bot, COLLEAGUE, bot.slack.messages(CONSULT)[0])
    await bot.slack.open_home(MODERATOR)
    home = bot.slack.home(MODERATOR)
    valid_view(home)
    block = next(el for b in home["blocks"] for el in b.get("elements") or [] if el.get("action_id") == "review_block")
    assert block["confirm"]["title"]["text"] == "Block this author?"
    assert "unblock 1" in block["confirm"]["text"]["text"]

    await bot.slack.click(MODERATOR, home, "review_block", "1")
    assert "can no longer post" in flat(bot.last_dm(MODERATOR))
    await bot.command(PRACTITIONER, "consult")
    assert "can't post consults" in flat(bot.last_dm(PRACTITIONER))
    assert "block · Dilemma #1" in await admin(bot, MODERATOR, "audit")

    assert "can post again" in await admin(bot, MODERATOR, "unblock 1")
    await bot.command(PRACTITIONER, "consult")
    assert "Who is the person" in flat(bot.last_dm(PRACTITIONER))


async def test_a_typed_block_asks_first_and_only_the_click_blocks(bot):
    await consult(bot)
    asked = await admin(bot, MODERATOR, "block 1")
    assert asked.startswith("Block the author of *Dilemma #1*?") and "unblock 1" in asked
    question = bot.slack.ephemerals(MODERATOR)[-1]
    assert actions_of(question) == ["admin_block_yes", "admin_block_no"]
    # Asking blocked no one and audited nothing.
    await bot.command(PRACTITIONER, "consult")
    assert "Who is the person" in flat(bot.last_dm(PRACTITIONER))
    assert "block · Dilemma #1" not in await admin(bot, MODERATOR, "audit")

    # Cancel: the question is replaced, nobody is blocked.
    await bot.slack.click(MODERATOR, question, "admin_block_no")
    cancelled = bot.slack.calls_to("response_url")[-1].args
    assert cancelled["text"] == "Nothing changed: nobody was blocked." and cancelled["replace_original"] in (
        True,
        "true",
    )
    assert "block · Dilemma #1" not in await admin(bot, MODERATOR, "audit")

    # Asked again, then Block: the click blocks (and replaces the question).
    await admin(bot, MODERATOR, "block 1.1")  # a reply that does not exist is answered at once
    assert "no anonymous reply 1" in flat(bot.slack.calls_to("response_url")[-1].args).lower()
    await admin(bot, MODERATOR, "block #1")
    question = bot.slack.ephemerals(MODERATOR)[-1]
    await bot.slack.click(MODERATOR, question, "admin_block_yes")
    done = bot.slack.calls_to("response_url")[-1].args
    assert "can no longer post" in done["text"] and done["replace_original"] in (True, "true")
    assert "block · Dilemma #1" in await admin(bot, MODERATOR, "audit")
    before = len(bot.dms(PRACTITIONER))
    await bot.command(PRACTITIONER, "consult")
    assert "can't post consults" in flat(bot.dms(PRACTITIONER)[before:])

    # A Block button clicked by someone who is not a moderator does nothing.
    await admin(bot, MODERATOR, "unblock 1")
    await signed_click_answer(bot, COLLEAGUE, "admin_block_yes", "1")
    assert "Only moderators" in flat(bot.slack.calls_to("response_url")[-1].args)
    assert (await admin(bot, MODERATOR, "audit")).count("> · block · Dilemma #1") == 1
