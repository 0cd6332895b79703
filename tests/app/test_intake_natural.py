"""Intake answers typed the way people say them: durations in words, numbers and
abbreviations pick the right choice, over signed HTTP."""

import re

import pytest

from bot.consult.model import IntakeState
from tests.app.test_consult_flow import flat, run_intake_to_preview, signed_click, step_prompt
from tests.conftest import CONSULT, PRACTITIONER, TEAM

DURATIONS = [
    ("about 3 years ago", "2to5y"),
    ("18 months", "6to24m"),
    ("last year", "6to24m"),
    ("a couple of weeks", "lt6m"),
    ("2 yrs", "2to5y"),
    ("a year and a half ago", "6to24m"),
    ("1 yr 6 mo", "6to24m"),
    ("six months ago", "6to24m"),
    ("nearly two years", "6to24m"),
    ("two and a half years", "2to5y"),
    ("5 years", "2to5y"),
    ("more than 5 years", "gt5y"),
    ("roughly 10 years back", "gt5y"),
    ("a few months", "lt6m"),
    ("4 weeks ago", "lt6m"),
    ("3y", "2to5y"),
    ("Under 6 months", "lt6m"),
    ("2–5 years", "2to5y"),
    ("4", "gt5y"),
]


async def answer_of(bot, step_id):
    intake = await bot.services.store.open_intake(TEAM, bot.services.identity.author_hashes(TEAM, PRACTITIONER))
    return IntakeState.from_json(intake.state).answer(step_id)


@pytest.mark.parametrize(("typed", "expected"), DURATIONS)
async def test_typed_durations_pick_the_right_choice(bot, typed, expected):
    await bot.command(PRACTITIONER, "consult")
    await bot.dm(PRACTITIONER, "former client")
    assert "How long ago" in step_prompt(bot.last_dm(PRACTITIONER))
    await bot.dm(PRACTITIONER, typed)
    assert "setting" in step_prompt(bot.last_dm(PRACTITIONER)), flat(bot.dms(PRACTITIONER)[-2:])
    assert await answer_of(bot, "time_since") == expected


@pytest.mark.parametrize("typed", ["sometime", "ended in 2019", "banana"])
async def test_what_names_no_duration_is_asked_again(bot, typed):
    await bot.command(PRACTITIONER, "consult")
    await bot.dm(PRACTITIONER, "former client")
    await bot.dm(PRACTITIONER, typed)
    assert "didn't catch that" in flat(bot.dms(PRACTITIONER)[-2])
    assert "How long ago" in step_prompt(bot.last_dm(PRACTITIONER))


def step_number(msg):
    found = re.search(r"Step (\d+) of (\d+)", flat(msg))
    return (int(found.group(1)), int(found.group(2))) if found else None


async def walk(bot, first_answer, *rest):
    """Answers the intake up to the preview, noting every "Step N of M" shown."""
    await bot.command(PRACTITIONER, "consult")
    seen = [step_number(bot.last_dm(PRACTITIONER))]
    for answer in (first_answer, *rest):
        await bot.dm(PRACTITIONER, answer)
        seen.append(step_number(bot.last_dm(PRACTITIONER)))
    return seen


@pytest.mark.parametrize(
    ("answers", "total"),
    [
        (("current client", "skip", "The client asked to follow me online.", "skip", "ok", "What do I do?"), 6),
        (("former client", "2 yrs", "skip", "The client asked to follow me online.", "skip", "ok", "What now?"), 7),
    ],
)
async def test_step_numbers_count_only_the_steps_asked(bot, answers, total):
    seen = await walk(bot, *answers)
    assert seen[-1] is None  # the preview is not a numbered step
    numbered = seen[:-1]
    assert [n for n, _ in numbered] == list(range(1, total + 1))  # 1, 2, 3… never 1 → 3
    assert all(m == total for _, m in numbered[1:])  # once the relationship is known, the total holds
    assert "Here is your post" in step_prompt(bot.last_dm(PRACTITIONER))


async def test_principle_summaries_are_shortened_at_a_word(bot):
    await walk(bot, "current client", "skip", "The client asked to follow me on Instagram.", "skip")
    await bot.click_dm(PRACTITIONER, "intake_principles_change")
    view = bot.slack.views(PRACTITIONER)[-1]
    options = view["blocks"][0]["element"]["options"]
    summaries = {p.key: p.summary for p in bot.services.catalog.principles.values()}
    shortened = 0
    for option in options:
        shown, full = option["description"]["text"], summaries[option["value"]]
        assert len(shown) <= 75
        if shown == full:
            continue
        shortened += 1
        assert shown.endswith("…")
        kept = shown[:-1]
        assert full.startswith(kept)
        assert full[len(kept)] in " ,;:-–—", (kept, full)  # cut between words, not inside one
    assert shortened  # the catalog has summaries longer than Slack's 75 characters


