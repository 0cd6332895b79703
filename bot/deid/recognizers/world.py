"""Non-US forms the English-shaped recognisers miss.

- addresses whose street word is not English, before or after the name
  ("14 Rue des Lilas", "Rákóczi út 18", "ul. Długa 7", "Hauptstraße 12",
  "Calle de Alcalá 112"), and the unit or level before an address
  ("Level 3, 45 …", "Flat 2, 18 …");
- an age given as a form field ("Age: 33");
- a first name right after a weekday, acting ("On Sunday Hope turned up");
- a name written in capitals in mixed-case text ("HONE TAKERANGI writes");
- an IBAN that passes its mod-97 check, and a British number plate.

Regexes have bounded repetition; the token scans look at neighbours only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.deid.wordset import strip_accents

from ..fastre import fast
from ..model import Candidate
from .base import Doc
from .chat import SPEECH

_CAP = r"[A-ZÀ-ÖØ-ÞŁŚŻŹĆŃŐŰÓÉÁÍÚ][\w'’.-]{0,30}"
_NUM = r"\d{1,5}[A-Za-z]?(?:[/-]\d{1,5}[A-Za-z]?)?"
# street words that come before the name: French, Spanish, Catalan, Italian,
# Portuguese, Polish, Romanian, Dutch/Belgian, Greek (transliterated)
_HEAD_FIRST_SURE = (
    r"(?i:rue|chemin|allée|impasse|quai|calle|avenida|avda\.?|paseo|carrer|viale|piazza|vicolo|strada|rua|"
    r"travessa|praça|ul\.|ulica|bulevardul|leoforos)"
)
# also English words ("via Facebook", "Place Settings"): only with a house number
_HEAD_FIRST_WORDY = (
    r"(?i:avenue|av\.|boulevard|bd|boul\.|place|plaza|camino|ronda|carretera|via|corso|largo|alameda|aleja|al\.|"
    r"str\.|odos)"
)
_HEAD_FIRST = r"(?:" + _HEAD_FIRST_SURE + r"|" + _HEAD_FIRST_WORDY + r")"
_PARTICLES = r"(?:(?i:de|du|des|la|le|les|del|della|dei|degli|di|da|dos|das|do|d'|l'|dels|des)\s+)"
# street words that come after the name: Hungarian, Turkish, German, Dutch,
# Scandinavian, Finnish, Czech, South Asian
_HEAD_LAST_WORDS = (
    "út utca u. tér körút sokak sokağı caddesi cad. bulvarı straße strasse str. gasse weg allee platz "
    "laan straat gracht plein kade gade vej gata gatan vägen veien katu tie náměstí ulice třída marg "
    "nagar salai path chowk colony layout mohalla"
).split()
# The normaliser folds combining marks before recognition ("út" is read as "ut"): each
# word is matched in both forms.
_HEAD_LAST = (
    r"(?:"
    + "|".join(sorted({re.escape(f) for w in _HEAD_LAST_WORDS for f in (w, strip_accents(w))}, key=len, reverse=True))
    + r")"
)
# one word: "Hauptstraße", "Keizersgracht", "Storgatan", "Mannerheimintie"
_COMPOUND = (
    r"[A-ZÀ-Þ][a-zà-ÿß]{1,30}(?:straße|strasse|gasse|weg|allee|platz|laan|straat|gracht|plein|kade|gade|vej|"
    r"gatan|vägen|veien|katu|tie)"
)

_ADDRESSES = [
    # "14 Rue des Lilas", "Calle de Alcalá 112", "ul. Długa 7", "Via Roma, 22"
    re.compile(
        r"(?<![\w])(?:"
        + _NUM
        + r",?\s+)?(?P<w>"
        + _HEAD_FIRST
        + r")\s+"
        + _PARTICLES
        + r"{0,2}"
        + _CAP
        + r"(?:\s+(?:"
        + _PARTICLES
        + r")?"
        + _CAP
        + r"){0,3}(?:,?\s+"
        + _NUM
        + r"(?![\w/]))?"
    ),
    # "18 Rákóczi út", "Rákóczi út 18", "Atatürk Caddesi No: 5", "MG Marg"
    re.compile(
        r"(?<![\w])(?:"
        + _NUM
        + r",?\s+)?"
        + _CAP
        + r"(?:\s+"
        + _CAP
        + r"){0,2}\s+"
        + _HEAD_LAST
        + r"(?![\w])(?:,?\s+(?:No[.:]?\s*)?"
        + _NUM
        + r"(?![\w/]))?"
    ),
    # "Hauptstraße 12", "12 Storgatan"
    re.compile(r"(?<![\w])(?:" + _NUM + r"\s+" + _COMPOUND + r"|" + _COMPOUND + r"\s+" + _NUM + r")(?![\w/])"),
]
# "Level 3, 45 Cuba Street", "Flat 2, 18 …", "Unit 4, 9 …": the unit before a street address
_UNIT_BEFORE = fast(
    re.compile(
        r"(?<![\w])(?:level|lvl|flat|unit|apt|apartment|suite|ste|floor|shop|office)\s*\.?\s*#?\d{1,4}[A-Za-z]?,?\s+"
        r"(?=" + _NUM + r",?\s+(?:" + _CAP + r"\s+){1,3})",
        re.IGNORECASE,
    )
)
_STREET_AFTER = re.compile(
    r"(?:" + _CAP + r"\s+){1,3}(?:St|Street|Rd|Road|Ave|Avenue|Lane|Ln|Drive|Dr|Terrace|Tce|Place|Pl|Crescent|"
    r"Cres|Parade|Pde|Way|Court|Ct|Close|Grove|Quay|Square|Highway|Hwy|Boulevard|Blvd|Row|Mews|Walk|House|Court|"
    r"Building|Tower|Towers|Mansions|Lodge|Hall)\b"
    r"|" + _HEAD_FIRST + r"\s|(?:" + _CAP + r"\s+){1,3}" + _HEAD_LAST + r"(?![\w])",
    re.IGNORECASE,
)

# "Age: 33", "Age (years): 7", "DOB/Age: 12/03/1990 / 34"
_AGE_FIELD = re.compile(
    r"(?im)^[ \t>*•-]*(?:age|aged|client age|age at referral)(?:\s*\((?:years|yrs)\))?\s*[:=–-]\s*"
    r"(?P<a>1[01]\d|[1-9]?\d)(?![\d/.:])"
)

# an IBAN, any country, with or without the groups of four; only a valid
# mod-97 check makes it one ("DE44 5001 0517 5407 3249 31")
_IBAN = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?(?![\w])")
# a current-format British number plate: two letters, the age digits, three letters ("KX19 OPB")
_UK_PLATE = re.compile(r"(?<![\w])[A-HJ-PR-Y][A-HJ-PR-Y](?:0[2-9]|[1-7]\d)\s?[A-HJ-PR-Z]{3}(?![\w])")


def _iban_ok(raw: str) -> bool:
    s = raw.replace(" ", "")
    if not 15 <= len(s) <= 34:
        return False
    moved = s[4:] + s[:4]
    digits = "".join(str(int(ch, 36)) for ch in moved)
    return int(digits) % 97 == 1


_WEEKDAYS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday mon tues weds thurs fri sat sun "
    "today yesterday tonight tomorrow".split()
)


def find(doc: Doc) -> Iterator[Candidate]:
    text = doc.text
    for rx in _ADDRESSES:
        for m in rx.finditer(text):
            if rx is _ADDRESSES[1] and not _has_number_or_field(text, m):
                continue
            if (
                rx is _ADDRESSES[0]
                and not re.fullmatch(_HEAD_FIRST_SURE, m.group("w"))
                and not any(ch.isdigit() for ch in m.group())
            ):
                continue
            yield Candidate(m.start(), m.end(), "LOCATION", "address", 52, "world")
    for m in _UNIT_BEFORE.finditer(text):
        rest = _STREET_AFTER.match(text, _skip_number(text, m.end()))
        if rest is not None:
            # the whole address, so that the unit is not read as a workplace ("Flat 2")
            yield Candidate(m.start(), rest.end(), "LOCATION", "address", 52, "world")
    for m in _AGE_FIELD.finditer(text):
        yield Candidate(m.start("a"), m.end("a"), "AGE", "age", 60, "world")
    if any(ch.isdigit() for ch in text):
        for m in _IBAN.finditer(text):
            if _iban_ok(m.group()):
                yield Candidate(m.start(), m.end(), "ID", "iban", 85, "world")
        for m in _UK_PLATE.finditer(text):
            yield Candidate(m.start(), m.end(), "ID", "plate", 70, "world")
    yield from _after_weekday(doc)
    yield from _capital_names(doc)


def _skip_number(text: str, pos: int) -> int:
    m = re.compile(_NUM + r",?\s+").match(text, pos)
    return m.end() if m else pos


def _has_number_or_field(text: str, m: re.Match[str]) -> bool:
    """A head-last street needs a number, or to stand after "address"/"to"/"on"
    (a bare "Park Road" in prose is handled by the English recogniser)."""
    if any(ch.isdigit() for ch in m.group()):
        return True
    before = text[max(0, m.start() - 20) : m.start()].lower()
    return bool(re.search(r"(?:address|addressed to|lives (?:on|in)|on|at)[:\s]*$", before))


def _after_weekday(doc: Doc) -> Iterator[Candidate]:
    """ "On Sunday Hope turned up", "Wednesday, Grace said": a capitalised
    first name right after a weekday, then a verb."""
    lex = doc.lex
    for t in doc.tokens:
        if not t.is_cap or t.is_upper or not lex.is_first(t.lower):
            continue
        p = doc.prev(t)
        n = doc.next(t)
        if p is None or n is None or p.lower not in _WEEKDAYS or doc.gap(p, t) not in (" ", ", "):
            continue
        if doc.gap(t, n) == " " and n.is_lower and (n.lower in SPEECH or n.lower.endswith("ed")):
            yield Candidate(t.start, t.end, "NAME", "person", 56, "world")


def _capital_names(doc: Doc) -> Iterator[Candidate]:
    """ "HONE TAKERANGI writes", "AMARA DIALLO, a client": two or three words
    in capitals, each a listed name or no word at all, in text that is not
    itself written in capitals."""
    toks = doc.tokens
    lex = doc.lex
    n = len(toks)
    lower_words = sum(1 for t in toks if t.is_lower)
    if lower_words < 4 or lower_words * 2 < n:
        return
    i = 0
    while i < n:
        t = toks[i]
        j = i
        while (
            j < n
            and len(toks[j].text) >= 2
            and toks[j].text.isupper()
            and toks[j].is_alpha
            and _capital_name_word(doc, toks[j].lower)
            and (j == i or doc.gap(toks[j - 1], toks[j]) in (" ", "-"))
            and j - i < 3
        ):
            j += 1
        if (
            j - i >= 2
            and any(not lex.is_word(toks[k].lower) for k in range(i, j))
            and (
                any(lex.is_first(toks[k].lower) or lex.is_surname(toks[k].lower) for k in range(i, j))
                # "IFEOMA NWOSU": two words no list knows, neither an acronym
                or all(not lex.is_word(toks[k].lower) and len(toks[k].text) >= 4 for k in range(i, j))
            )
        ):
            yield Candidate(t.start, toks[j - 1].end, "NAME", "person", 56, "world")
            i = j
        else:
            i += 1


def _capital_name_word(doc: Doc, low: str) -> bool:
    lex = doc.lex
    if low in lex.allow or low in lex.acronyms or low in lex.regions or len(low) < 2:
        return False
    if lex.is_word(low):
        # "HONE TAKERANGI": a name that is also a word goes with one that is none
        return lex.is_first(low) or lex.is_surname(low)
    return lex.is_first(low) or lex.is_surname(low) or len(low) >= 4
