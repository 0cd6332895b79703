"""The intake's conversation rules: typed and clicked answers, commands at every
step, validation, the edit form, second consults, expiry and the risk note."""

from datetime import timedelta

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from sqlalchemy import update

from bot.storage import models as m
from bot.storage.models import utcnow
from tests.app.test_consult_flow import flat, run_intake_to_preview, signed_click, step_prompt
from tests.conftest import CONSULT, PRACTITIONER, TEAM


def prompt(bot):
    return step_prompt(bot.last_dm(PRACTITIONER))


def assert_all_dms_valid(bot):
    for msg in bot.dms(PRACTITIONER):
        assert len(msg.get("blocks") or []) <= 50
        for b in msg.get("blocks") or []:
            Block.parse(b).to_dict()


async def test_typed_labels_and_numbers_and_commands(bot):
    await bot.command(PRACTITIONER, "consult")
    await bot.dm(PRACTITIONER, "banana")
    assert "didn't catch that" in flat(bot.dms(PRACTITIONER)[-2])  # the error, then the same step again
    assert "Who is the person" in prompt(bot)
    await bot.dm(PRACTITIONER, "Former client")
    assert "How long ago" in prompt(bot)
    await bot.dm(PRACTITIONER, "back")
    assert "Who is the person" in prompt(bot)
    await bot.dm(PRACTITIONER, "back")
    assert "first question" in flat(bot.dms(PRACTITIONER)[-2])
    await bot.dm(PRACTITIONER, "current")
    assert "setting" in prompt(bot)  # "time since" only for former clients
    await bot.dm(PRACTITIONER, "SMALL or rural")
    await bot.dm(PRACTITIONER, "skip")
    assert "can't be skipped" in flat(bot.dms(PRACTITIONER)[-2])
    await bot.dm(PRACTITIONER, "   ")
    assert "Describe the situation" in prompt(bot)
    await bot.dm(PRACTITIONER, "x" * 3001)
    assert "3001 characters" in flat(bot.dms(PRACTITIONER)[-2])
    await bot.dm(PRACTITIONER, "restart")
    assert "Starting over" in flat(bot.dms(PRACTITIONER)[-2])
    assert "Who is the person" in prompt(bot)
    await bot.dm(PRACTITIONER, "cancel")
    assert "deleted" in flat(bot.last_dm(PRACTITIONER))
    assert await bot.services.store.open_intake(TEAM, bot.services.identity.author_hashes(TEAM, PRACTITIONER)) is None
    assert_all_dms_valid(bot)


async def test_buttons_back_skip_cancel_and_stale_clicks(bot):
    await bot.command(PRACTITIONER, "consult")
    first = bot.last_dm(PRACTITIONER)
    await bot.click_dm(PRACTITIONER, "intake_choice:1")
    # The old question lost its buttons; a click on one anyway (hand-made) changes nothing.
    assert "intake_choice" not in flat(next(m for m in bot.dms(PRACTITIONER) if m["ts"] == first["ts"]))
    old_value = next(
        el["value"]
        for b in first["blocks"]
        for el in b.get("elements") or []
        if el.get("action_id") == "intake_choice:3"
    )
    await signed_click(bot, PRACTITIONER, "intake_choice:3", old_value)
    assert "moved on" in flat(bot.dms(PRACTITIONER)[-2])
    assert "setting" in prompt(bot)
    await bot.click_dm(PRACTITIONER, "intake_skip")
    assert "Describe the situation" in prompt(bot)
    await bot.click_dm(PRACTITIONER, "intake_back")
    assert "setting" in prompt(bot)
    await bot.click_dm(PRACTITIONER, "intake_cancel")
    assert "deleted" in flat(bot.last_dm(PRACTITIONER))


async def test_private_form_validates_inside_the_modal(bot):
    await bot.command(PRACTITIONER, "consult")
    await bot.dm(PRACTITIONER, "1")
    await bot.dm(PRACTITIONER, "skip")
    await bot.click_dm(PRACTITIONER, "intake_form")
    view = bot.slack.views(PRACTITIONER)[-1]
    View(
        **{
            k: v
            for k, v in view.items()
            if k in ("type", "title", "blocks", "submit", "close", "callback_id", "private_metadata")
        }
    ).to_dict()
    d = await bot.slack.submit_view(PRACTITIONER, view["id"], {"answer": {"value": "  "}}, enforce_required=False)
    assert "errors" in d.response_text
    assert "Describe the situation" in prompt(bot)


async def test_principles_can_be_typed_or_chosen_in_a_form(bot):
    await bot.command(PRACTITIONER, "consult")
    await bot.dm(PRACTITIONER, "1")
    await bot.dm(PRACTITIONER, "skip")
    await bot.dm(PRACTITIONER, "The client gave me an expensive watch as a gift.")
    await bot.dm(PRACTITIONER, "skip")
    assert "I'd suggest" in flat(bot.last_dm(PRACTITIONER))
    await bot.dm(PRACTITIONER, "2 7")
    intake = await bot.services.store.open_intake(TEAM, bot.services.identity.author_hashes(TEAM, PRACTITIONER))
    assert intake.state["answers"]["principles"] == ["confidentiality", "consultation"]
    await bot.dm(PRACTITIONER, "back")
    await bot.click_dm(PRACTITIONER, "intake_principles_change")
    view = bot.slack.views(PRACTITIONER)[-1]
    await bot.slack.submit_view(PRACTITIONER, view["id"], {"principles": {"value": ["power", "objectivity"]}})
    intake = await bot.services.store.open_intake(TEAM, bot.services.identity.author_hashes(TEAM, PRACTITIONER))
    assert set(intake.state["answers"]["principles"]) == {"power", "objectivity"}


