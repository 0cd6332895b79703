"""AGE: an exact age. Relative ages ("in her 40s", "a teenager") are left alone."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..fastre import fast
from ..model import Candidate
from .base import Doc, scan

_NUM_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
)
_WORD_AGE = r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[-\s](?:one|two|three|four|five|six|seven|eight|nine))?|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
_N = r"(?:1[01]\d|[1-9]?\d)"

# 34-year-old, 34 year old, 34 yo, 34yo, 34 y/o, 34 y.o., 27yrs old
SUFFIXED = fast(
    re.compile(
        r"(?<![\w.$£€])(?:" + _N + "|" + _WORD_AGE + r")(?:[-\s]?(?:years?|yrs?)[-\s]?old|\s?y/?o\b|\s?y\.o\.?|yo\b)",
        re.IGNORECASE,
    )
)
# "aged 71", "age 45", "from age 13 to 18", "turned 40", "she's 15", "I'm 38",
# "he's only 17", "is 81 and" — the number only
_CUE = fast(
    re.compile(
        r"(?<![\w])(?:aged?|ages|turn(?:ed|s|ing)?|(?:i'?m|i\s+am|she'?s|he'?s|they'?re|she\s+is|he\s+is|they\s+are|they\s+were|who'?s|is|was)(?:\s+(?:only|just|now|almost|nearly|barely|about|around|maybe|already|still))?)"
        r"\s+(?P<n>" + _N + "|" + _WORD_AGE + r")(?P<rest>[^\w]{0,3}(?:\w+)?)",
        re.IGNORECASE,
    )
)
# "a former client, now 19, wants…"
NOW = fast(re.compile(r"(?<![\w])now\s+(?P<n>" + _N + r")(?=\s*[,.;)]|\s+and\b)", re.IGNORECASE))
# "(29)", ", 41," after a word: the appositive age
PAREN = re.compile(r"(?<=[\w.])\s*\((?P<n>" + _N + "|" + _WORD_AGE + r")(?:\)|,\s)", re.IGNORECASE)
# "pt Hyun-woo Park 27 texted": a bare age right after a name
AFTER_NAME = re.compile(
    r"(?<=[^\W\d_])\s(?P<n>[1-9]\d)(?=\s+(?!(?:minutes?|mins?|hours?|days?|weeks?|months?|years?|yrs?|sessions?|times|miles|km|pm|am|percent|k)\b)[a-z])"
)
# "pt 35f", "youssef 17m", "dmitri, 38m,": an age with the sex glued on (chat shorthand);
# the number only. Not "38m people", "$38m", "5k": a person word or a name must stand before it
SEXED = fast(
    re.compile(r"(?<![\w.$£€])(?P<n>" + _N + r")[mfMF](?=[\s,.;:)!?]|$)(?!\s+(?:people|users|views|dollars)\b)")
)
SEXED_SPACED = fast(re.compile(r"(?<![\w.$£€,/:-])(?P<n>" + _N + r") [FM](?=[,;)]|/)"))
_KIDS = (
    r"(?:kids|children|daughters|sons|boys|girls|twins|grandkids|grandchildren|grandsons|granddaughters|"
    r"brothers|sisters|siblings|stepkids|stepsons|stepdaughters)"
)
AGES_AND = fast(
    re.compile(
        r"\b" + _KIDS + r"(?:,|\s+(?:are|aged|were|now))?\s+(?P<a>" + _N + r")\s*(?:and|&|,)\s*(?P<b>" + _N + r")"
        r"(?!\s*(?:%|percent|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?\s+(?!old)|yrs?|sessions?|times|pm|am|"
        r"kg|lbs?|miles|km)\b)(?![\w/:-]|\.\d)",
        re.IGNORECASE,
    )
)
_SEXED_CUES = frozenset("pt pts cl client clients patient is was aged age kid son daughter boy girl".split())
_NOT_BEFORE_NUMBER = {
    "route",
    "room",
    "studio",
    "suite",
    "apt",
    "unit",
    "ward",
    "floor",
    "bus",
    "station",
    "chapter",
    "level",
    "grade",
    "year",
    "week",
    "day",
    "session",
    "page",
    "step",
    "stage",
    "module",
    "part",
    "section",
    "number",
    "no",
    "exit",
    "gate",
    "highway",
    "hwy",
    "interstate",
    "channel",
    "bed",
    "under",
}
PAREN_HES = re.compile(r"\((?:he|she|they)(?:'s|'re| is| are)\s+(?P<n>" + _N + r")\)", re.IGNORECASE)
APPOS = re.compile(
    r"(?<=[^\W\d_]),[ \t](?P<n>"
    + _N
    + "|"
    + _WORD_AGE
    + r")(?=,|[ \t]*(?:\n|$|\))|\.(?:\s|$)|\s+(?:and|w/|with|who)\b)"
)
# "the client - twenty-six, married - wants": an age between dashes
DASHED = re.compile(r"(?<=[^\W\d_])\s[-–—]\s(?P<n>" + _N + "|" + _WORD_AGE + r")(?=\s*[,;]|\s[-–—]\s)", re.IGNORECASE)
# "to 18" after a cued age: "from age 13 to 18"
RANGE_TAIL = re.compile(r"\s*(?:to|-|–|and)\s*(?P<n>" + _N + r")\b")
# "Aroha's 21st", "her 40th birthday": an age reached
BIRTHDAY = re.compile(
    r"(?:['’]s|\b(?:his|her|their|my|your))\s+(?P<n>(?:[1-9]\d|1[01]\d)(?:st|nd|rd|th))(?=\s+birthday|\s*[?.!,]|\s+(?:party|celebration|bash|do|bday|b-day|at|on|this|next|in)\b|\s*$)",
    re.IGNORECASE,
)
_UNITS = re.compile(
    r"^[^\w]{0,3}(?:minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?|sessions?|times|am|pm|percent|%|k\b|miles?|km|dollars?|bucks|pounds|euros|kg|lbs?|people|clients|kids|of\b|out\b|or\b|x\b|mg|ml|(?:years?|yrs?)(?![-\s]?old))",
    re.IGNORECASE,
)
# "is" and "was" are too common to trust unless the number ends the clause
_WEAK_CUES = {"is", "was"}


# ages in other languages: "de 28 años", "Floor, 29 jaar,", "30 Jahre alt", "45 ans,"; not
# "30 años de experiencia", "10 jaar geleden" (a duration)
_YEARS_WORD = r"(?:años|anos|ans|jaar|jahre|jahren|anni|ani|lat|let|år|vuotta|tahun|taon)"
OTHER_LANG_AGE = fast(
    re.compile(
        r"(?<![\w.$£€])(?:de|di|da|von|van|aged)\s+(?P<n>1[01]\d|[1-9]?\d)\s+" + _YEARS_WORD + r"(?![\w])"
        r"(?!\s+(?:de|of|van|von|di)\b)"
        r"|(?<![\w.$£€])(?P<m>1[01]\d|[1-9]?\d)\s+" + _YEARS_WORD + r"(?:\s+(?:oud|alt|vecchio|vecchia|viejo|vieja))?"
        r"(?=\s*[,;)])|(?<![\w.$£€])(?P<o>1[01]\d|[1-9]?\d)\s+" + _YEARS_WORD + r"\s+(?:oud|alt)\b",
        re.IGNORECASE,
    )
)


def find(doc: Doc) -> Iterator[Candidate]:
    text = doc.text
    for m in OTHER_LANG_AGE.finditer(text):
        g = "n" if m.group("n") else "m" if m.group("m") else "o"
        yield Candidate(m.start(g), m.end(g), "AGE", "age", 70, "age")
    for m in scan(SUFFIXED, text):
        yield Candidate(m.start(), m.end(), "AGE", "age", 85, "age")
    for m in scan(_CUE, text):
        n_s, n_e = m.span("n")
        rest = m.group("rest")
        if _UNITS.match(rest) or rest.startswith((":", ".", "/")) and rest[1:2].isdigit():
            continue
        cue = m.group(0)[: n_s - m.start()].strip().lower().split()[0]
        # "she was 14 when it started": an age at a time
        if cue in _WEAK_CUES and not re.match(
            r"^\s*(?:[,.;!?)]|and\b|$|years?\s+old|yo\b|when\b|until\b|till\b)", rest
        ):
            continue
        if cue in _WEAK_CUES and not (
            _subject_is_person(text, m.start())
            or _subject_unknown_word(doc, m.start())
            or _subject_is_name(doc, m.start())
        ):
            continue
        if cue in _WEAK_CUES and re.match(r"^\s*(?:when|until|till)\b", rest):
            subj = re.findall(r"[\w']+", text[max(0, m.start() - 30) : m.start()])
            if not subj or subj[-1].lower() in _NOT_AGED:
                continue  # "it was 5 when we finished" is a time
        yield Candidate(n_s, n_e, "AGE", "age", 80, "age")
        t = RANGE_TAIL.match(text, n_e)
        if t and cue.startswith("age"):
            yield Candidate(t.start("n"), t.end("n"), "AGE", "age", 80, "age")
    markers = _list_markers(doc)
    for rx in (PAREN, PAREN_HES, APPOS, NOW, DASHED):
        for m in scan(rx, text):
            if rx in (APPOS, DASHED) and not _appositive_person(doc, m.start()):
                continue
            if rx is PAREN and m.start("n") in markers:
                continue
            yield Candidate(m.start("n"), m.end("n"), "AGE", "age", 75, "age")
    for m in scan(AFTER_NAME, text):
        before = re.search(r"([\w'-]+)\s*$", text[max(0, m.start() - 40) : m.start() + 1])
        if not before:
            continue
        w = before.group(1)
        low = w.lower()
        if low in _NOT_BEFORE_NUMBER or w.isdigit():
            continue
        if w[0].isupper() and not w.isupper() or doc.lex.is_first(low) and not doc.lex.is_word(low):
            yield Candidate(m.start("n"), m.end("n"), "AGE", "age", 60, "age")
    for m in scan(BIRTHDAY, text):
        yield Candidate(m.start("n"), m.end("n"), "AGE", "age", 75, "age")
    for m in SEXED.finditer(text):
        before = re.search(r"([^\W\d_][\w'’-]*)[,(]?\s*\(?$", text[max(0, m.start() - 40) : m.start()])
        if not before:
            continue
        w = before.group(1)
        low = w.lower()
        # in apposition ("cl soo-ah park, 31f,", "(29f)") the shorthand is an age whatever the word
        appos = text[max(0, m.start() - 2) : m.start()] in (", ", " (") or text[m.start() - 1 : m.start()] == "("
        if low in _SEXED_CUES or w[0].isupper() or not doc.lex.is_word(low) or appos:
            yield Candidate(m.start("n"), m.end("n"), "AGE", "age", 70, "age")
    for m in SEXED_SPACED.finditer(text):
        # "Case: 38 F, lawyer", "(44 M)": a capital letter for the sex, then a comma or bracket
        yield Candidate(m.start("n"), m.end("n"), "AGE", "age", 66, "age")
    for m in AGES_AND.finditer(text):
        # "two daughters, 8 and 11", "the boys are 14 and 15": ages of the children named before
        yield Candidate(m.start("a"), m.end("a"), "AGE", "age", 62, "age")
        yield Candidate(m.start("b"), m.end("b"), "AGE", "age", 62, "age")


_PERSONISH = re.compile(
    r"(?:\b(?:he|she|they|who|client|pt|patient|son|daughter|kid|child|boy|girl|man|woman|mom|mum|dad|"
    r"mother|father|brother|sister|wife|husband|partner|grandma|grandpa|grandmother|grandfather|"
    r"aunt|uncle|nephew|niece|cousin|friend|student|teen|vet|widow|widower|"
    r"[A-Z][a-z]+)|[A-Z][a-z]+(?:'s)?)\W*$"
)


def _subject_is_person(text: str, at: int, appositive: bool = False) -> bool:
    """The word before 'is 81' / ', 41,' should be a person, not 'the fee'."""
    before = text[max(0, at - 40) : at]
    if appositive:
        before = before + text[at : at + 1]
    words = re.findall(r"[\w']+", before)
    if not words:
        return False
    w = words[-1]
    if w.lower() in {"is", "was"} and len(words) > 1:
        w = words[-2]
    return bool(_PERSONISH.search(w + " "))


def _subject_unknown_word(doc: Doc, at: int) -> bool:
    """'caoimhe is 17': a subject that is no English word is likely a name."""
    words = re.findall(r"[\w']+", doc.text[max(0, at - 40) : at])
    return bool(words) and words[-1].isalpha() and not doc.lex.is_word(words[-1].lower())


_NOT_AGED = {
    "it",
    "this",
    "that",
    "there",
    "which",
    "what",
    "time",
    "clock",
    "score",
    "fee",
    "price",
    "rate",
    "total",
    "count",
    "number",
    "temperature",
    "temp",
}
_NUMBER_WORDS = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}


def _subject_is_name(doc: Doc, at: int) -> bool:
    """'sandy is 34.', 'DJ is 17 and': a first name in any case, or initials."""
    words = re.findall(r"[\w']+", doc.text[max(0, at - 40) : at])
    if not words:
        return False
    w = words[-1]
    low = w.lower()
    if w.isupper() and 2 <= len(w) <= 3 and w.isalpha():
        return low not in doc.lex.acronyms and low not in doc.lex.allow
    if not w.isalpha() or low in _NUMBER_WORDS or low in _MONTHS or not doc.lex.is_first(low):
        return False
    if not doc.lex.is_word(low):
        return True
    # a first name that is also a word ("sandy", "fee") needs a person before it
    return len(words) > 1 and words[-2].lower() in _PERSON_NOUNS


_PERSON_NOUNS = {
    "client",
    "pt",
    "patient",
    "cl",
    "son",
    "daughter",
    "kid",
    "child",
    "brother",
    "sister",
    "friend",
    "partner",
    "husband",
    "wife",
    "boyfriend",
    "girlfriend",
    "supervisee",
    "student",
    "mom",
    "mum",
    "dad",
    "named",
    "called",
    "niece",
    "nephew",
    "cousin",
    "grandson",
    "granddaughter",
    "teen",
}


_MONTHS = frozenset("january february march april may june july august september october november december".split())


_MARKER = re.compile(r"\((\d{1,2})\)")
# "see point (2)", "step (3)": a numbered item, not an age
_MARKER_CUES = {"point", "points", "step", "steps", "option", "options", "item", "items", "question", "no"}
_MARKER_CUES |= {"number", "see", "section", "part", "stage", "level", "rule", "criterion", "criteria", "para"}


def _list_markers(doc: Doc) -> set[int]:
    """Offsets of the numbers in "(1) … (2) … (3)": numbered points counted up
    from one are a list, not ages. A bracket right after a name stays an age
    ("Mia (1) and Leo (3)")."""
    found = [(m.start(1), int(m.group(1))) for m in _MARKER.finditer(doc.text)]
    if not found:
        return set()
    values = [v for _, v in found]
    counted = len(found) >= 2 and values[0] == 1 and all(a <= b for a, b in zip(values, values[1:], strict=False))
    out = set()
    for at, _ in found:
        tok = doc.token_at(at)
        before = doc.prev(tok) if tok is not None else None
        after_name = before is not None and tok is not None and before.is_cap and doc.gap(before, tok) == " ("
        if before is not None and before.lower in _MARKER_CUES or counted and not after_name:
            out.add(at)
    return out


_COMMA_NUMBER = re.compile(r",[ \t](\d+)")


def _appositive_person(doc: Doc, at: int) -> bool:
    """', 41,' follows a person ('kwame, 41,') rather than a list of numbers."""
    words = re.findall(r"[\w']+", doc.text[max(0, at - 40) : at])
    if not words:
        return False
    w = words[-1]
    # "therapist here, 28,": the writer introducing themselves
    if w.lower() == "here" and len(words) >= 2:
        n = _COMMA_NUMBER.match(doc.text, at)
        return n is None or int(n.group(1)) >= 16
    # "Client M - 17 -": an initial standing for the person
    if len(w) == 1 and w.isupper() and w != "I":
        return True
    return _subject_is_person(doc.text, at, appositive=True) or not doc.lex.is_word(w.lower())
