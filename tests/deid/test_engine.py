"""Engine behaviour: API shape, placeholders, consistency, bad input, properties."""

from __future__ import annotations

import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.deid import Deidentifier, DeidInputError, DeidResult, Span, get_engine
from bot.deid.normalize import clean_output


def test_api_shape(engine):
    r = engine.redact("Client Sharon Pruitt, 52, lives in Decatur; email sp@example.org.")
    assert isinstance(r, DeidResult)
    assert all(isinstance(s, Span) for s in r.spans)
    assert r.removed == {"NAME": 1, "AGE": 1, "LOCATION": 1, "CONTACT": 1}
    assert r.text == "Client [Person A], [50s], lives in [place]; email [email]."
    assert get_engine() is get_engine()


def test_same_person_same_placeholder(engine):
    r = engine.redact("Client is Sharon Pruitt. I told Sharon that her son Bao and Pruitt's ex differ.")
    assert r.text.count("[Person A]") == 3
    assert "[Person B]" in r.text


def test_redact_many_is_consistent_across_texts(engine):
    a, b, c = engine.redact_many(
        ["My client Dale Hruska fixes trucks.", "Dale offered a discount.", "Should I let Anika decide?"]
    )
    assert a.text == "My client [Person A] fixes trucks."
    assert b.text == "[Person A] offered a discount."
    assert c.text == "Should I let [Person B] decide?"


def test_warnings_for_combinations(engine):
    r = engine.redact("I'm the only therapist in a small town and my client is the mayor. She died on June 3rd.")
    assert r.warnings and all(isinstance(w, str) and w.endswith(".") for w in r.warnings)
    assert not engine.redact("Is it ok to accept a small gift?").warnings


def test_spans_are_on_the_original_text(engine):
    text = "ｃｌｉｅｎｔ Ro\u200bsalind (34) in Boise"
    r = engine.redact(text)
    assert [text[s.start : s.end] for s in r.spans] == ["Ro\u200bsalind", "34", "Boise"]


@pytest.mark.parametrize("text", ["", " ", "\n\t  \n", "\x00\x01\x1f", "😀😀", "مرحبا 你好 Привет"])
def test_odd_input_does_not_raise(engine, text):
    r = engine.redact(text)
    assert isinstance(r.text, str)


def test_control_characters_inside_text(engine):
    r = engine.redact("client\x00 Kwabena\x07 called from 555-867-5309\x1f")
    assert "Kwabena" not in r.text and "5309" not in r.text


def test_mixed_scripts(engine):
    r = engine.redact("My client Алексей (李娜) from Київ said hi")
    assert "Алексей" not in r.text


def test_non_string_input_is_a_clear_error(engine):
    with pytest.raises(DeidInputError):
        engine.redact(None)  # type: ignore[arg-type]


def test_long_input_bounded_time(engine):
    unit = "My client Tomasz Wojcik (41) from Decatur emailed tw@example.com on 3/4 about Lincoln Elementary. "
    text = (unit * (100_000 // len(unit) + 1))[:100_000]
    t0 = time.perf_counter()
    r = engine.redact(text)
    assert time.perf_counter() - t0 < 10
    assert "Wojcik" not in r.text and "Decatur" not in r.text


def test_too_long_is_a_clear_error():
    with pytest.raises(DeidInputError):
        Deidentifier(max_chars=1000).redact("a" * 1001)


def test_thread_safe(engine):
    text = "My client Kwabena Mensah, 41, lives at 12 Elm St."
    expected = engine.redact(text).text
    out: list[str] = []

    def work():
        for _ in range(20):
            out.append(engine.redact(text).text)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(out) == {expected}


def test_safety_net_can_be_switched_off():
    text = "I visited Zlotnik yesterday."
    assert "Zlotnik" not in Deidentifier().redact(text).text
    # the tagger is a separate second opinion with its own switch
    assert "Zlotnik" in Deidentifier(safety_net=False, tagger=False).redact(text).text


def test_engine_is_idempotent_on_its_output(engine):
    text = (
        "pt jess (29) from @jess.k, Dr. Okafor at Mercy Hospital in Boise, 1423 Elm St, Apt 4B, "
        "83702, on March 3rd; MRN 00482913; Person A and [Person B] are fine."
    )
    once = engine.redact(text)
    twice = engine.redact(once.text)
    assert twice.spans == [] or twice.text == once.text
    assert twice.text == once.text


# ---- properties ---------------------------------------------------------------
_words = st.sampled_from(
    [
        "client",
        "Kwame",
        "Boise",
        "Hope",
        "will",
        "Dr.",
        "Mrs",
        "34",
        "(29)",
        "3/4",
        "March",
        "3rd",
        "St.",
        "Mary's",
        "Elementary",
        "@jo_k",
        "a@b.co",
        "555-0142",
        "\u200b",
        "\u00ad",
        "Ｍａｒｙ",
        "[Person A]",
        "the",
        "21st",
        ",",
        ".",
        "\n",
        "é",
        "\u0301",
        "MRN",
        "00482913",
        "Apt",
        "4B",
        "Elm",
        "St",
        "Zoom",
    ]
)
_texts = st.one_of(st.text(max_size=300), st.lists(_words, max_size=40).map(" ".join))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_texts)
def test_property_spans_valid(text):
    engine = get_engine()
    r = engine.redact(text)
    prev_end = 0
    for s in r.spans:
        assert 0 <= s.start < s.end <= len(text)
        assert s.start >= prev_end
        prev_end = s.end
    assert sum(r.removed.values()) == len(r.spans)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_texts)
