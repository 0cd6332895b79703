"""The statistical tagger (bot/deid/tagger.py) as part of the engine.

Names here are invented from syllables and kept only when no word list knows
them (not a word, given name, surname or place), so the tagger has never seen
them in training (it trains on listed names and blends of two listed names) and
the rules' name lists cannot find them either: what is found is found from its
slot and shape.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from bot.deid import Deidentifier, get_engine
from bot.deid.lexicons import get_lexicons
from bot.deid.tagger import MODEL_PATH, REASON, Tagger

ROOT = Path(__file__).resolve().parents[2]
_SYLLABLES = "ka lo mi zu ren ta vi sho ne dra bel qui tor an ys mar eth ul fen od".split()


def invented(n: int, seed: int = 7) -> list[str]:
    lex = get_lexicons()
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        w = "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 3))))
        known = lex.is_word(w) or lex.is_first(w) or lex.is_surname(w) or lex.is_place(w)
        if len(w) >= 5 and not known and w not in out:
            out.append(w)
    return out


NAMES = invented(40)


def found(result, text: str, word: str) -> tuple[str | None, bool]:
    """(label of the removed span covering `word`, or None; whether it is pointed out)."""
    a = text.index(word)
    b = a + len(word)
    for s in result.spans:
        if s.start <= a and b <= s.end:
            return s.label, False
    return None, any(r.start < b and a < r.end for r in result.review)


def test_weights_file_loads_and_is_small():
    assert MODEL_PATH.stat().st_size < 150_000
    t = Tagger.load()
    assert len(t.weights) > 1_000
    assert all(len(v) == 3 for v in t.weights.values())


@pytest.mark.skipif(not (ROOT / "benchmarks" / "data" / "deid_dev.jsonl").exists(), reason="corpora absent")
def test_training_script_reproduces_the_shipped_weights(tmp_path):
    out = tmp_path / "tagger.json.gz"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "train_deid_tagger.py"), "--out", str(out)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    assert out.read_bytes() == MODEL_PATH.read_bytes()


# lowercase chat where only the slot says "a person": the rules' cues do not cover these
_PERSON_SLOTS = ("told {n} i cant do that", "{n} and her mum came in again", "so then {n} asked me if")


@pytest.mark.parametrize("slot", _PERSON_SLOTS)
def test_unseen_lowercase_names_are_never_silent_in_person_slots(slot):
    eng = get_engine()
    silent = mislabelled = 0
    for n in NAMES:
        text = slot.format(n=n)
        label, pointed = found(eng.redact(text), text, n)
        assert label != "LOCATION", text
        silent += label is None and not pointed
        mislabelled += label == "ORG"
    # the rules alone find none of these (next test); the tagger removes or points out nearly all
    assert silent <= len(NAMES) // 5, silent
    assert mislabelled <= len(NAMES) // 10, mislabelled


def test_rules_alone_miss_those_slots():
    """What the previous test measures is the tagger's doing."""
    rules = Deidentifier(tagger=False)
    text = _PERSON_SLOTS[0].format(n=NAMES[0])
    assert found(rules.redact(text), text, NAMES[0]) == (None, False)


_PLACE_SLOTS = ("shes moving to {n} next month", "she grew up in {n} and hates it", "we both live out in {n} now")


@pytest.mark.parametrize("slot", _PLACE_SLOTS)
def test_a_place_is_never_shown_as_a_person(slot):
    eng = get_engine()
    for n in NAMES:
        text = slot.format(n=n)
        label, _ = found(eng.redact(text), text, n)
        assert label != "NAME", text


@pytest.mark.parametrize("head", ["plumbing", "counselling", "fitness", "bakery"])
def test_a_business_named_after_someone_is_a_business(head):
    eng = get_engine()
    for n in NAMES[:10]:
        text = f"he works at {n} {head} now"
        r = eng.redact(text)
        label, _ = found(r, text, f"{n} {head}")
        assert label == "ORG", (text, r.text)


# clean text, formal and chat: the tagger must not remove anything here
CLEAN = [
    "Is it appropriate to accept a small gift from a client at the end of therapy?",
    "My supervisor suggested I document the boundary discussion in the progress note.",
    "The family therapy sessions moved to Tuesdays after the school holidays.",
    "We use Motivational Interviewing and Acceptance and Commitment Therapy in the support group.",
    "Numbers followed by units are not ages, and storm warnings closed the schools.",
    "im in sesh all day tmrw but can chat after, ngl this one is hard",
    "client brought cookies to session again, third time this month",
    "mtg w supervisor on weds re the boundary stuff, any tips beforehand?",
    "does anyone else find the intake paperwork for the community clinic a nightmare",
    "faith based clients asking me to pray with them, how do u handle it",
    "my practice is small and the referral network here is mostly word of mouth",
    "had a rough week, two cancellations and a complaint about the waiting room",
]


@pytest.mark.parametrize("text", CLEAN + [t.lower() for t in CLEAN])
def test_clean_text_keeps_its_words(text):
    tagger_only = Deidentifier([], safety_net=False)
    r = tagger_only.redact(text)
    assert r.spans == [], r.text


def test_review_burden_on_clean_text_is_low():
    eng = get_engine()
    words = pointed = 0
    for text in CLEAN + [t.lower() for t in CLEAN]:
        r = eng.redact(text)
        words += len(text.split())
        pointed += len(r.review)
    assert pointed * 100 <= 2 * words, (pointed, words)


def test_tagger_reasons_are_review_reasons():
    from bot.deid.review_spans import REASONS

    assert set(REASON.values()) <= set(REASONS)


@pytest.mark.parametrize("seed", range(5))
def test_engine_with_tagger_is_idempotent_on_generated_chat(seed):
    rng = random.Random(seed)
    eng = get_engine()
    slots = list(_PERSON_SLOTS + _PLACE_SLOTS) + ["he works at {n} plumbing now", "{n}s mum wants a letter"]
    for _ in range(20):
        parts = [rng.choice(slots).format(n=rng.choice(NAMES)) for _ in range(3)]
        once = eng.redact(". ".join(parts)).text
        assert eng.redact(once).text == once
