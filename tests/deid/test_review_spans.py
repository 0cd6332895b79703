"""Review spans: what the engine kept but points out ("check these before posting").

Two views of every family: with the recognisers that would remove the word
switched off, the word must be pointed out (the family itself works); with the
full engine, the word must be removed or pointed out, never silently kept.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.deid import Deidentifier, get_engine
from bot.deid.review_spans import REASONS

# words no list knows (checked below), standing for names and places nobody listed
UNKNOWN = ["zorvinka", "quelpa", "brindolyn", "tazmeer", "vexmira", "olundra", "krispalo", "yenduvi"]
# given names that are also dictionary words
WORD_NAMES = ["Dawn", "Rusty", "Grace", "Faith", "Joy", "River", "Rose", "Sky", "Holly", "Wade"]
NAME_SLOTS = [
    "my client {w} missed again",
    "her nonna {w} called me",
    "my bf {w} said hi",
    "a kid named {w} asked",
    "pt is called {w}, she said",
    "her abuela {w} rang",
    "{w}'s mum came in",
    "saw my supervisee {w} today",
]
PLACE_SLOTS = [
    "we met in {w} last week",
    "she drove from {w} on her own",
    "he works at {w} now",
    "lives near {w}",
    "wants me at her salon {w} for a free cut",  # where an organisation's name goes
    "her kid goes to the gym {w} too",
]
# two English words run together are still a place name after a place preposition
COMPOUND_PLACES = ["tollcross", "millbrook", "oakfield", "stonebridge"]
AGE_SLOTS = ["client (m {n}) came in", "pt (she/her, {n}) asked", "back then {n}, she worked", "her dad passed at {n}."]
AGE_WORDS = ["she is turning {w} soon", "the {w}-year-old was there", "he turned {w} and"]
INITIAL_SLOTS = ["{L}. told me", "{L} came in late", "seen {L}'s text", "my client {l} cried", "{L}{L} said no"]
CLEAN = [
    "The group met at 9 in the hall and we had 3 sessions.",
    "I have 12 clients and 2 supervisees, about 30 sessions a week.",
    "Plan B was vitamin D and a Q&A afterwards.",
    "She asked in Session 2 about the Code of Ethics, section A.2.",
    "My client said she will call on Monday in March about Zoom.",
    "We use CBT and DBT; the APA and ACA codes agree on this.",
    "It costs $40 for 50 minutes, or 20% off for students.",
    "I told her I'd think about it and get back to her next week.",
    "My supervisor thinks a gift under 25 dollars is fine at Christmas.",
    "Is it ok to accept a small gift from a client at the end of therapy?",
    # chat, with its shorthand
    "im in sesh all day tmrw but can chat after, ngl this one is hard",
    "he works at wrk near the station and drives an uber on weekends",
    "he turned up at 9 instead of 10 and was really upset",
    "mtg w supervisor on weds re the boundary stuff, any tips beforehand?",
    "client brought cookies to session again, third time this month",
]


def no_names() -> Deidentifier:
    """Everything but names, places, orgs, ages, the safety net and the tagger:
    the rule families of review spans are tested here, the tagger's in test_tagger.py."""
    return Deidentifier(["contact", "id", "date"], tagger=False)


_BARE = no_names()


@pytest.fixture(scope="module")
def bare() -> Deidentifier:
    return _BARE


def pointed(result, text: str) -> dict[str, str]:
    return {text[v.start : v.end]: v.reason for v in result.review}


def removed_or_pointed(result, text: str, word: str) -> bool:
    at = [m.span() for m in re.finditer(r"(?<!\w)" + re.escape(word) + r"(?!\w)", text)]
    assert at, word
    spans = [(s.start, s.end) for s in result.spans] + [(v.start, v.end) for v in result.review]
    return all(any(a < e and s < b for a, b in spans) for s, e in at)


def test_the_unknown_words_are_unknown(engine):
    lex = engine.lex
    for w in UNKNOWN:
        assert not (lex.is_word(w) or lex.is_first(w) or lex.is_surname(w) or lex.is_place(w) or w in lex.allow)


@pytest.mark.parametrize("slot", NAME_SLOTS)
@pytest.mark.parametrize("word", UNKNOWN[:4] + [w.capitalize() for w in UNKNOWN[4:]])
def test_unknown_word_in_name_slot(bare, engine, slot, word):
    text = slot.format(w=word)
    assert pointed(bare.redact(text), text).get(word) == "unknown_name_slot"
    assert removed_or_pointed(engine.redact(text), text, word)


@pytest.mark.parametrize("slot", PLACE_SLOTS)
@pytest.mark.parametrize("word", UNKNOWN)
def test_unknown_word_in_place_slot(bare, engine, slot, word):
    text = slot.format(w=word)
    assert pointed(bare.redact(text), text).get(word) == "unknown_place_slot"
    assert removed_or_pointed(engine.redact(text), text, word)


