"""Issue 9, fourth round: mechanisms found in the misses of the 2026-12-06 read
halves (deid_chat_f_read, deid_world_f_read), each tested as a family of invented
inputs (no sentence from a corpus)."""

from __future__ import annotations

import itertools

import pytest


def removed(engine, text: str, surface: str, label: str | None = None) -> bool:
    a = text.index(surface)
    b = a + len(surface)
    spans = engine.redact(text).spans
    covered = [s for s in spans if s.start <= a and b <= s.end]
    return bool(covered) and (label is None or covered[0].label == label)


def touched(engine, text: str, surface: str) -> bool:
    a = text.index(surface)
    b = a + len(surface)
    return any(s.start < b and a < s.end for s in engine.redact(text).spans)


# ---- an age said of a removed name ---------------------------------------------
NAMES = ["Tomasz", "ji-woo", "Bronwyn", "oluwaseun", "Mehmet"]
AGE_FORMS = [
    ("my cl {n} is {a}. she asked", "{a}"),
    ("client {n} was only {a} when it started", "{a}"),
    ("pt {n}, who's {a}, wants a hug", "{a}"),
    ("my client {n} just turned {a} and", "{a}"),
    ("her son {n} is thirteen.", "thirteen"),
]


@pytest.mark.parametrize("form,name", list(itertools.product(AGE_FORMS, NAMES))[::2])
def test_an_age_said_of_a_removed_name_goes(engine, form, name):
    template, age = form
    text = template.format(n=name, a="17")
    assert removed(engine, text, name)
    assert removed(engine, text, age.format(a="17"), "AGE"), engine.redact(text).text


@pytest.mark.parametrize(
    "text,kept_words",
    [
        ("my client Tomasz is 3 weeks postpartum", "3 weeks"),
        ("pt Bronwyn is 20 minutes late every time", "20 minutes"),
        ("client Mehmet was 5 years sober until may", "5 years"),
        ("my cl Yusra is 2 sessions in", "2 sessions"),
        ("Tomasz is one of my favourite clients", "one of"),
    ],
)
def test_a_number_with_a_unit_after_a_name_is_no_age(engine, text, kept_words):
    assert kept_words in engine.redact(text).text


# ---- initials standing for a person ---------------------------------------------
PAIRS = [("AK", "TR"), ("JB", "KC"), ("MO", "DS"), ("PJ", "DJ")]
PAIR_FORMS = [
    "{a} and {b} are in my group and now theyre dating",
    "{a} & {b} were both at the session",
    "so {a} and {b} have been texting each other",
]


@pytest.mark.parametrize("form,pair", list(itertools.product(PAIR_FORMS, PAIRS)))
def test_two_initials_acting_together_are_people(engine, form, pair):
    text = form.format(a=pair[0], b=pair[1])
    assert removed(engine, text, pair[0], "NAME") and removed(engine, text, pair[1], "NAME")


@pytest.mark.parametrize("letters", ["AK", "MO", "MN", "DE"])
@pytest.mark.parametrize("verb", ["told me", "said", "texted me", "asked me"])
def test_state_letters_telling_something_are_a_person(engine, letters, verb):
    assert removed(engine, f"ok so {letters} {verb} she wants to stop", letters, "NAME")


@pytest.mark.parametrize(
    "text",
    [
        "CA and NY are expensive states to practise in",
        "we drove from WA to OR last year",
        "PT and OT are both booked for monday",
        "the CBT and DBT groups are full",
    ],
)
def test_states_and_acronyms_stay(engine, text):
    assert engine.redact(text).text == text


@pytest.mark.parametrize("letter", ["K", "T", "J", "R"])
@pytest.mark.parametrize(
    "form",
    [
        "{l} is a cl not a friend",
        "{l} (cl, in her thirties) asked if she could",
        "{l} (my supervisee) said no",
        "{l} is my client and she",
        "{l} was a former student of mine",
    ],
)
def test_a_capital_with_a_persons_role_after_it_is_a_person(engine, letter, form):
    text = form.format(l=letter)
    assert removed(engine, text, letter + " ", "NAME") or removed(engine, text, letter, "NAME")


@pytest.mark.parametrize(
    "text",
    [
        "Vitamin D (client asked about it) is fine",
        "Section C (client details) is blank",
        "A is a client of mine? no",
        "Plan A (patient led) first",
    ],
)
def test_a_capital_that_is_no_person_stays(engine, text):
    assert not touched(engine, text, text.split()[1] if text.startswith(("Vitamin", "Section", "Plan")) else "A ")


