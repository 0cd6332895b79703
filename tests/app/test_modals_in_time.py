"""A click's trigger_id opens a modal only within 3 s, once (the fake Slack enforces it).
A form whose preparation is slow (the database, Slack's users.info) opens as a
placeholder first and is filled in when ready, so the person always gets it."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import ClientSession

from bot.listeners.actions import common
from bot.sandbox.signing import block_actions_body, signed_headers
from tests.app.test_moderation import admin as admin_command
from tests.app.test_moderation import consult, review_ready
from tests.app.test_review_words import to_preview
from tests.conftest import MODERATOR, PRACTITIONER, REVIEW, SECRET, TEAM

TRIGGER_WINDOW = 3.0


@pytest.fixture
def slow_prepare(monkeypatch):
    """Preparation counts as slow at once (no waiting in tests), and `gate` holds it
    until the test lets it go: the database or Slack taking as long as the test wants."""
    monkeypatch.setattr(common, "PREPARE_SECONDS", 0.0)
    return asyncio.Event()


async def post_signed(bot, body: str) -> int:
    async with ClientSession() as s:
        async with s.post(
            bot.server.make_url("/slack/events"), data=body.encode(), headers=signed_headers(body, SECRET)
        ) as r:
            return r.status


def gated(monkeypatch, obj, name: str, gate: asyncio.Event) -> None:
    real = getattr(obj, name)

    async def slow(*args, **kwargs):
        await gate.wait()
        return await real(*args, **kwargs)

    monkeypatch.setattr(obj, name, slow)


async def test_a_slow_form_opens_as_a_placeholder_in_time_then_becomes_the_form(bot, monkeypatch, slow_prepare):
    await to_preview(bot)
    gated(monkeypatch, bot.services.conversation, "form_for", slow_prepare)
    click = asyncio.create_task(bot.click_dm(PRACTITIONER, "intake_edit"))
    opened = (await bot.slack.wait_for("views.open"))[-1]
    assert opened.ok  # the trigger used while it was fresh
    assert bot.slack.views(PRACTITIONER)[-1]["callback_id"] == "modal_notice"
    bot.slack.advance(TRIGGER_WINDOW + 1)  # the database takes longer than the trigger lasts
    slow_prepare.set()
    await click
    [form] = bot.slack.views(PRACTITIONER)
    assert form["id"] == opened.response["view"]["id"] and form["callback_id"] == "intake_edit_submit"
    assert [c.ok for c in bot.slack.calls_to("views.update")] == [True]


async def test_a_slow_form_that_is_no_longer_current_says_so_in_the_placeholder(bot, monkeypatch, slow_prepare):
    preview = await to_preview(bot)
    value = next(
        el["value"]
        for b in preview["blocks"]
        if b["type"] == "actions"
        for el in b["elements"]
        if el.get("action_id") == "intake_edit"
    )
    await bot.click_dm(PRACTITIONER, "intake_back")  # the preview's buttons are no longer current
    gated(monkeypatch, bot.services.conversation, "form_for", slow_prepare)
    before = len(bot.dms(PRACTITIONER))
    # a click on the old button anyway (a client that had not refreshed yet), signed as Slack sends it
    body = block_actions_body(
        user_id=PRACTITIONER,
        team_id=TEAM,
        action_id="intake_edit",
        value=value,
        trigger_id=bot.slack.issue_trigger(PRACTITIONER),
    )
    click = asyncio.create_task(post_signed(bot, body))
    await bot.slack.wait_for("views.open")
    slow_prepare.set()
    assert await click == 200
    [notice] = bot.slack.views(PRACTITIONER)
    assert notice["callback_id"] == "modal_notice" and "moved on" in str(notice["blocks"])
    assert "submit" not in notice  # nothing to send
    assert len(bot.dms(PRACTITIONER)) > before  # and the DM shows the current step, as before


async def test_a_fast_form_opens_directly(bot):
    await to_preview(bot)
    await bot.click_dm(PRACTITIONER, "intake_edit")
    assert bot.slack.views(PRACTITIONER)[-1]["callback_id"] == "intake_edit_submit"
    assert bot.slack.calls_to("views.update") == []


async def test_a_slow_moderator_check_still_opens_the_reject_form(bot, monkeypatch, slow_prepare):
    await review_ready(bot)
    await admin_command(bot, MODERATOR, "approval on")
    await consult(bot)
    request = bot.slack.messages(REVIEW)[0]
    gated(monkeypatch, bot.services.moderation, "is_moderator", slow_prepare)
    click = asyncio.create_task(bot.slack.click(MODERATOR, request, "review_reject"))
    assert (await bot.slack.wait_for("views.open"))[-1].ok
    bot.slack.advance(TRIGGER_WINDOW + 1)
    slow_prepare.set()
    await click
    [form] = bot.slack.views(MODERATOR)
    assert form["callback_id"] == "review_reject_submit" and form["private_metadata"].startswith("p1~")
