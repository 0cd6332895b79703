"""Placeholders that tell the truth: places and organisations are not people,
people who share a family name keep their own letters (and the family name
alone says it could be either), and every part of a name goes with it."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.deid import get_engine
from bot.deid.replace import PERSON_PLACEHOLDER_RE, PLACEHOLDER_RE, PersonBook

GIVEN = ["Linda", "Grace", "Helen", "James", "Rosalind", "Kwame", "Priya", "Tomasz", "Aroha", "Siobhan", "Mateo"]
FAMILY = ["Okafor", "Reid", "Kowalski", "Mensah", "Nakamura", "Fitzgerald", "Haddad", "Lindqvist"]
RELATIONS = [
    "My client {a} brought her daughter {b} to the session.",
    "My client {a} and his wife {b} both asked to see me.",
    "{a} is my client; her mother {b} called me yesterday.",
    "I saw {a} last year, and now her husband {b} wants an appointment.",
]
_s = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def letters(text: str) -> list[str]:
    return [m.group(1) for m in PERSON_PLACEHOLDER_RE.finditer(text)]


@_s
@given(st.sampled_from(RELATIONS), st.lists(st.sampled_from(GIVEN), min_size=2, max_size=2, unique=True))
def test_two_people_with_one_family_name_keep_two_letters(template, givens):
    for fam in FAMILY:
        a, b = f"{givens[0]} {fam}", f"{givens[1]} {fam}"
        text = template.format(a=a, b=b) + f" Later {fam} said it was fine. Then {givens[1]} left."
        out = get_engine().redact(text).text
        found = letters(out)
        assert found[:2] == ["A", "B"], out
        assert found[2] == "A or B", out  # the family name alone: honest, not one of them
        assert found[3] == "B", out  # the given name: that one person
        assert fam not in out and givens[0] not in out and givens[1] not in out


@_s
@given(st.lists(st.tuples(st.sampled_from(GIVEN), st.sampled_from(FAMILY)), min_size=1, max_size=8))
def test_book_one_letter_per_full_name_and_never_shared(people):
    book = PersonBook()
    seen: dict[tuple[str, str], str] = {}
    for g, f in people:
        ph = book.letter_for(f"{g} {f}")
        assert seen.setdefault((g, f), ph) == ph
    by_letter: dict[str, set] = {}
    for k, ph in seen.items():
        by_letter.setdefault(ph, set()).add(k)
    assert all(len(v) == 1 for v in by_letter.values())


NAME_SHAPES = [
    "{g} {i}. {f}",  # a middle initial
    "{g} {i} {f}",  # without its dot
    "{i}. {f}",  # an initial for the given name
    "{i}.{j}. {f}",  # two initials
    "{g} {f} Jr",
    "{g} {f} III",
    "{g} {f}, Sr",
    "{i}.{j}. {f} Jr",
    "{g} {i}. {j}. {f}",
]
CARRIERS = ["My client {} called me last week.", "I ran into my former client {} at a party.", "Her ex, {}, texted me."]


@_s
@given(
    st.sampled_from(NAME_SHAPES),
    st.sampled_from(CARRIERS),
    st.sampled_from(GIVEN),
    st.sampled_from(FAMILY),
    st.sampled_from("ABDKMRT"),
    st.sampled_from("CEJLW"),
)
def test_every_part_of_a_name_goes_with_it(shape, carrier, g, f, i, j):
    name = shape.format(g=g, f=f, i=i, j=j)
    text = carrier.format(name)
    r = get_engine().redact(text)
    start = text.index(name)
    covering = [s for s in r.spans if s.start <= start and start + len(name) <= s.end]
    assert len(covering) == 1 and covering[0].label == "NAME", (text, r.text)
    assert len(letters(r.text)) == 1, r.text


PLACES = ["Hamilton", "Jesmond", "Dorchester", "Elko", "Ballarat", "Chinle", "Gwynedd", "Islay", "Wagga Wagga"]
ORGS = ["Westpac", "Nordstrom", "Bunnings", "Kmart", "Woolworths", "Sainsbury", "Safeway"]
PLACE_SLOTS = [
    "She moved to {} last year.",
    "The hearing is in {} next week.",
    "I'm the only therapist in our part of {}.",
    "The buses out to {} are unreliable.",
    "It is hard in a town as small as {}.",
    "He grew up near {} and still visits.",
]
ORG_SLOTS = [
    "He works at {} now.",
    "She is the manager of {} in town.",
    "They gave me a gift card to {}.",
    "We bumped into each other at {} on Saturday.",
]


@_s
@given(
    st.one_of(
        st.tuples(st.sampled_from(PLACE_SLOTS), st.sampled_from(PLACES)),
        st.tuples(st.sampled_from(ORG_SLOTS), st.sampled_from(ORGS)),
    )
)
def test_a_place_or_an_organisation_is_not_shown_as_a_person(slot_word):
    slot, word = slot_word
    text = slot.format(word)
    r = get_engine().redact(text)
    assert not letters(r.text), (text, r.text)


def test_placeholders_are_opaque_on_a_second_pass():
    first = get_engine().redact("My client Linda Okafor and her daughter Grace Okafor. Okafor agreed.").text
    assert get_engine().redact(first).text == first
    assert all(PLACEHOLDER_RE.fullmatch(m.group()) for m in re.finditer(r"\[Person [^\]]*\]", first))