@pytest.mark.parametrize("letter", ["Z", "K", "R"])
def test_a_dotted_initial_confirmed_as_a_person_goes_everywhere(engine, letter):
    text = (
        f"Incident: {letter}.'s brother approached me in the car park. "
        f"He asked me to talk sense into {letter}. about leaving. I will tell {letter}. at the next session."
    )
    red = engine.redact(text).text
    assert f"{letter}." not in red, red


# ---- a kin word is no part of a name; an owner is no part of the business -------
@pytest.mark.parametrize("kin", ["oma", "nani", "aunty", "nonna", "tita", "abuela"])
@pytest.mark.parametrize("name", ["hilde", "shanti", "giuseppina"])
def test_a_kin_word_before_a_name_stays_outside_it(engine, kin, name):
    text = f"a cl told me her {kin} {name} was in the same care home"
    assert removed(engine, text, name, "NAME")
    assert not touched(engine, text, f" {kin} ")


@pytest.mark.parametrize("owner", ["thao", "ayşe", "priya"])
@pytest.mark.parametrize("verb", ["owns", "runs", "manages"])
@pytest.mark.parametrize("shop", ["lotus nails", "pasha bakery", "sunrise pharmacy"])
def test_what_a_client_owns_or_runs_is_a_workplace_and_the_owner_a_person(engine, owner, verb, shop):
    text = f"pt {owner} {verb} {shop} in town and offered me a discount"
    spans = {text[s.start : s.end]: s.label for s in engine.redact(text).spans}
    assert spans.get(owner) == "NAME" and spans.get(shop) == "ORG", spans


@pytest.mark.parametrize(
    "text",
    ["she runs a small bakery", "he runs local fitness classes", "my client runs community health services"],
)
def test_running_a_generic_thing_names_nothing(engine, text):
    assert engine.redact(text).text == text


# ---- a kind of place is not one place ---------------------------------------------
GENERIC = ["hair salon", "coffee shop", "hardware store", "dental clinic", "climbing gym", "corner store", "car wash"]


def _title(v: str) -> str:
    return " ".join(w[0].upper() + w[1:] for w in v.split())


@pytest.mark.parametrize("venue", GENERIC)
@pytest.mark.parametrize(
    "form",
    [
        "client works at a {V} in town",
        "my pt just got a job at a {V} near the station",
        "she wants to open another {V} next year",
        "saw my client at {v} and waved",
        "i bumped into him outside {v} lol",
        "i ran into my client at the {v} yesterday",
        "we both go to the {v} on weekends",
    ],
)
def test_a_generic_venue_is_kept(engine, venue, form):
    text = form.format(v=venue, V=_title(venue))
    assert engine.redact(text).text == text


@pytest.mark.parametrize(
    "text,name",
    [
        ("she saw me at ironbark crossfit yesterday", "ironbark"),
        ("her daughter is at st lukes for now", "lukes"),
        ("pt works at Kowalczyk Roofing now", "Kowalczyk"),
    ],
)
def test_a_named_venue_still_goes(engine, text, name):
    assert removed(engine, text, name)


# ---- ages and dates in other languages ---------------------------------------------
@pytest.mark.parametrize(
    "text,age",
    [
        ("Mi paciente Lucía, de 28 años, me invitó a su boda", "28"),
        ("A former client, Sem de Boer, 29 jaar, now works nearby", "29"),
        ("Er ist 30 Jahre alt und wohnt allein", "30"),
        ("Ze is 41 jaar oud en woont alleen", "41"),
        ("Ma cliente, 35 ans, habite seule", "35"),
    ],
)
def test_an_age_in_another_language_goes(engine, text, age):
    assert removed(engine, text, age, "AGE"), engine.redact(text).text


@pytest.mark.parametrize(
    "text,kept_words",
    [
        ("tengo 30 años de experiencia", "30"),
        ("I worked there 10 years, then left", "10 years"),
        ("ze werkt er al 10 jaar geleden niet meer", "10"),
    ],
)
def test_a_duration_in_another_language_is_no_age(engine, text, kept_words):
    assert kept_words in engine.redact(text).text


@pytest.mark.parametrize("month", ["maart", "marzo de", "März", "octobre", "settembre", "dezembro"])
def test_a_month_of_another_language_with_its_year_goes(engine, month):
    text = f"We ended in {month} 2025 and she wrote again"
    assert removed(engine, text, f"{month} 2025", "DATE")


def test_a_month_alone_stays(engine):
    assert engine.redact("en marzo she came back").text == "en marzo she came back"


