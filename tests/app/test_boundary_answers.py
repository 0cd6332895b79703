"""How `/boundary` answers read over signed HTTP: honest about uncertainty, short when off-topic,
clear about language."""

import json

from tests.app.test_code_command import ask
from tests.conftest import PRACTITIONER


async def test_an_unclear_question_offers_the_closest_situations_and_a_title_picks_one(bot):
    body = await ask(bot, PRACTITIONER, "gifts")
    text = json.dumps(body["blocks"])
    assert "No situation fits your question clearly" in text
    assert "A client offers a small gift" in text and "expensive gift" in text
    assert "How you might say it" not in text
    picked = json.dumps((await ask(bot, PRACTITIONER, "A client offers a small gift"))["blocks"])
    assert "Guidance for this situation: A client offers a small gift" in picked


async def test_a_clear_question_gets_its_card(bot):
    text = json.dumps((await ask(bot, PRACTITIONER, "my client gave me a designer bag worth $900"))["blocks"])
    assert "expensive gift" in text and "How you might say it" in text
    assert "happy to accept this" not in text  # the small-gift script


async def test_off_topic_practice_admin_gets_a_short_answer(bot):
    body = await ask(bot, PRACTITIONER, "can anyone recommend software for client invoices?")
    text = json.dumps(body["blocks"])
    assert "couldn't find a boundary question" in text and "I can help with" in text
    assert len(body["blocks"]) <= 3 and "What applies here" not in text


async def test_a_question_in_another_language_gets_a_note(bot):
    body = await ask(bot, PRACTITIONER, "Mi cliente quiere ser mi amiga en Facebook. ¿Qué hago?")
    text = json.dumps(body["blocks"], ensure_ascii=False)
    assert "Spanish" in text and "Answers are in English" in text


async def test_a_risk_question_in_another_language_gets_the_note_on_its_risk_card(bot):
    body = await ask(
        bot, PRACTITIONER, "Mi paciente me dijo que tiene las pastillas guardadas para matarse el domingo."
    )
    text = json.dumps(body["blocks"], ensure_ascii=False)
    assert "This may need action now" in text and "Spanish" in text and "Answers are in English" in text


async def test_an_ordinary_spanish_question_gets_the_boundary_answer(bot):
    body = await ask(bot, PRACTITIONER, "Mi cliente quiere ser mi amiga en Facebook. ¿Qué hago?")
    text = json.dumps(body["blocks"], ensure_ascii=False)
    assert "What applies here" in text and "This may need action now" not in text
