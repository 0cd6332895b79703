"""The poster's, colleague's and moderator's buttons behave as people expect
(Mark resolved / Reopen, Flag with a reason and an undo, the moderator's queue),
over signed HTTP against the stand-in Slack."""

from tests.app.test_consult_flow import flat, run_intake_to_preview
from tests.app.test_moderation import admin, consult, valid_view
from tests.conftest import COLLEAGUE, CONSULT, MODERATOR, PRACTITIONER


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
    assert "<!channel>" not in flat(home) and "&lt;!channel&gt;" in item and "&amp;" in item

    status = await admin(bot, MODERATOR, "status")
    assert "))" not in status and "config (" not in status
    assert "_(from default.yaml)_" in status