# ---- which name a word is --------------------------------------------------------
@pytest.mark.parametrize("cue", ["full name", "real name is", "legal name:", "birth name", "actual name"])
@pytest.mark.parametrize("name", ["oluwatobiloba", "Mei-Ling", "russell", "Thandiwe"])
def test_a_word_after_full_or_real_name_is_a_name(engine, cue, name):
    text = f"tobi ({cue} {name}) is my cl"
    assert removed(engine, text, name, "NAME")


@pytest.mark.parametrize("text", ["whats ur full name again", "the real name is on the file", "full name is unknown"])
def test_no_name_after_the_cue_removes_nothing(engine, text):
    assert engine.redact(text).text == text


# ---- the place after "church of" ----------------------------------------------------
@pytest.mark.parametrize(
    "text,place",
    [
        ("the youth night at free wesleyan church of tonga in euless", "tonga"),
        ("She attends St Andrews Presbyterian Church of Ballarat now", "Ballarat"),
        ("he sings at northside baptist church of auckland on sundays", "auckland"),
    ],
)
def test_an_organisation_of_a_place_goes_whole(engine, text, place):
    assert removed(engine, text, place, "ORG")


def test_of_without_a_place_stays(engine):
    assert "of the holy name" in engine.redact("the parish of the holy name").text


# ---- Dutch postcodes -------------------------------------------------------------
@pytest.mark.parametrize("pc,town", [("1031 CC", "Amsterdam"), ("5656 AE", "Eindhoven"), ("3511 LX", "Utrecht")])
def test_a_dutch_postcode_and_its_town_go(engine, pc, town):
    text = f"she lives at Kerkstraat 12, {pc} {town}. I only found out"
    assert removed(engine, text, f"{pc} {town}", "LOCATION")


@pytest.mark.parametrize("text", ["in 2024 AD Smith wrote about it", "the 1200 BC Collection"])
def test_a_year_and_era_is_no_postcode(engine, text):
    assert "2024 AD" in engine.redact(text).text or "1200 BC" in engine.redact(text).text


# ---- a lowercase given name whose age is said next ----------------------------------
@pytest.mark.parametrize("name", ["marco", "priya", "tomasz", "aroha"])
@pytest.mark.parametrize("form", ["ok so {n} is 27 and thinks its funny", "then {n} was 15.", "{n} is only 16, and"])
def test_a_lowercase_given_name_with_its_age_is_a_name(engine, name, form):
    text = form.format(n=name)
    assert removed(engine, text, name, "NAME")


@pytest.mark.parametrize(
    "text", ["the fee is 20 now", "her rate is 90 now", "the score is 3 and", "each chapter was 12 pages"]
)
def test_a_thing_with_a_number_is_no_name(engine, text):
    assert engine.redact(text).text == text


# ---- a person beside the writer ---------------------------------------------------
@pytest.mark.parametrize("name", ["osian", "jess", "tavita", "mehmet"])
@pytest.mark.parametrize(
    "form", ["me and {n} play on this server", "{n} and i went to the gym", "its just me and {n} now"]
)
def test_a_lowercase_name_beside_me_is_a_person(engine, name, form):
    text = form.format(n=name)
    assert removed(engine, text, name, "NAME")


@pytest.mark.parametrize(
    "text",
    ["me and work dont mix", "me and coffee lol", "bread and i dont get along", "me and mum went", "me and him went"],
)
def test_a_thing_or_a_kin_word_beside_me_stays(engine, text):
    assert engine.redact(text).text == text


# ---- a given name that is also a country or town, in a person's slot -----------------
@pytest.mark.parametrize("kin", ["my ex", "her daughter", "my client", "his brother"])
@pytest.mark.parametrize("name", ["jordan", "georgia", "india", "sydney"])
def test_a_place_named_person_after_a_kin_word_is_a_person(engine, kin, name):
    text = f"{kin} {name} just started a new job"
    assert removed(engine, text, name, "NAME")


@pytest.mark.parametrize("text", ["we flew to jordan last year", "she moved to georgia in may", "back from india now"])
def test_the_place_without_a_person_slot_is_no_person(engine, text):
    assert not any(s.label == "NAME" for s in engine.redact(text).spans)


@pytest.mark.parametrize("text", ["her daughter drew me a picture", "my son drew a map for us", "my client sydney"])
def test_a_verb_with_its_object_after_a_kin_word_is_no_name(engine, text):
    red = engine.redact(text).text
    assert ("drew" in red) if "drew" in text else True