def removed_lines(preview) -> dict[str, int]:
    text = next(
        b["text"]["text"] for b in preview["blocks"] if "What I removed" in (b.get("text") or {}).get("text", "")
    )
    return {label: int(n) for n, label in re.findall(r"• (\d+) × ([^\n]+)", text)}


async def test_what_i_removed_is_cumulative_after_edits(bot):
    before = removed_lines(await run_intake_to_preview(bot))
    assert before.get("names") and before.get("contact details")
    for round_, name in enumerate(("Margaret Chu", "Theodora"), 1):
        await bot.click_dm(PRACTITIONER, "intake_edit")
        view = bot.slack.views(PRACTITIONER)[-1]
        situation = next(b for b in view["blocks"] if b["block_id"] == "situation")["element"]["initial_value"]
        await bot.slack.submit_view(
            PRACTITIONER,
            view["id"],
            {
                "situation": {"value": f"{situation} Her sister {name} called too."},
                "considering": {"value": ""},
                "question": {"value": "What would you do?"},
            },
        )
        after = removed_lines(bot.last_dm(PRACTITIONER))
        assert "Margaret" not in flat(bot.last_dm(PRACTITIONER))
        for label, n in before.items():  # nothing the first preview removed drops out of the list
            assert after.get(label, 0) >= n, (label, before, after)
        assert after["names"] >= before["names"] + round_


def button_of(msg, action_id):
    for block in msg.get("blocks") or []:
        for el in block.get("elements") or []:
            if el.get("action_id") == action_id:
                return el
    return None


async def test_cancel_asks_first_and_says_what_is_deleted(bot):
    preview = await run_intake_to_preview(bot)
    for msg in bot.dms(PRACTITIONER):
        cancel = button_of(msg, "intake_cancel")
        if cancel is not None:
            assert cancel["confirm"]["title"]["text"] == "Cancel this consult?"
            assert "delete them yourself" in cancel["confirm"]["text"]["text"]
    assert button_of(preview, "intake_cancel")["confirm"]["confirm"]["text"] == "Cancel consult"
    await bot.click_dm(PRACTITIONER, "intake_cancel")
    said = flat(bot.last_dm(PRACTITIONER))
    assert "Everything you wrote" not in said
    assert "app's copy of your answers is deleted" in said and "still in Slack as your own messages" in said
    assert await bot.services.store.open_intake(TEAM, bot.services.identity.author_hashes(TEAM, PRACTITIONER)) is None


def intake_buttons(msg):
    return [
        el
        for b in msg.get("blocks") or []
        for el in b.get("elements") or []
        if str(el.get("action_id", "")).startswith("intake_")
    ]


def now(bot, msg):
    """The message as the DM shows it now (after any chat.update)."""
    return next(m for m in bot.dms(PRACTITIONER) if m["ts"] == msg["ts"])


async def test_superseded_buttons_are_removed_and_old_clicks_get_a_clear_answer(bot):
    first_preview = await run_intake_to_preview(bot)
    with_buttons = [m for m in bot.dms(PRACTITIONER) if intake_buttons(m)]
    assert [m["ts"] for m in with_buttons] == [first_preview["ts"]]  # only the newest prompt keeps buttons
    assert "moved on" in flat(bot.dms(PRACTITIONER)[1])  # the first question, answered

    old_post = button_of(first_preview, "intake_post")["value"]
    await bot.click_dm(PRACTITIONER, "intake_edit")
    view = bot.slack.views(PRACTITIONER)[-1]
    await bot.slack.submit_view(
        PRACTITIONER,
        view["id"],
        {
            "situation": {"value": "A former client wants to be friends."},
            "considering": {"value": ""},
            "question": {"value": "What would you do?"},
        },
    )
    second_preview = bot.last_dm(PRACTITIONER)
    assert "replaced by a newer one below" in flat(now(bot, first_preview))
    assert not intake_buttons(now(bot, first_preview))

    # A click on the old preview's Post anyway (hand-made): nothing is posted.
    await signed_click(bot, PRACTITIONER, "intake_post", old_post)
    assert "replaced by a newer one below" in flat(bot.last_dm(PRACTITIONER))
    assert bot.slack.messages(CONSULT) == []

    newest_post = button_of(second_preview, "intake_post")["value"]
    await bot.click_dm(PRACTITIONER, "intake_post")
    assert len(bot.slack.messages(CONSULT)) == 1
    assert "already posted as *Dilemma #1*" in flat(now(bot, second_preview))
    assert not intake_buttons(now(bot, second_preview))
    for value in (newest_post, old_post):
        await signed_click(bot, PRACTITIONER, "intake_post", value)
        answer = flat(bot.last_dm(PRACTITIONER))
        assert "already posted as *Dilemma #1*" in answer and "help with boundary dilemmas" not in answer
    assert len(bot.slack.messages(CONSULT)) == 1
