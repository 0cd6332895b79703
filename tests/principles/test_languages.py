"""A question in another language: a clear note that answers are in English, and an answer where one is found."""

from __future__ import annotations

import pytest

from bot.blocks import answers
from bot.principles import get_catalog, get_matcher


@pytest.mark.parametrize(
    "q,lang",
    [
        ("Mi paciente quiere darme un regalo muy caro por Navidad. ¿Lo acepto?", "es"),
        ("Una clienta me invitó a su boda y no sé qué hacer", "es"),
        ("Ma cliente veut devenir mon amie sur Facebook, est-ce que je peux accepter ?", "fr"),
        ("Mein Klient hat mir ein Geschenk gemacht, darf ich das annehmen?", "de"),
        ("Minha cliente pediu para ser minha amiga no Instagram. O que eu faço?", "pt"),
        ("Il mio paziente mi ha chiesto di essere suo amico su Facebook", "it"),
    ],
)
def test_other_languages_are_recognised_and_still_answered(q, lang):
    a = get_matcher().answer(q)
    assert a.language == lang
    assert not a.off_topic and a.principles


@pytest.mark.parametrize(
    "q",
    [
        "my client gave me a gift de la casa, is that ok?",
        "client wants to meet at a cafe in la jolla",
        "is it ok to accept a piñata from a client's kid",
        "a client asked me to be godmother to her baby",
    ],
)
def test_english_with_a_few_foreign_words_is_english(q):
    assert get_matcher().answer(q).language is None


def test_the_answer_says_answers_are_in_english():
    cat = get_catalog()
    a = get_matcher().answer("Mi cliente me pidió que fuera la madrina de su bebé. ¿Qué hago?")
    text = str(answers.answer_message(cat, "q", a).blocks)
    assert "Spanish" in text and "in English" in text


def test_an_unmatched_question_in_another_language_says_so():
    cat = get_catalog()
    a = get_matcher().answer("¿Alguien sabe una buena receta de lasaña vegetariana para congelar?")
    assert a.off_topic and a.language == "es"
    text = str(answers.answer_message(cat, "q", a).blocks)
    assert "Spanish" in text and "only answer in English" in text


@pytest.mark.parametrize(
    "q",
    [
        "En klient frågar om hon får följa mig på Instagram, vad ska jag göra",  # Swedish: no word list
        "yung kliyente ko gusto niya akong maging kaibigan sa Facebook ano gagawin ko",  # Tagalog
    ],
)
def test_a_language_without_a_word_list_still_gets_the_note(q):
    a = get_matcher().answer(q)
    assert a.language == "other"
    message = answers.answer_message(get_catalog(), q, a)
    assert "a language other than English" in message.text + str(message.blocks)


@pytest.mark.parametrize(
    "q",
    [
        "client keeps flirting in session, getting uncomfortable",
        "pt in IOP told me she fantasizes about quitting, thoughts?",
        "former client now my daughters piano teacher",
    ],
)
def test_terse_english_is_english(q):
    assert get_matcher().answer(q).language is None
