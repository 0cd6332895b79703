"""DATE: anything more specific than a year, in US, UK/Commonwealth and ISO forms.

Bare years, weekdays alone, months alone and durations stay: they identify no
one and the dilemma reads worse without them (../shared/data/DEID_GUIDE.md, beside the repository).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..fastre import fast
from ..model import Candidate
from .base import Doc, scan

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:(?:19|20)\d\d|'\d\d)"
_WEEKDAY = r"(?:mon|tues?|wed|weds|thu|thur|thurs|fri|sat|sun)(?:day)?\.?,?\s+"
# a weekday before a date stays: alone it identifies nothing (../shared/data/DEID_GUIDE.md, beside the repository)
_LEADING_WEEKDAY = re.compile(_WEEKDAY, re.IGNORECASE)

_TEXTUAL = fast(
    re.compile(
        r"(?<![\w])(?:"
        + _WEEKDAY
        + r")?(?:"
        # March 3rd, Feb. 2, 2023, June 14th; "May" needs a day so "may 5" is still
        # read as a date but "may" alone is a verb
        + _MONTH
        + r"\s+"
        + _DAY
        + r"(?:,?\s+"
        + _YEAR
        + r")?"
        # 3rd of March, 18th August 2024
        + r"|(?:the\s+)?"
        + _DAY
        + r"\s+(?:of\s+)?"
        + _MONTH
        + r"(?:,?\s+"
        + _YEAR
        + r")?"
        # August 2022 (month + year is more specific than a year)
        + r"|"
        + _MONTH
        + r",?\s+(?:19|20)\d\d"
        + r")(?![\w])",
        re.IGNORECASE,
    )
)
_NUMERIC = fast(
    re.compile(
        r"(?<![\w/.-])(?:" + _WEEKDAY + r")?(?:"
        r"(?:19|20)\d\d[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])"  # ISO
        r"|(?:0?[1-9]|[12]\d|3[01])[/-](?:0?[1-9]|[12]\d|3[01])(?:[/-](?:(?:19|20)?\d\d))?"
        # dotted day.month only with a year: "APA 3.05" is a code section
        r"|(?:0?[1-9]|[12]\d|3[01])\.(?:0?[1-9]|1[0-2])\.(?:(?:19|20)?\d\d)"
        r")(?![\w/-]|\.\d)",
        re.IGNORECASE,
    )
)
# "the 21st", "on the 5th" — a day of the month without the month
_ORDINAL = fast(
    re.compile(
        r"(?<![\w])the\s+(?P<d>(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th))(?!\s*(?:-|century|centuries|floor|grade|percentile|time|birthday|anniversary|row|place|street|st\b|ave|session|week|month|year|day|visit|appointment|of\s+(?:us|them|these|those|my|the|his|her)))(?![\w])",
        re.IGNORECASE,
    )
)
# a day and a month in Spanish, Portuguese, French, Italian, German, Dutch: "2 de marzo",
# "21 de septiembre de 2024", "12 mars", "3. März 2023", "14 agosto"
_OTHER_MONTH = (
    r"(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre|"
    r"janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|novembro|dezembro|"
    r"janvier|février|fevrier|avril|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre|"
    r"gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|"
    r"januar|februar|märz|maerz|marz|juni|juli|oktober|dezember|januari|februari|maart|augustus)"
)
_OTHER_LANG = re.compile(
    r"(?<![\w])(?:[12]\d|3[01]|0?[1-9])(?:\.|º|er)?\s+(?:de\s+)?"
    + _OTHER_MONTH
    + r"(?:\s+(?:de\s+)?(?:19|20)\d\d)?(?![\w])",
    re.IGNORECASE,
)
# a month of another language with its year: "maart 2025", "marzo de 2024", "März 2023"
# (a month alone stays, as in English)
_OTHER_MONTH_YEAR = fast(re.compile(r"(?<![\w])" + _OTHER_MONTH + r"\s+(?:de\s+)?(?:19|20)\d\d(?![\w])", re.IGNORECASE))
_OTHER_WEEKDAY_DAY = fast(
    re.compile(
        r"(?<![\w])(?:lunes|martes|miércoles|miercoles|jueves|viernes|sábado|sabado|lundi|mardi|mercredi|jeudi|"
        r"vendredi|samedi|dimanche|segunda|terça|terca|quarta|quinta|sexta)\s+(?P<d>[12]\d|3[01]|0?[1-9])(?!\d)"
        r"(?![\w:.,]\d|\s*(?:%|h\b|hrs?\b|pm\b|am\b|:))",
        re.IGNORECASE,
    )
)
_NOT_DATES = {"24/7", "50/50", "9/11"}
_FULL_MONTH_END = re.compile(
    r"(?:january|february|march|april|june|july|august|september|october|november|december)\.$", re.I
)


def find(doc: Doc) -> Iterator[Candidate]:
    text = doc.text
    for m in scan(_TEXTUAL, text):
        s, e = m.span()
        w = _LEADING_WEEKDAY.match(text, s)
        if w:
            s = w.end()
        if _is_may_verb(text, s, e):
            continue
        if _FULL_MONTH_END.search(text[s:e]):
            e -= 1  # a full stop, not an abbreviation
        yield Candidate(s, e, "DATE", "date", 80, "date")
    for m in scan(_NUMERIC, text):
        v = m.group()
        if v in _NOT_DATES or _is_fraction(text, m.start(), m.end()):
            continue
        s = m.start()
        w = _LEADING_WEEKDAY.match(text, s)
        if w:
            s = w.end()
        yield Candidate(s, m.end(), "DATE", "date", 80, "date")
    for m in _OTHER_WEEKDAY_DAY.finditer(text):
        # "viernes 12", "samedi 3": the day goes, the weekday stays (as in English)
        yield Candidate(m.start("d"), m.end("d"), "DATE", "date", 70, "date")
    for m in _OTHER_LANG.finditer(text):
        yield Candidate(m.start(), m.end(), "DATE", "date", 78, "date")
    for m in _OTHER_MONTH_YEAR.finditer(text):
        yield Candidate(m.start(), m.end(), "DATE", "date", 72, "date")
    for m in scan(_ORDINAL, text):
        # "the" goes too: "on the [date]" reads oddly, "on [date]" does not
        yield Candidate(m.start(), m.end("d"), "DATE", "date", 75, "date")


def _is_may_verb(text: str, s: int, e: int) -> bool:
    """'may 5 people' is not a date; 'May 5' or 'may 5th' is."""
    v = text[s:e]
    if not v.lower().startswith("may "):
        return False
    return v.startswith("may") and not re.search(r"\d(?:st|nd|rd|th)|\d{4}", v)


def _is_fraction(text: str, s: int, e: int) -> bool:
    """'3/4 of', '2/3 of the way', '7/10 pain' are not dates."""
    after = text[e : e + 12].lower()
    return bool(re.match(r"\s*(?:of\b|pain|on\b|scale|ratio|split|%)", after))
