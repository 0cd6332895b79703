"""`/boundary` through signed HTTP requests, answered ephemerally."""

import json

from slack_sdk.models.blocks import Block

from tests.conftest import PRACTITIONER


def ack_body(delivery, slack=None) -> dict:
    """The answer: acknowledged at once with an empty body, then sent to response_url."""
    assert delivery.status == 200, delivery.response_text
    assert delivery.response_text in ("", None)
    return slack.calls_to("response_url")[-1].args


async def ask(bot, text: str) -> dict:
    return ack_body(await bot.command(PRACTITIONER, text), bot.slack)


def assert_valid_blocks(blocks):
    assert 0 < len(blocks) <= 50
    for b in blocks:
        Block.parse(b).to_dict()
        if b["type"] == "section" and "text" in b:
            assert len(b["text"]["text"]) <= 3000


async def test_help_is_ephemeral_with_consult_button(bot):
    body = await ask(bot, "")
    assert body["response_type"] == "ephemeral"
    assert_valid_blocks(body["blocks"])
    text = json.dumps(body["blocks"])
    assert "consult_start" in text and "Objectivity" in text
    for word in ("help", "HELP "):
        again = await ask(bot, word)
        assert again["blocks"][0] == body["blocks"][0]


async def test_principles_list_has_a_button_each_and_expands(bot):
    body = await ask(bot, "principles")
    buttons = [b["accessory"] for b in body["blocks"] if b.get("accessory")]
    assert len(buttons) == 7
    # Click "More" on the dual relationships principle: the answer goes to response_url.
    before = len(bot.slack.calls_to("response_url"))
    ephemeral = bot.slack.ephemerals(PRACTITIONER)
    assert ephemeral, "the ack's ephemeral message is shown"
    await bot.slack.click(PRACTITIONER, ephemeral[-1], "principle_more:dual_relationship")
    calls = bot.slack.calls_to("response_url")
    assert len(calls) == before + 1
    sent = calls[-1].args
    assert sent.get("response_type", "ephemeral") == "ephemeral"
    assert "Dual" in json.dumps(sent["blocks"])
    assert_valid_blocks(sent["blocks"])


async def test_principle_by_alias_with_typo(bot):
    body = await ask(bot, "Multiple Relatinships")
    assert body["blocks"][0]["type"] == "header"
    assert "Dual" in body["blocks"][0]["text"]["text"]
    assert_valid_blocks(body["blocks"])


async def test_question_gets_principles_with_why_and_guidance(bot):
    body = await ask(bot, "my pt sent me a friend request on fb, should i accept?")
    assert body["response_type"] == "ephemeral"
    assert_valid_blocks(body["blocks"])
    text = json.dumps(body["blocks"])
    assert "What applies here" in text
    assert "consult_start" in text
    assert "principle_more:" in text


async def test_off_topic_question_is_honest(bot):
    body = await ask(bot, "what's the best pizza place downtown")
    text = json.dumps(body["blocks"])
    assert "couldn't find a boundary question" in text
    assert "What applies here" not in text


async def test_user_text_is_escaped_in_the_answer(bot):
    # mentions arrive as markup (read as plain words), typed <b>& as entities (quoted escaped)
    body = await ask(bot, "<!channel> client gift <@U999> ok? <b>&")
    text = json.dumps(body["blocks"])
    assert "<!channel>" not in text and "<@U999>" not in text and "<b>" not in text
    assert "@channel" in text and "&lt;b&gt;&amp;" in text