@pytest.mark.parametrize("word", COMPOUND_PLACES)
def test_compound_word_in_place_slot(bare, word):
    text = f"she lives near {word} with her mum"
    assert pointed(bare.redact(text), text).get(word) == "unknown_place_slot"


@pytest.mark.parametrize("cue", ["the daughter is", "her ex was", "my client is"])
@pytest.mark.parametrize("word", UNKNOWN[:4])
def test_unknown_word_after_person_is(bare, engine, cue, word):
    text = f"she asked me to the wedding, {cue} {word}"
    assert pointed(bare.redact(text), text).get(word) == "unknown_name_slot"
    assert removed_or_pointed(engine.redact(text), text, word)


@pytest.mark.parametrize("word", ["mias", "jaydens", "priyas", "sorchas"])
def test_possessive_without_apostrophe(bare, word):
    text = f"{word} court date is soon"
    assert pointed(bare.redact(text), text).get(word) == "unknown_name_slot"


@pytest.mark.parametrize(
    "slot",
    ["I saw {W} at the shop", "my client {W} is late", "her ex {w} texted me", "a girl named {w}", "{W} texted again"],
)
@pytest.mark.parametrize("name", WORD_NAMES)
def test_dictionary_word_used_as_name(bare, engine, slot, name):
    text = slot.format(W=name, w=name.lower())
    word = name if "{W}" in slot else name.lower()
    assert pointed(bare.redact(text), text).get(word) == "word_as_name"
    assert removed_or_pointed(engine.redact(text), text, word)


@pytest.mark.parametrize("name", WORD_NAMES)
def test_dictionary_word_as_word_is_not_pointed_out(bare, name):
    # lowercase, in no name slot: the word, not the name
    text = f"There was a lot of {name.lower()} in the room and we talked."
    assert name.lower() not in pointed(bare.redact(text), text)


@pytest.mark.parametrize("slot", AGE_SLOTS)
@pytest.mark.parametrize("n", [4, 9, 15, 44, 52, 87])
def test_number_that_may_be_an_age(bare, engine, slot, n):
    text = slot.format(n=n)
    assert pointed(bare.redact(text), text).get(str(n)) == "possible_age"
    assert removed_or_pointed(engine.redact(text), text, str(n))


@pytest.mark.parametrize("slot", AGE_WORDS)
@pytest.mark.parametrize("w", ["two", "six", "eight", "ten"])
def test_age_in_words(bare, engine, slot, w):
    text = slot.format(w=w)
    got = pointed(bare.redact(text), text)
    assert "possible_age" in got.values(), got
    word = w + "-year-old" if "-year-old" in slot else w
    assert removed_or_pointed(engine.redact(text), text, word)


@pytest.mark.parametrize("slot", INITIAL_SLOTS)
@pytest.mark.parametrize("letter", ["S", "M", "K", "J", "R", "T"])
def test_lone_initial(bare, engine, slot, letter):
    text = slot.format(L=letter, l=letter.lower())
    word = letter.lower() if "{l}" in slot else letter * 2 if "{L}{L}" in slot else letter
    assert pointed(bare.redact(text), text).get(word) == "initial"
    assert removed_or_pointed(engine.redact(text), text, word)


@pytest.mark.parametrize("text", CLEAN)
def test_clean_text_has_nothing_to_check(engine, text):
    assert engine.redact(text).review == []


def test_review_is_rare_on_clean_text(engine):
    words = sum(len(re.findall(r"[^\W_]+", t)) for t in CLEAN)
    pointed_out = sum(len(engine.redact(t).review) for t in CLEAN)
    assert 100 * pointed_out / words <= 2


def test_offsets_are_on_the_original_text(bare):
    # an invisible character inside the word, and a full-width letter before it
    text = "\uff21 note: my client zor\u200bvinka missed"
    r = bare.redact(text)
    assert [(text[v.start : v.end], v.reason) for v in r.review] == [("zor\u200bvinka", "unknown_name_slot")]


def test_named_days_and_cited_authors_are_not_pointed_out(engine):
    text = "On St David's Day I reread Yalom, as Rogers wrote about warmth."
    assert engine.redact(text).review == []


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(list("abcKMS 019.,'()-\n") + UNKNOWN + WORD_NAMES + [" my client ", " in ", " at ", "\u200b"]),
        max_size=40,
    ).map("".join)
)
def test_review_spans_are_words_outside_removed_spans(text):
    r = (_BARE if len(text) % 2 else get_engine()).redact(text)
    for v in r.review:
        assert v.reason in REASONS
        assert 0 <= v.start < v.end <= len(text)
        assert text[v.start : v.end].strip() == text[v.start : v.end]
        assert not any(s.start < v.end and v.start < s.end for s in r.spans)
    assert r.review == sorted(r.review)
