"""Non-US forms (recognizers/world.py): foreign street words before or after
the name, the unit before an address, an age as a form field, a first name
right after a weekday, a name written in capitals. Families of invented
addresses and names; none is taken from a corpus."""

from __future__ import annotations

import itertools

import pytest

from .test_recognizers import gone

HEAD_FIRST = [
    "27 Rue de la Paix",
    "Calle del Olmo 45",
    "Via Garibaldi 8",
    "ul. Słoneczna 14",
    "Rua das Flores, 102",
    "Piazza Navona 3",
    "Carrer de Mallorca 220",
    "9 Avenue Montaigne",
]
HEAD_LAST = [
    "Petőfi utca 9",
    "31 Kossuth út",
    "Bağdat Caddesi 77",
    "Hauptstraße 12",
    "Keizersgracht 104",
    "12 Storgatan",
]


@pytest.mark.parametrize(
    "template,addr",
    list(
        itertools.product(
            ["Her new address is {a}, near the station.", "Post went to {a} by mistake."], HEAD_FIRST + HEAD_LAST
        )
    ),
)
def test_foreign_street_words(engine, template, addr):
    text = template.format(a=addr)
    red = engine.redact(text).text
    name_words = [
        w
        for w in addr.replace(",", "").split()
        if w[:1].isupper() and w.lower() not in ("rue", "calle", "via", "rua", "piazza", "carrer", "avenue")
    ]
    for w in name_words:
        assert w not in red, red
    assert not any(ch.isdigit() for ch in red), red


@pytest.mark.parametrize(
    "text",
    [
        "She found me via Facebook and then via Instagram.",
        "Is it my place to ask her about it?",
        "We met at the Plaza Hotel lobby? no, that was a film.",
        "I read Avenue Q reviews years ago.",
    ],
)
def test_english_words_that_head_foreign_streets_need_a_number(engine, text):
    red = engine.redact(text).text
    assert "[address]" not in red, red


@pytest.mark.parametrize(
    "unit,street",
    list(
        itertools.product(
            ["Level 3", "Flat 2", "Unit 7B", "Suite 400", "Apt 12"],
            ["45 Cuba Street", "18 Kossuth út", "9 Harbour View Road"],
        )
    ),
)
def test_unit_before_an_address_goes_with_it(engine, unit, street):
    text = f"My practice address, {unit}, {street}, was posted online."
    res = engine.redact(text)
    assert unit not in res.text and street.split()[1] not in res.text, res.text
    assert all(s.label == "LOCATION" for s in res.spans), res.spans


@pytest.mark.parametrize("age", ["7", "15", "33", "61", "102"])
@pytest.mark.parametrize("field", ["Age: {a}", "age - {a}", "Age (years): {a}", "* Age: {a}"])
def test_age_form_field(engine, field, age):
    text = "Intake summary\nPronouns: they/them\n" + field.format(a=age) + "\nReason: low mood"
    red = engine.redact(text).text
    assert f": {age}\n" not in red and f"- {age}\n" not in red, red


@pytest.mark.parametrize(
    "day,name,verb",
    list(
        itertools.product(
            ["On Sunday", "Last Friday", "Wednesday,", "Yesterday"],
            ["Joy", "Faith", "Dawn", "Hope", "Grace"],
            ["said", "turned", "texted"],
        )
    ),
)
def test_first_name_after_weekday(engine, day, name, verb):
    text = f"{day} {name} {verb} up at my church."
    gone(engine, text, name)


@pytest.mark.parametrize(
    "name",
    ["WIREMU TAKERANGI", "AMARA OKONJO", "IFEOMA NWOSU", "TOMASZ WIŚNIEWSKI", "SIONE FAKATAVA", "GRACE KOWALCZYK"],
)
def test_name_in_capitals_in_mixed_text(engine, name):
    text = f"{name} writes his name in capitals on every form I give him."
    gone(engine, text, *name.split())


@pytest.mark.parametrize(
    "text",
    [
        "Please READ THE NOTES before you CALL ME BACK on this one",
        "I did my CBT TRAINING with NHS TRUST staff last year",
        "She wrote URGENT PLEASE READ in the subject line",
        "The form says NOT FOR DISCLOSURE at the top of the page",
        "The letter was marked PRIVATE AND CONFIDENTIAL on the front",
    ],
)
def test_shouted_words_stay(engine, text):
    assert engine.redact(text).text == text


def _with_check(country: str, bban: str) -> str:
    """A valid IBAN for any country code and account part (mod-97 check digits)."""
    digits = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    check = 98 - int(digits) % 97
    raw = f"{country}{check:02d}{bban}"
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


_BBANS = [
    ("DE", "370400440532013000"),
    ("FR", "20041010050500013M02606"),
    ("NL", "ABNA0417164300"),
    ("ES", "21000418450200051332"),
    ("IE", "AIBK93115212345678"),
    ("PL", "109010140000071219812874"),
]


@pytest.mark.parametrize("country,bban", _BBANS)
@pytest.mark.parametrize("spaced", [True, False])
def test_iban_with_valid_check(engine, country, bban, spaced):
    iban = _with_check(country, bban)
    iban = iban if spaced else iban.replace(" ", "")
    red = engine.redact(f"she wrote her IBAN, {iban}, on the back of the cheque").text
    assert iban[:4] not in red and iban[-3:] not in red, red


@pytest.mark.parametrize("country,bban", _BBANS[:3])
def test_iban_with_a_wrong_check_is_no_iban(engine, country, bban):
    iban = _with_check(country, bban)
    bad = iban[:2] + f"{(int(iban[2:4]) + 1) % 100:02d}" + iban[4:]
    res = engine.redact(f"code {bad} ok")
    assert not any(s.kind == "iban" for s in res.spans), res.spans


@pytest.mark.parametrize("plate", ["KX19 OPB", "BD51 SMR", "LR07 XAB", "YA68GHK", "MT02 WZV"])
def test_uk_number_plate(engine, plate):
    gone(engine, f"the other car, {plate}, belongs to a client", plate)


@pytest.mark.parametrize(
    "text", ["we used the AB12 form", "see section QA12 ABC? no", "the CBT12 ABC module", "room B12 now"]
)
def test_plate_lookalikes_stay(engine, text):
    res = engine.redact(text)
    assert not any(s.kind == "plate" for s in res.spans), res.spans
