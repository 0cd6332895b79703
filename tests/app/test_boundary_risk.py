"""`/boundary` on a question that describes a risk, and `/boundary-admin resources`,
through signed HTTP requests to the real app."""

import json

import pytest

from tests.app.test_boundary_command import ask, assert_valid_blocks
from tests.app.test_consult_flow import flat, run_intake_to_preview
from tests.app.test_moderation import admin
from tests.conftest import COLLEAGUE, COLLEAGUE2, CONSULT, MODERATOR, PRACTITIONER

CASES = [
    ("self_harm", "she has a plan to kill herself this weekend, can I tell her mum?"),
    ("harm_to_others", "my client threatened to hurt his boss, can I tell anyone?"),
    (
        "abuse_neglect",
        "my 6 year old client disclosed that her uncle touches her private parts, should I post it here?",
    ),
    ("crisis_now", "client is drunk in my waiting room and about to drive home"),
    ("threat_to_practitioner", "my client said he'd kill me if I report him"),
]


def texts(body: dict) -> list[str]:
    out = []
    for b in body["blocks"]:
        if "text" in b:
            out.append(b["text"]["text"])
        for e in b.get("elements", []):
            if isinstance(e, dict) and "text" in e:
                out.append(e["text"] if isinstance(e["text"], str) else e["text"]["text"])
    return out


@pytest.mark.parametrize(("kind", "question"), CASES, ids=[k for k, _ in CASES])
async def test_risk_question_leads_with_the_risk_card(bot, kind, question):
    body = await ask(bot, question)
    assert body["response_type"] == "ephemeral"
    assert_valid_blocks(body["blocks"])
    shown = texts(body)
    assert shown[0].startswith("⚠️ This may need action now"), shown[:2]
    card = shown[1]
    assert "risk protocol" in card and "supervisor or clinical lead now" in card and "emergency services" in card
    assert "your local emergency number" in card  # neutral default: nothing set
    everything = "\n".join(shown)
    assert "not a crisis service" in everything and "not legal advice" in everything
    assert "Tarasoff" in everything and "1976" in everything and "vary by jurisdiction" in everything
    assert "APA 4.05" in everything and "NASW 1.07(c)" in everything and "BACP Ethical Framework GP55d" in everything
    # the card comes before any boundary discussion, and none of the ordinary-situation scripts follow
    blob = json.dumps(body["blocks"])
    assert blob.index("This may need action now") < blob.find("What applies here") or "What applies here" not in blob
    assert "A client has died" not in blob and "lost a client" not in blob
    assert "can't share anything" not in blob and "How you might say it" not in blob
    assert "consult_start" not in blob  # no invitation to post a risk to the peer channel first


async def test_death_by_suicide_long_ago_is_an_ordinary_question(bot):
    body = await ask(bot, "my client's brother died by suicide ten years ago and she wants me at the memorial")
    assert "This may need action now" not in json.dumps(body["blocks"])


async def test_idiom_is_an_ordinary_question(bot):
    body = await ask(bot, "this paperwork is killing me, can my client help with the filing?")
    assert "This may need action now" not in json.dumps(body["blocks"])


async def test_workspace_resources_show_on_the_card_and_in_status(bot):
    assert "neutral default" in await admin(bot, MODERATOR, "resources")
    assert "emergency number is now 999" in await admin(bot, MODERATOR, "resources emergency 999")
    await admin(bot, MODERATOR, "resources crisis Samaritans 116 123")
    assert "protocol link is now <https://intranet.example.org/risk>" in await admin(
        bot, MODERATOR, "resources protocol <https://intranet.example.org/risk>"
    )
    assert "https://" in await admin(bot, MODERATOR, "resources protocol javascript:alert(1)")
    assert "<@U0COLL1>" in await admin(bot, MODERATOR, "resources oncall <@U0COLL1>")
    assert "&lt;!channel&gt;" in await admin(bot, MODERATOR, "resources crisis <!channel> line")
    await admin(bot, MODERATOR, "resources crisis Samaritans 116 123")

    listed = await admin(bot, MODERATOR, "resources")
    assert "999" in listed and "Samaritans 116 123" in listed and "<https://intranet.example.org/risk>" in listed
    status = await admin(bot, MODERATOR, "status")
    assert "Risk resources:" in status and "999" in status and "set in Slack" in status

    body = await ask(bot, "my client just told me she took all her pills an hour ago")
    card = texts(body)[1]
    assert "*999*" in card and "Samaritans 116 123" in card
    assert "<https://intranet.example.org/risk>" in card and "<@U0COLL1>" in card
    assert "your local emergency number" not in card

    assert "cleared" in await admin(bot, MODERATOR, "resources clear emergency")
    card = texts(await ask(bot, "my client just told me she took all her pills an hour ago"))[1]
    assert "your local emergency number" in card and "Samaritans 116 123" in card
    assert "All risk resources are cleared" in await admin(bot, MODERATOR, "resources clear all")
    assert "Risk resources:* neutral defaults" in await admin(bot, MODERATOR, "status")


async def test_resources_are_for_moderators_only(bot):
    assert "Only moderators" in await admin(bot, COLLEAGUE, "resources emergency 112")
    assert "Usage: `/boundary-admin resources`" in await admin(bot, MODERATOR, "resources frobnicate 1")


async def test_an_anonymous_reply_that_describes_a_risk_gets_a_private_note(bot):
    await run_intake_to_preview(bot)
    await bot.click_dm(PRACTITIONER, "intake_post")
    post = bot.slack.messages(CONSULT)[0]
    await bot.slack.click(COLLEAGUE, post, "post_reply_anon")
    await bot.slack.submit_view(
        COLLEAGUE,
        bot.slack.views(COLLEAGUE)[-1]["id"],
        {"reply": {"value": "Honestly, a client of mine told me he is going to kill his boss on Friday."}},
    )
    thread = bot.slack.replies(CONSULT, post["ts"])
    assert any("Anonymous colleague" in flat(m) for m in thread), "the reply is still posted"
    note = flat(bot.last_dm(COLLEAGUE))
    assert "Your anonymous reply is in the thread" in note
    assert "not a crisis service" in note and "supervisor or clinical lead now" in note
    assert "not a crisis service" not in flat(thread)  # the note is the writer's alone

    await bot.slack.click(COLLEAGUE2, post, "post_reply_anon")
    await bot.slack.submit_view(
        COLLEAGUE2, bot.slack.views(COLLEAGUE2)[-1]["id"], {"reply": {"value": "I'd decline warmly."}}
    )
    calm = flat(bot.last_dm(COLLEAGUE2))
    assert "Your anonymous reply is in the thread" in calm and "crisis" not in calm
