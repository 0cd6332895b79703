"""The paths issue 13 added, walked in the sandbox page in Chromium: the reply's text in
the poster's relay DM, the consultation record (from the relay and from `/boundary mine`),
the moderator's typed block that asks first (Cancel, then Block) and unblock, and Slack's
#channel / @person autocomplete in a command. Screenshots go to tests/artifacts/ux2-*.png."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import shot_path
from tests.browser.test_sandbox_full_flow import real, send, type_consult  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser

SITUATION = "My former client Rosalind Okafor (34) saw me at Lincoln Elementary and asked to be friends."
REPLY = "Decline warmly, and name the boundary in session."


async def test_relay_text_record_block_confirmation_and_autocomplete(real, page):  # noqa: F811
    from playwright.async_api import expect

    stage = "start"
    try:
        await page.goto(real.url)
        sidebar = page.get_by_role("navigation", name="Sandbox workspace")
        messages = page.locator("#messages")
        last = messages.locator("article.msg").last

        # A consult, typed from start to post.
        stage = "consult"
        await type_consult(
            page,
            (
                ("1", "setting"),
                ("skip", "Describe the situation"),
                (SITUATION, "considering"),
                ("skip", re.compile("principles", re.I)),
                ("ok", "ask your colleagues"),
            ),
        )
        await send(page, "How do I decline kindly?")
        await last.get_by_role("button", name="Post anonymously").click()
        await expect(last).to_contain_text("Posted anonymously")

        # A colleague replies anonymously; the poster's DM carries what they said.
        stage = "reply"
        await page.get_by_label("You are").select_option("U0COLL1")
        await sidebar.get_by_role("button", name="# peer-consult").click()
        post = messages.locator("article.msg", has_text="Dilemma #1")
        await post.get_by_role("button", name="Reply anonymously").click()
        dialog = page.get_by_role("dialog")
        await dialog.get_by_role("textbox").first.fill(REPLY)
        await dialog.locator("#modal-submit").click()
        await expect(dialog).to_be_hidden()

        stage = "relay"
        await page.get_by_label("You are").select_option("U0PRACT")
        await sidebar.get_by_role("button", name=re.compile("Boundary Consult")).click()
        relay = messages.locator("article.msg", has_text=re.compile(r"new repl", re.I)).last
        await expect(relay).to_contain_text(REPLY, timeout=10000)
        await expect(relay).not_to_contain_text("Sam")
        await page.screenshot(path=shot_path("ux2-01-relay-with-the-reply"))

        # The consultation record, from the relay's buttons.
        stage = "record"
        await relay.get_by_role("button", name="Save a record of this consultation").click()
        record = messages.locator("article.msg", has_text="What colleagues suggested").last
        await expect(record).to_contain_text("What colleagues suggested (1):")
        await expect(record).to_contain_text(REPLY)
        await expect(record).to_contain_text("Outcome: open")
        record_text = await record.inner_text()
        for ident in ("Rosalind", "Okafor", "Lincoln", "Pat", "Sam", "U0PRACT", "U0COLL1"):
            assert ident not in record_text, ident
        # …and the same record as a file to download and keep.
        stage = "record file"
        link = messages.get_by_role("link", name=re.compile("Consultation record · Dilemma #1"))
        await expect(link).to_be_visible()
        async with page.expect_download() as info:
            await link.click()
        download = await info.value
        assert re.fullmatch(r"consultation-record-dilemma-1-\d{4}-\d{2}-\d{2}\.txt", download.suggested_filename)
        saved = open(await download.path(), encoding="utf-8").read()
        assert REPLY in saved and "Outcome: open" in saved
        for ident in ("Rosalind", "Okafor", "Lincoln", "Pat", "Sam", "U0PRACT", "U0COLL1"):
            assert ident not in saved, ident
        await link.scroll_into_view_if_needed()
        await page.screenshot(path=shot_path("ux2-02-consultation-record"))

        # …and from `/boundary mine`.
        stage = "mine"
        await sidebar.get_by_role("button", name="# general").click()
        await send(page, "/boundary mine")
        mine = messages.locator("article.msg.ephemeral").last
        await expect(mine.get_by_role("button", name="Save a record of this consultation")).to_be_visible()
        await mine.get_by_role("button", name="Save a record of this consultation").click()
        await expect(messages.locator("article.msg.ephemeral").last).to_contain_text("sent you the record")
        await page.screenshot(path=shot_path("ux2-03-mine-record-sent"))

        # The moderator's typed block asks first: Cancel changes nothing, Block blocks.
        stage = "block question"
        await page.get_by_label("You are").select_option("U0MOD")
        await sidebar.get_by_role("button", name="# general").click()
        await send(page, "/boundary-admin block 1")
        question = messages.locator("article.msg.ephemeral", has_text="Block the author of").last
        await expect(question.get_by_role("button", name="Cancel")).to_be_visible()
        await page.screenshot(path=shot_path("ux2-04-block-asks-first"))
        await question.get_by_role("button", name="Cancel").click()
        await expect(messages.locator("article.msg.ephemeral").last).to_contain_text("Nothing changed")
        stage = "block"
        await send(page, "/boundary-admin block 1")
        question = messages.locator("article.msg.ephemeral", has_text="Block the author of").last
        await question.get_by_role("button", name="Block", exact=True).click()
        await expect(messages.locator("article.msg.ephemeral").last).to_contain_text("can no longer post")
        await page.screenshot(path=shot_path("ux2-05-blocked"))
        await send(page, "/boundary-admin unblock 1")
        await expect(messages.locator("article.msg.ephemeral").last).to_contain_text("can post again")

        # Slack's autocomplete in a command: @al offers @alex, Enter picks it, Enter sends.
        stage = "autocomplete person"
        box = page.locator("#composer-input")
        await box.press_sequentially("/boundary-admin moderators add @al")
        options = page.locator("#mention-list [role=option]")
        await expect(options.first).to_contain_text("@alex")
        await expect(page.locator("#command-hints")).to_contain_text("Type # for a channel")
        await page.screenshot(path=shot_path("ux2-06-autocomplete"))
        await box.press("Enter")
        await expect(box).to_have_value("/boundary-admin moderators add @alex ")
        await box.press("Enter")
        answer = messages.locator("article.msg.ephemeral").last
        await expect(answer).to_contain_text("is now a moderator")
        await expect(answer).to_contain_text("Alex Lindqvist")
        stage = "autocomplete channel"
        await box.press_sequentially("/boundary-admin channel add #gen")
        await expect(options.first).to_contain_text("#general")
        await box.press("Tab")
        await expect(box).to_have_value("/boundary-admin channel add #general ")
        await box.press("Enter")
        await expect(messages.locator("article.msg.ephemeral").last).to_contain_text("is now a consultation channel")
        await page.screenshot(path=shot_path("ux2-07-typed-names-work"))
        assert page.js_errors == []
    except Exception:
        await page.screenshot(path=shot_path(f"ux2-failed-{stage.replace(' ', '-')}"))
        raise