def test_property_no_detected_surface_survives(text):
    r = get_engine().redact(text)
    # the text outside the spans is kept verbatim (bar controls and invisible
    # carriers, see clean_output), placeholders inserted between
    pieces, pos = [], 0
    for s in r.spans:
        pieces.append(text[pos : s.start])
        pieces.append(s.placeholder)
        pos = s.end
    pieces.append(text[pos:])
    assert r.text == clean_output("".join(pieces))
    for s in r.spans:
        surface = text[s.start : s.end].strip()
        if len(surface) >= 4 and surface.isalnum():
            # a removed word may recur only inside kept text that the engine judged safe
            assert surface not in "".join(pieces[1::2])


# prose-shaped text: words and separators as people type them. (Arbitrary
# strings like "@0@0" can defeat idempotence through a lookbehind that saw a
# character the redaction removed; no dilemma is written like that.)
_word = st.one_of(
    _words,
    st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll")), min_size=1, max_size=9),
    st.integers(min_value=0, max_value=99999).map(str),
)
_sep = st.sampled_from([" ", " ", " ", ", ", ". ", "\n", " - ", "? ", "'s "])
_prose = st.lists(st.tuples(_word, _sep), max_size=40).map(lambda ws: "".join(w + s for w, s in ws))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_prose)
def test_property_idempotent(text):
    engine = get_engine()
    once = engine.redact(text).text
    assert engine.redact(once).text == once


def test_idempotent_on_the_dev_corpus(engine):
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "deid_dev.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        once = engine.redact(json.loads(line)["text"]).text
        assert engine.redact(once).text == once


def test_people_named_in_an_edit_get_new_letters():
    """Editing a preview re-redacts text that already holds placeholders: a newly
    named person must not become the existing [Person A]."""
    from bot.deid import get_engine

    edited = "My former client [Person A] asked to be friends. Her husband Marcus Webb called too."
    out = get_engine().redact_many([edited, "Marcus thinks it is fine."])
    assert "[Person A] asked" in out[0].text and "husband [Person B]" in out[0].text
    assert out[1].text.startswith("[Person B]")


@pytest.mark.parametrize(
    "text, hidden",
    [
        ("my old classmate Jordan Kessler is now my client", ["Jordan", "Kessler"]),
        ("client dev (17) asked to add me", ["dev"]),
        ("my client's ex (brandon) found my profile", ["brandon"]),
        ("My client A.M. is a teacher", ["A.M."]),
        ("therapist here, 28, and new to this group", ["28"]),
    ],
)
def test_people_introduced_by_their_role(text, hidden):
    from bot.deid import get_engine

    out = get_engine().redact(text).text
    for surface in hidden:
        assert surface not in out, out


def test_small_numbers_after_here_stay():
    from bot.deid import get_engine

    assert get_engine().redact("we meet here, 3, 4 times a month").text == "we meet here, 3, 4 times a month"
