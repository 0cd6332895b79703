"""The sandbox page in Chromium, against the small demo app (tests the page, not Boundary Consult)."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.sandbox import demo_app
from bot.sandbox.server import Sandbox, sandbox_database_path
from tests.browser.conftest import shot_path

pytestmark = pytest.mark.browser


@pytest.fixture
async def demo(tmp_path, monkeypatch):
    for var in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    settings = Settings(port=0, data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'sandbox.sqlite3'}")

    def build(s, base):
        sandbox_database_path(s).write_text("x")
        return demo_app.build_app(s, base)

    sb = Sandbox(settings, build, host="127.0.0.1", port=0)
    await sb.start()
    yield sb
    await sb.stop()


async def type_and_send(page, text, box="#composer-input"):
    await page.fill(box, text)
    await page.press(box, "Enter")


async def test_demo_app_in_the_browser(demo, page):
    from playwright.async_api import expect

    await page.goto(demo.url)
    await expect(page.locator("#channel-title")).to_have_text("# peer-consult")
    await expect(page.get_by_label("You are")).to_have_value("U0PRACT")
    sidebar = page.get_by_role("navigation", name="Sandbox workspace")
    await expect(sidebar.get_by_role("button", name="# general")).to_be_visible()
    await expect(sidebar.get_by_role("button", name="Boundary Consult")).to_be_visible()
    await expect(sidebar.get_by_role("button", name="🔒 consult-review")).to_have_count(0)

    # a slash command: the ack comes back as an ephemeral with Block Kit
    await type_and_send(page, "/demo help")
    eph = page.locator("article.msg.ephemeral")
    await expect(eph.get_by_role("heading", name="Demo help")).to_be_visible()
    await expect(eph.get_by_text("Only visible to you")).to_be_visible()
    await expect(eph.locator("strong", has_text="Hello")).to_be_visible()  # mrkdwn
    await expect(eph.get_by_text("Only you can see this.")).to_be_visible()  # context
    await page.screenshot(path=shot_path("sandbox-demo-help"))

    # a button that replaces the ephemeral
    await eph.get_by_role("button", name="Say hi").click()
    await expect(page.locator("article.msg.ephemeral")).to_have_text(lambda_text("Hi there!"))

    # a modal, opened from a section accessory, with every input kind
    await type_and_send(page, "/demo")
    await page.locator("article.msg.ephemeral").last.get_by_role("button", name="Open form").click()
    dialog = page.get_by_role("dialog", name="Demo form")
    await expect(dialog).to_be_visible()
    await expect(dialog.get_by_label("Situation")).to_be_focused()
    await dialog.get_by_role("button", name="Post").click()
    await expect(dialog.get_by_text("Please fill out this field.")).to_have_count(2)
    await dialog.get_by_label("Situation").fill("Mr Smith asked me\nto be friends")
    await dialog.get_by_label("Relationship").select_option("former")
    await dialog.get_by_role("button", name="Post").click()
    await expect(dialog.get_by_text("Please remove names.")).to_be_visible()  # response_action=errors
    await dialog.get_by_label("Situation").fill("The client asked me\nto be friends")
    await dialog.get_by_label("Power dynamics").check()
    await dialog.get_by_label("Small community").check()
    await page.screenshot(path=shot_path("sandbox-demo-modal"))
    await dialog.get_by_role("button", name="Post").click()
    await expect(dialog).to_be_hidden()
    post = page.locator("article.msg:not(.ephemeral)", has_text="Dilemma #1")
    await expect(post).to_be_visible()
    await expect(post.get_by_text("principles: power")).to_be_visible()
    values = demo.slack.calls_to("chat.postMessage")[0].args
    assert "The client asked me\nto be friends" in values["text"]
    # the DM got a message: the sidebar shows it as new
    await expect(sidebar.get_by_role("button", name="Boundary Consult, 1 new")).to_be_visible()

    # another person: the colleague clicks a button on the post, then replies in the thread
    await page.get_by_label("You are").select_option("U0COLL1")
    await expect(page.get_by_text("Only visible to you")).to_have_count(0)
    await post.get_by_role("button", name="Thanks").click()
    await expect(post.get_by_role("button", name="1 reply")).to_be_visible()
    await post.get_by_role("button", name="1 reply").click()
    thread = page.get_by_role("complementary")
    await expect(thread.get_by_text("You're welcome")).to_be_visible()
    await expect(page.locator("#thread-input")).to_be_focused()
    await page.keyboard.type("I'd take this to supervision too.")
    await page.keyboard.press("Enter")
    await expect(thread.get_by_text("I'd take this to supervision too.")).to_be_visible()
    await expect(post.get_by_role("button", name="2 replies")).to_be_visible()
    await page.screenshot(path=shot_path("sandbox-demo-thread"))

    # the DM with the app, by keyboard; and the Home tab
    await page.get_by_label("You are").select_option("U0PRACT")
    await sidebar.get_by_role("button", name="Boundary Consult").focus()
    await page.keyboard.press("Enter")
    await expect(page.locator("#composer-input")).to_be_focused()
    await expect(page.get_by_text("Your dilemma was posted.")).to_be_visible()
    await page.keyboard.type("hello app")
    await page.keyboard.press("Enter")
    await expect(page.get_by_text("echo: hello app")).to_be_visible()
    await page.get_by_role("tab", name="Home").click()
    await expect(page.get_by_text("Welcome home")).to_be_visible()
    await page.get_by_role("tab", name="Messages").click()

    # the moderator sees the private review channel
    await page.get_by_label("You are").select_option("U0MOD")
    await expect(sidebar.get_by_role("button", name="🔒 consult-review")).to_be_visible()

    # reset: everything is gone, the database file was deleted and recreated by the new app
    page.once("dialog", lambda d: d.accept())
    await page.get_by_role("button", name="Reset sandbox").click()
    await expect(page.get_by_role("status").filter(has_text="The sandbox was reset.")).to_be_visible(timeout=10000)
    await sidebar.get_by_role("button", name="# peer-consult").click()
    await expect(page.locator("#messages article.msg")).to_have_count(0)
    await expect(page.get_by_text("No messages yet.")).to_be_visible()
    assert demo.epoch == 2
    await type_and_send(page, "/demo help")
    await expect(page.locator("article.msg.ephemeral").get_by_role("heading", name="Demo help")).to_be_visible()
    assert page.js_errors == []


def lambda_text(text):
    import re

    return re.compile(re.escape(text))


async def test_modal_keyboard_and_escape(demo, page):
    from playwright.async_api import expect

    await page.goto(demo.url)
    await type_and_send(page, "/demo")
    await page.locator("article.msg.ephemeral").get_by_role("button", name="Open form").click()
    dialog = page.get_by_role("dialog", name="Demo form")
    await expect(dialog).to_be_visible()
    await page.keyboard.press("Escape")
    await expect(dialog).to_be_hidden()
    assert demo.slack.views("U0PRACT") == []
    # permalinks open the message in the page
    await demo.slack.send_user_message("U0COLL1", "C0GENERAL", "look here")
    ts = demo.slack.messages("C0GENERAL")[0]["ts"]
    await page.goto(f"{demo.url}archives/C0GENERAL/p{ts.replace('.', '')}")
    await expect(page.locator("#channel-title")).to_have_text("# general")
    await expect(page.locator(f'article[data-ts="{ts}"]')).to_be_visible()
    assert page.js_errors == []