async def test_edit_form_is_prefilled_with_deidentified_text_and_deidentifies_again(bot):
    await run_intake_to_preview(bot)
    await bot.click_dm(PRACTITIONER, "intake_edit")
    view = bot.slack.views(PRACTITIONER)[-1]
    prefilled = flat(view)
    assert "[Person A]" in prefilled and "Rosalind" not in prefilled
    await bot.slack.submit_view(
        PRACTITIONER,
        view["id"],
        {
            "situation": {"value": "A former client, Margaret Chu, wants to be friends."},
            "considering": {"value": ""},
            "question": {"value": "What would you do?"},
        },
    )
    preview = flat(bot.last_dm(PRACTITIONER))
    assert "Post anonymously" in preview and "Margaret" not in preview and "Chu" not in preview
    await bot.click_dm(PRACTITIONER, "intake_post")
    assert "Margaret" not in flat(bot.slack.messages(CONSULT))


async def test_second_consult_asks_resume_or_start_over(bot):
    await bot.command(PRACTITIONER, "consult")
    await bot.dm(PRACTITIONER, "1")
    await bot.command(PRACTITIONER, "consult")
    assert "Resume it, or start over" in flat(bot.last_dm(PRACTITIONER))
    await bot.click_dm(PRACTITIONER, "intake_resume")
    assert "setting" in prompt(bot)
    await bot.command(PRACTITIONER, "consult")
    await bot.click_dm(PRACTITIONER, "intake_restart")
    assert "Who is the person" in prompt(bot)


async def test_idle_intake_expires_with_its_raw_text(bot):
    await bot.command(PRACTITIONER, "consult")
    await bot.dm(PRACTITIONER, "1")
    await bot.dm(PRACTITIONER, "skip")
    await bot.dm(PRACTITIONER, "Secret detail about Rosalind")
    async with bot.services.store.session() as s:
        await s.execute(update(m.Intake).values(updated_at=utcnow() - timedelta(hours=25)))
    await bot.worker.tick()
    assert await bot.services.store.open_intake(TEAM, bot.services.identity.author_hashes(TEAM, PRACTITIONER)) is None
    await bot.dm(PRACTITIONER, "hello?")
    assert "start an anonymous consult" in flat(bot.last_dm(PRACTITIONER)).lower()


async def test_risk_of_harm_adds_the_duty_to_warn_note(bot):
    await bot.command(PRACTITIONER, "consult")
    await bot.dm(PRACTITIONER, "1")
    await bot.dm(PRACTITIONER, "skip")
    await bot.dm(
        PRACTITIONER, "The client mentioned thoughts of suicide and wants to meet me for coffee instead of sessions."
    )
    await bot.dm(PRACTITIONER, "skip")
    await bot.dm(PRACTITIONER, "ok")
    await bot.dm(PRACTITIONER, "Should I agree to coffee?")
    preview = flat(bot.last_dm(PRACTITIONER))
    assert "mandated reporting" in preview and "supervisor or clinical lead now" in preview
    assert "not a crisis service" in preview and "intake_post" in preview


async def test_dm_without_intake_offers_to_start(bot):
    await bot.dm(PRACTITIONER, "hi there")
    assert "consult_start" in flat(bot.last_dm(PRACTITIONER))
    await bot.click_dm(PRACTITIONER, "consult_start")
    assert "Who is the person" in prompt(bot)


async def test_mine_lists_own_posts_only(bot):
    await run_intake_to_preview(bot)
    await bot.click_dm(PRACTITIONER, "intake_post")
    await bot.command(PRACTITIONER, "mine")
    mine = flat(bot.slack.calls_to("response_url")[-1].args)
    assert "Dilemma #1" in mine and "post_resolve" in mine
    await bot.command("U0COLL1", "mine")
    other = flat(bot.slack.calls_to("response_url")[-1].args)
    assert "Dilemma #1" not in other and "haven't posted" in other


async def test_a_group_removed_before_posting_is_never_silently_replaced(tmp_path, slack):
    from tests.conftest import REVIEW, make_settings, start_bot, stop_bot

    settings = make_settings(
        tmp_path,
        slack_api_url=slack.api_url,
        channels=[{"id": CONSULT, "name": "peer-consult"}, {"id": REVIEW, "name": "second-group"}],
    )
    bot = await start_bot(settings, slack)
    try:
        await bot.command(PRACTITIONER, "consult")
        for text in ("1", "skip", "The client asked me to be friends.", "skip", "ok", "What would you do?"):
            await bot.dm(PRACTITIONER, text)
        assert "Which group" in prompt(bot)
        await bot.click_dm(PRACTITIONER, "intake_choice:1")
        preview = bot.last_dm(PRACTITIONER)
        assert f"<#{CONSULT}>" in flat(preview)  # the preview says where it goes
        await bot.services.store.set_channel(TEAM, CONSULT, "peer-consult", active=False)
        await bot.slack.click(PRACTITIONER, preview, "intake_post")
        assert bot.slack.messages(CONSULT) == [] and bot.slack.messages(REVIEW) == []
        assert "choose where this consult should go" in flat(bot.dms(PRACTITIONER)[-2])
        await bot.click_dm(PRACTITIONER, "intake_choice:1")
        assert f"<#{REVIEW}>" in flat(bot.last_dm(PRACTITIONER))
        await bot.click_dm(PRACTITIONER, "intake_post")
        assert len(bot.slack.messages(REVIEW)) == 1 and bot.slack.messages(CONSULT) == []
    finally:
        await stop_bot(bot)
