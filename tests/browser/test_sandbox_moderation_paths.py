"""The rest of issue 13's walk, in the sandbox page in Chromium: a consult corrected in its
preview (Edit, then Remove words…), held for approval and approved by a moderator from the
App Home queue (which shows the post's text), then flagged by a colleague with a reason and
the flag undone. Screenshots go to tests/artifacts/mod-*.png."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import shot_path
from tests.browser.test_sandbox_full_flow import real, send, type_consult  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser

SITUATION = "My former client Rosalind Okafor saw me at the farmers market and asked to be friends."
FIRST_QUESTION = "Should I say yes?"
CORRECTED = "How do I decline her kindly?"


async def test_correction_approval_and_flag_with_undo(real, page):  # noqa: F811
    from playwright.async_api import expect

    stage = "start"
    try:
        await page.goto(real.url)
        sidebar = page.get_by_role("navigation", name="Sandbox workspace")
        messages = page.locator("#messages")
        last = messages.locator("article.msg").last
        dialog = page.get_by_role("dialog")

        # The moderator turns pre-approval on (posts wait in the review channel and on the App Home).
        stage = "approval on"
        await page.get_by_label("You are").select_option("U0MOD")
        await sidebar.get_by_role("button", name="# general").click()
        await send(page, "/boundary-admin approval on")
        await expect(messages.locator("article.msg.ephemeral").last).to_contain_text("Pre-approval is on")

        # A practitioner's consult, typed to the preview.
        stage = "consult"
        await page.get_by_label("You are").select_option("U0PRACT")
        await type_consult(
            page,
            (
                ("2", "How long ago"),
                ("18 months", "setting"),
                ("skip", "Describe the situation"),
                (SITUATION, "considering"),
                ("skip", re.compile("principles", re.I)),
                ("ok", "ask your colleagues"),
            ),
        )
        await send(page, FIRST_QUESTION)
        await expect(last.get_by_role("button", name="Post anonymously")).to_be_visible()
        assert "Okafor" not in await last.inner_text()

        # Correction 1: Edit rewrites the question; the new preview shows it.
        stage = "edit"
        await last.get_by_role("button", name="Edit").click()
        await expect(dialog).to_be_visible()
        await dialog.get_by_label("Question for colleagues").fill(CORRECTED)
        await page.screenshot(path=shot_path("mod-01-edit-form"))
        await dialog.locator("#modal-submit").click()
        await expect(dialog).to_be_hidden()
        preview = messages.locator("article.msg", has=page.get_by_role("button", name="Post anonymously")).last
        await expect(preview).to_contain_text(CORRECTED)
        await expect(preview).not_to_contain_text(FIRST_QUESTION)
        # What I removed is cumulative: the name from the first preview is still listed.
        await expect(preview).to_contain_text("What I removed")

        # Correction 2: Remove words… takes a word the poster chose out of every field.
        stage = "remove words"
        await preview.get_by_role("button", name="Remove words…").click()
        await expect(dialog).to_be_visible()
        await dialog.get_by_label("Other words to remove").fill("asked")
        await dialog.locator("#modal-submit").click()
        await expect(dialog).to_be_hidden()
        preview = messages.locator("article.msg", has=page.get_by_role("button", name="Post anonymously")).last
        await expect(preview).to_contain_text("[redacted]")
        await expect(preview).not_to_contain_text("asked")
        await page.screenshot(path=shot_path("mod-02-corrected-preview"))

        # Posted: it waits for a moderator, and the poster is told so.
        stage = "post"
        await preview.get_by_role("button", name="Post anonymously").click()
        await expect(messages).to_contain_text("this group reviews posts first")

        # The moderator's App Home queue shows the post's de-identified text; Approve posts it.
        stage = "approve"
        await page.get_by_label("You are").select_option("U0MOD")
        await sidebar.get_by_role("button", name=re.compile("Boundary Consult")).click()
        await page.locator("#tab-home").click()
        home = page.locator("#home-pane")
        await expect(home).to_contain_text("awaiting approval")
        await expect(home).to_contain_text(CORRECTED)
        home_text = await home.inner_text()
        for ident in ("Rosalind", "Okafor", "asked", "Pat", "U0PRACT"):
            assert ident not in home_text, ident
        await page.screenshot(path=shot_path("mod-03-home-queue"))
        await home.get_by_role("button", name="Approve #1").click()
        await expect(home).to_contain_text("Nothing waiting for approval")
        await page.locator("#tab-messages").click()

        stage = "approved"
        await page.get_by_label("You are").select_option("U0PRACT")
        await sidebar.get_by_role("button", name=re.compile("Boundary Consult")).click()
        await expect(messages).to_contain_text("A moderator approved your consult")
        await sidebar.get_by_role("button", name="# peer-consult").click()
        post = messages.locator("article.msg", has_text="Dilemma #1")
        await expect(post).to_contain_text(CORRECTED)

        # A colleague flags it with a reason, then takes the flag back.
        stage = "flag"
        await page.get_by_label("You are").select_option("U0COLL1")
        await sidebar.get_by_role("button", name="# peer-consult").click()
        await post.get_by_role("button", name="Flag for moderators").click()
        await expect(dialog).to_be_visible()
        await dialog.get_by_label(re.compile("Reason")).fill("It may still say too much about where they met.")
        await page.screenshot(path=shot_path("mod-04-flag-reason"))
        await dialog.locator("#modal-submit").click()
        await expect(dialog).to_be_hidden()
        thanks = messages.locator("article.msg.ephemeral", has_text="the moderators have been told").last
        await expect(thanks).to_be_visible()

        stage = "moderator sees the flag"
        await page.get_by_label("You are").select_option("U0MOD")
        await sidebar.get_by_role("button", name=re.compile("Boundary Consult")).click()
        await page.locator("#tab-home").click()
        await expect(home).to_contain_text("flagged")
        await expect(home).to_contain_text("too much about where they met")
        await page.locator("#tab-messages").click()

        stage = "undo flag"
        await page.get_by_label("You are").select_option("U0COLL1")
        await sidebar.get_by_role("button", name="# peer-consult").click()
        await thanks.get_by_role("button", name="Undo flag").click()
        await expect(messages.locator("article.msg.ephemeral").last).to_contain_text("is withdrawn")
        await page.screenshot(path=shot_path("mod-05-flag-undone"))

        stage = "queue after undo"
        await page.get_by_label("You are").select_option("U0MOD")
        await sidebar.get_by_role("button", name=re.compile("Boundary Consult")).click()
        await page.locator("#tab-home").click()
        await expect(home).to_contain_text("Nothing waiting for approval and no open flags")
        assert page.js_errors == []
    except Exception:
        await page.screenshot(path=shot_path(f"mod-failed-{stage.replace(' ', '-')}"))
        raise
