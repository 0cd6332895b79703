"""Normalisation: invisible characters, combining marks and bidi overrides never
hide a detail from the recognisers, and never reach the output."""

from __future__ import annotations

import random
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.deid import get_engine
from bot.deid.normalize import BIDI_CONTROLS, DEFAULT_IGNORABLE, clean_output, is_default_ignorable, normalize

IGNORABLES = [chr(cp) for a, b in DEFAULT_IGNORABLE for cp in range(a, b + 1)]
MARKS = [chr(cp) for cp in range(0x300, 0x370)] + [chr(cp) for cp in range(0x1AB0, 0x1ACF)] + ["\u20dd", "\u20e3"]
NAMES = ["Rosalind", "Kwabena", "Margaret", "Siobhan", "Dolores", "Priyanka", "Bartholomew", "Oluwaseun"]
CARRIERS = [
    "My client {} called me twice last week.",
    "I saw {} at the grocery store yesterday.",
    "Her daughter {} wants to start therapy with me.",
]
PHONES = ["555-867-5309", "07700 900123", "(208) 555-0142"]

_settings = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_table_is_the_unicode_set():
    # sorted, disjoint, the size DerivedCoreProperties gives (4,174 code points)
    flat = [x for r in DEFAULT_IGNORABLE for x in r]
    assert flat == sorted(flat) and all(a <= b for a, b in DEFAULT_IGNORABLE)
    assert len(IGNORABLES) == 4174
    for ch in "\u00ad\u034f\u061c\u180b\u180e\u17b4\u200b\u202e\u2066\ufe0f\ufeff\U000e0041\U000e0100":
        assert is_default_ignorable(ch)
    for ch in "aZ09 \n\u0301\u00e9\u4e00\u05d0":
        assert not is_default_ignorable(ch)


def test_table_matches_the_regex_module_when_installed():
    regex = pytest.importorskip("regex")
    rx = regex.compile(r"\p{Default_Ignorable_Code_Point}")
    want = {cp for cp in range(0x110000) if rx.match(chr(cp))}
    assert want == {ord(c) for c in IGNORABLES}


def _smuggle(name: str, rnd: random.Random, how: str) -> str:
    if how == "ignorable":
        return "".join(c + "".join(rnd.choices(IGNORABLES, k=rnd.randint(0, 2))) for c in name)
    if how == "tags":
        return "".join(c + chr(0xE0020 + rnd.randrange(0x60)) for c in name)
    if how == "selectors":
        return "".join(c + rnd.choice("\ufe0f\ufe0e\U000e0100\u180b\u180c\u180d") for c in name)
    if how == "marks":
        return "".join(c + "".join(rnd.choices(MARKS, k=rnd.randint(1, 6))) for c in name)
    if how == "controls":
        return "".join(c + rnd.choice("\x00\x01\x7f\x9b") for c in name)
    if how == "rlo":
        return "\u202e" + name[::-1] + "\u202c"
    if how == "rlo_open":  # never closed: the override runs to the paragraph's end
        return "\u202e" + name[::-1]
    raise AssertionError(how)


_HOWS = ["ignorable", "tags", "selectors", "marks", "controls", "rlo", "rlo_open"]


def _visible_letters(s: str) -> str:
    return normalize(s).text


@_settings
@given(st.sampled_from(NAMES), st.sampled_from(CARRIERS), st.sampled_from(_HOWS), st.randoms())
def test_a_smuggled_name_is_still_removed(name, carrier, how, rnd):
    engine = get_engine()
    plain = carrier.format(name)
    assert name in [plain[s.start : s.end] for s in engine.redact(plain).spans]
    if how == "rlo_open":
        carrier = carrier.split("{}")[0] + "{}"  # nothing after it on the line
    text = carrier.format(_smuggle(name, rnd, how))
    r = engine.redact(text)
    assert name.lower() not in _visible_letters(r.text).lower()
    assert name[::-1].lower() not in _visible_letters(r.text).lower()
    assert "[Person A]" in r.text
    assert not any(ch in BIDI_CONTROLS for ch in r.text)


@_settings
@given(st.sampled_from(PHONES), st.sampled_from(["\x00", "\u200b", "\u2060", "\ufeff", "\u00ad"]), st.randoms())
def test_an_invisible_inside_a_number_does_not_split_it(phone, junk, rnd):
    pos = rnd.randrange(1, len(phone))
    text = f"Her number is {phone[:pos]}{junk}{phone[pos:]} if you need it."
    r = get_engine().redact(text)
    assert len(r.spans) == 1
    assert not any(ch.isdigit() for ch in r.text)


@_settings
@given(st.text(alphabet=st.sampled_from(list("ab cD\n.") + sorted(BIDI_CONTROLS) + IGNORABLES[:40]), max_size=60))
def test_no_bidi_control_or_invisible_carrier_reaches_the_output(text):
    out = get_engine().redact(text).text
    assert not any(ch in BIDI_CONTROLS for ch in out)
    assert not any(ch == "\x00" or 0xE0000 <= ord(ch) <= 0xE0FFF for ch in out)


@_settings
@given(st.text(max_size=80))
def test_offsets_map_into_the_original(text):
    n = normalize(text)
    for a in range(len(n.text)):
        for b in range(a + 1, min(len(n.text), a + 6) + 1):
            oa, ob = n.to_original(a, b)
            assert 0 <= oa < ob <= len(text)


@_settings
@given(st.text(alphabet=st.characters(categories=["Lu", "Ll"]), min_size=1, max_size=12), st.randoms())
def test_marks_fold_onto_their_letter(word, rnd):
    marked = "".join(c + "".join(rnd.choices(MARKS, k=rnd.randint(0, 3))) for c in word)
    plain = "".join(c for c in unicodedata.normalize("NFKD", word) if unicodedata.category(c) not in ("Mn", "Me"))
    assert normalize(marked).text == unicodedata.normalize("NFKC", plain)


def test_clean_output_keeps_what_shapes_visible_text():
    assert clean_output("👩\u200d👩\u200d👧 ok \u2764\ufe0f") == "👩\u200d👩\u200d👧 ok \u2764\ufe0f"
    assert clean_output("a\ufe0f\ufe0f\U000e0100b") == "a\ufe0fb"
    assert clean_output("x\ud800y") == "x\ufffdy"
