"""NAME: people's names from lexicons plus context.

Evidence, strongest first:
  * a title before it ("Dr.", "Mrs", "Pastor", "Coach") — whatever the word;
  * a person cue before it ("my client", "pt", "her son", "named", "goes by"),
    which also licenses lowercase names ("pt jess", "client grace");
  * a first name from the lists that is not an ordinary English word (Kwame,
    Deshawn, Agnieszka), anywhere;
  * a first name that IS a word (Hope, Will, Grace, Mark) only when it is
    capitalised mid-sentence, followed by a surname, or followed by a
    speech/action verb ("Hope said") — so "I hope" and "a weird summer" stay.
A detected first name runs on into following surnames and particles
("Rhodri ap Gwilym", "Pádraig Ó Súilleabháin").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import Candidate
from ..tokens import Token
from .base import Doc

TITLES = {
    "dr",
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "prof",
    "professor",
    "rev",
    "reverend",
    "pastor",
    "coach",
    "fr",
    "father",
    "rabbi",
    "imam",
    "sheikh",
    "officer",
    "judge",
    "detective",
    "det",
    "sgt",
    "sergeant",
    "nurse",
    "auntie",
    "aunty",
    "uncle",
    "aunt",
    "grandma",
    "grandpa",
    "nana",
    "papa",
    "sr",
    "sister",
    "brother",
    "elder",
    "deacon",
    "bishop",
    "principal",
    "counselor",
    "counsellor",
    "captain",
    "capt",
    "lt",
    "madam",
    "sir",
    "dame",
    "lord",
    "lady",
    "mister",
    "doc",
    # honorifics of other languages: "Encik Roslan", "Alhaji Musa", "Matua Rangi", "Kuya Jun"
    "encik",
    "puan",
    "cik",
    "datuk",
    "dato",
    "datin",
    "haji",
    "hajjah",
    "alhaji",
    "alhaja",
    "mallam",
    "ustaz",
    "ustazah",
    "bapak",
    "mbak",
    "kuya",
    "tita",
    "tito",
    "mzee",
    "oga",
    "swami",
    "sensei",
    "matua",
    "whaea",
    "señor",
    "señora",
    "herr",
    "frau",
    "monsieur",
    "madame",
}
# a title must be capitalised to count ("Sister Agnes"), except these few
_TITLES_ANY_CASE = {"dr", "mr", "mrs", "ms", "mx", "prof"}
PERSON_CUES = {
    "client",
    "clients",
    "pt",
    "pts",
    "patient",
    "patients",
    "cl",
    "supervisee",
    "supervisor",
    "intern",
    "colleague",
    "coworker",
    "co-worker",
    "boss",
    "manager",
    "mom",
    "mum",
    "mam",
    "mother",
    "dad",
    "father",
    "son",
    "daughter",
    "brother",
    "sister",
    "husband",
    "wife",
    "partner",
    "boyfriend",
    "girlfriend",
    "fiance",
    "fiancé",
    "fiancee",
    "fiancée",
    "ex",
    "friend",
    "roommate",
    "flatmate",
    "housemate",
    "neighbor",
    "neighbour",
    "cousin",
    "aunt",
    "uncle",
    "nephew",
    "niece",
    "grandmother",
    "grandfather",
    "grandma",
    "grandpa",
    "granddaughter",
    "grandson",
    "stepdad",
    "stepmom",
    "stepmum",
    "stepson",
    "stepdaughter",
    "kid",
    "child",
    "baby",
    "toddler",
    "teen",
    "teenager",
    "student",
    "resident",
    "player",
    "officer",
    "attorney",
    "lawyer",
    "solicitor",
    "therapist",
    "counselor",
    "counsellor",
    "psychiatrist",
    "psychologist",
    "doctor",
    "nurse",
    "teacher",
    "principal",
    "worker",
    "caseworker",
    "advocate",
    "named",
    "called",
    "nicknamed",
    "aka",
    "spouse",
    "sibling",
    "twin",
    "twins",
    "parent",
    "guardian",
    "referral",
    "referrer",
    "landlord",
    "tenant",
    "employer",
    "employee",
    "member",
    "pastor",
    "coach",
    "supervisors",
    "youth",
    "boy",
    "girl",
    "man",
    "woman",
    "lady",
    "guy",
    "gentleman",
    "veteran",
    "vet",
    "widow",
    "widower",
    "mentor",
    "mentee",
    "trainee",
    "colleagues",
}
_KIN_CUES = {
    "client",
    "pt",
    "cl",
    "patient",
    "son",
    "daughter",
    "brother",
    "sister",
    "husband",
    "wife",
    "partner",
    "boyfriend",
    "girlfriend",
    "supervisee",
    "dad",
    "father",
    "nephew",
    "cousin",
    "grandson",
    "stepson",
}
_STRONG_CUES = {"named", "called", "nicknamed", "aka"}
# "X said", "Hope texted": a word-like first name acting as a person
_PERSON_VERBS = {
    "said",
    "says",
    "told",
    "tells",
    "asked",
    "asks",
    "texted",
    "texts",
    "emailed",
    "emails",
    "called",
    "calls",
    "wants",
    "wanted",
    "thinks",
    "thought",
    "feels",
    "felt",
    "keeps",
    "kept",
    "hugged",
    "cried",
    "came",
    "comes",
    "left",
    "brought",
    "sent",
    "messaged",
    "posted",
    "invited",
    "offered",
    "disclosed",
    "mentioned",
    "admitted",
    "shared",
    "replied",
    "signed",
    "cancelled",
    "canceled",
    "missed",
    "showed",
    "turned",
    "has",
    "had",
    "is",
    "was",
    "and",
    "who",
    "just",
    "also",
    "never",
    "always",
    "really",
}
_PARTICLES = {
    "van",
    "von",
    "de",
    "del",
    "della",
    "der",
    "den",
    "da",
    "di",
    "du",
    "le",
    "la",
    "ap",
    "ab",
    "bin",
    "binti",
    "bint",
    "ibn",
    "al",
    "el",
    "ó",
    "o",
    "mac",
    "mc",
    "ní",
    "ni",
    "nic",
    "ua",
    "y",
    "dos",
    "das",
    "ter",
    "ten",
    "zu",
    "af",
    "av",
    "ben",
    "bat",
    "lo",
    "st",
}
# "Mac an tSaoir", "Nic an Bhaird": an article inside an Irish surname
_IRISH_ARTICLE_AFTER = {"mac", "mc", "nic", "ní", "ni", "ó", "o", "ua", "uí", "ui"}
_STOP_CAPS = {
    "i",
    "the",
    "a",
    "an",
    "and",
    "or",
    "but",
    "so",
    "if",
    "he",
    "she",
    "they",
    "we",
    "you",
    "it",
    "my",
    "his",
    "her",
    "their",
    "our",
    "your",
    "its",
    "this",
    "that",
    "these",
    "those",
    "who",
    "what",
    "when",
    "where",
    "why",
    "how",
    "is",
    "was",
    "be",
    "do",
    "did",
    "does",
    "not",
    "no",
    "yes",
    "ok",
    "also",
    "then",
    "there",
    "here",
    "me",
    "him",
    "them",
    "us",
    "at",
    "in",
    "on",
    "to",
    "for",
    "of",
    "with",
    "from",
    "by",
    "as",
    "about",
    "after",
    "before",
    "because",
    "since",
    "until",
    "while",
    "just",
    "even",
    "all",
    "any",
    "some",
    "every",
    "each",
    "other",
    "re",
    "fwd",
    "client",
    "pt",
    "patient",
    "mom",
    "dad",
    "mum",
}
INITIALS = re.compile(
    r"(?<![\w.])(?:[A-Z]\.\s?){1,3}[A-Z]\.(?![\w])"
    r"|(?<![\w.])[A-Z]\.(?=\s+(?:and|or|just|said|says|is|was|has|had|told|asked|wants|texted|[a-z]+ed)\b|\s*\()"
    # lowercase initials acting: "k.m. (my client) emailed", "j.r. said"
    r"|(?<![\w.])[a-z]\.[a-z]\.(?=\s*\((?:my|a|the|her|his)?\s*(?:client|pt|patient|son|daughter)|\s+(?:said|says|told|asked|wants|texted|emailed|rang|called)\b)"
    # a note signed "X." or "— J"
    r"|(?<=signed \")[A-Z]\.?(?=[\"”])|(?<=signed “)[A-Z]\.?(?=[\"”])|(?<=signed ')[A-Z]\.?(?=')"
)
_NOT_INITIALS = {
    "U.S.",
    "U.K.",
    "D.C.",
    "P.S.",
    "A.A.",
    "N.A.",
    "B.C.",
    "A.D.",
    "E.U.",
    "N.Z.",
    "L.A.",
    "N.Y.",
    "O.T.",
    "I.E.",
    "E.G.",
    "A.M.",
    "P.M.",
    "B.A.",
    "M.A.",
    "M.S.",
    "R.N.",
    "U.N.",
}


# A sign-off: a dash, then one or two capitalised words ending the message or a line
# ("… late last night. – Kelvin", "— Dr. Ama", "-Sam T."): the writer's own name.
# a closing line, then the writer's name on the next line ("Cheers,\nJo"); matched line by
# line (a regex anchored at line starts rescans a long line from every position)
_CLOSING_LINE = re.compile(
    r"[ \t\r]*(?i:cheers|thanks|thank\s+you|many\s+thanks|thanks\s+again|best|regards|kind\s+regards|"
    r"warm\s+regards|best\s+wishes|all\s+the\s+best|love|take\s+care|sincerely|yours\s+sincerely|warmly|ta|x+)"
    r"[ \t]*[,!.]?[ \t\r]*"
)
_NAME_LINE = re.compile(r"[ \t]*(?P<n>[A-Z][a-z'’-]+(?:[ \t]+[A-Z][a-z'’-]+)?|[A-Z]{1,3})[ \t]*\.?[ \t\r]*")


def closing_then_name(text: str) -> Iterator[re.Match[str]]:
    start = 0
    while True:
        nl = text.find("\n", start)
        if nl < 0:
            return
        # only short lines can be a closing or a name
        if nl - start <= 40 and _CLOSING_LINE.fullmatch(text, start, nl):
            end = text.find("\n", nl + 1)
            end = len(text) if end < 0 else end
            if end - nl <= 40:
                m = _NAME_LINE.fullmatch(text, nl + 1, end)
                if m is not None:
                    yield m
        start = nl + 1


INITIALS_LINE = re.compile(r"(?m)^[ \t]*[-–—~]?[ \t]*(?P<n>[A-Z]{2,3})[ \t]*[\"”’']?[ \t]*$")
SIGN_OFF = re.compile(
    r"(?:^|(?<=[.!?)\n]))[^\S\n]*[-–—~]\s*(?:(?:Dr|Mr|Mrs|Ms|Mx|Prof)\.?\s+)?"
    r"(?P<n>[A-Z][a-z'’-]+(?:\s+[A-Z](?:[a-z'’-]+|\.))?)\s*(?:,?\s*[A-Z]{2,6})?\s*$",
    re.MULTILINE,
)


# A person word, then a name in brackets or a word with an age in brackets:
# "client's ex (brandon) found", "client dev (17) asked", "my client A.M. is".
_PERSON_WORDS = (
    r"(?:client|clients|pt|patient|son|daughter|kid|child|boy|girl|brother|sister|husband|wife|partner|"
    r"boyfriend|girlfriend|bf|gf|ex|mum|mom|dad|father|mother|nephew|niece|cousin|friend|student|"
    r"supervisee|colleague|neighbou?r|boss|teen|classmate|fianc[eé]e?)"
)
_PERSON_WORD = re.compile(r"\b" + _PERSON_WORDS + r"(?:['’]s)?\s+", re.I)
_BRACKETED_AT = re.compile(r"\((?P<n>[A-Za-z][a-z'’-]{1,20})\)")
_AGED_AT = re.compile(r"(?P<n>[a-z][a-z'’-]{1,20})\s*\((?:1[01]\d|\d{1,2})\)")
_INITIALS_AT = re.compile(r"(?P<n>[A-Z]\.\s?[A-Z]\.)")


def _cued_forms(doc: Doc) -> Iterator[Candidate]:
    lex = doc.lex
    text = doc.text
    for cue in _PERSON_WORD.finditer(text):
        at = cue.end()
        m = _INITIALS_AT.match(text, at)
        if m:
            yield Candidate(m.start("n"), m.end("n"), "NAME", "person", 70, "name")
            continue
        m = _BRACKETED_AT.match(text, at)
        bracketed = m is not None
        m = m or _AGED_AT.match(text, at)
        if m is None:
            continue
        word = m.group("n").lower()
        if word in lex.allow or word in PERSON_CUES or word in _STOP_CAPS:
            continue
        # a bracketed word must look like a name; before an age any word stands as one
        if bracketed and lex.is_word(word) and not lex.is_first(word):
            continue
        yield Candidate(m.start("n"), m.end("n"), "NAME", "person", 70, "name")


def _first_name_before(doc: Doc, run: list[Token]) -> Token | None:
    """'Jordan Kessler': a capitalised first name right before a surname joins the
    name even when it is also a place or a word."""
    lex = doc.lex
    p = doc.prev(run[0])
    if (
        p is None
        or doc.gap(p, run[0]) != " "
        or not p.is_cap
        or p.is_upper
        or p.possessive
        or not lex.is_first(p.lower)
        or p.lower in _STOP_CAPS
        or p.lower in lex.allow
        or _is_title(p, doc)
    ):
        return None
    first = run[0].lower
    return p if (lex.is_surname(first) and not lex.is_word(first)) else None


def find(doc: Doc) -> Iterator[Candidate]:
    toks = doc.tokens
    lex = doc.lex
    yield from _cued_forms(doc)
    for t in toks:
        # "Jordan Kessler": a surname that is no English word, after a first name
        # that may also be a place or a word
        if (
            t.is_cap
            and not t.is_upper
            and lex.is_surname(t.lower)
            and not lex.is_word(t.lower)
            and t.lower not in lex.allow
        ):
            before = _first_name_before(doc, [t])
            if before is not None:
                yield Candidate(before.start, t.end, "NAME", "person", 66, "name")
    for m in SIGN_OFF.finditer(doc.text):
        if m.group("n").lower() not in lex.allow:
            yield Candidate(m.start("n"), m.end("n"), "NAME", "person", 80, "name")
    for m in closing_then_name(doc.text):
        # "Cheers,\nJo", "Thanks\nMJ": the line after a closing is who wrote it
        n = m.group("n")
        if n.lower() not in lex.allow and n.lower() not in TITLES and (len(n) > 3 or n.lower() not in lex.acronyms):
            yield Candidate(m.start("n"), m.end("n"), "NAME", "person", 78, "name")
    for m in INITIALS_LINE.finditer(doc.text):
        # a line of two or three capitals closing a message or a quoted one: "…after 3.\nMJ\n"
        n = m.group("n")
        low = n.lower()
        if low in lex.acronyms or low in lex.allow or low in _STATE_ABBR or low in lex.regions:
            continue
        lo = max(0, m.start() - 200)  # bounded: many such lines must not rescan the text
        head = doc.text[lo : m.start()].rstrip()
        if head and head[-1] in ".!?,)" and "\n" in doc.text[lo + len(head) : m.start() + 1]:
            yield Candidate(m.start("n"), m.end("n"), "NAME", "person", 62, "name")
    for m in INITIALS.finditer(doc.text):
        if m.group().replace(" ", "").upper() not in _NOT_INITIALS:
            yield Candidate(m.start(), m.end(), "NAME", "person", 62, "name")
    for t in toks:
        start = _evidence(doc, t)
        if start is None:
            continue
        lowercase = t.is_lower and not (t.lower in _PARTICLES and _particle_run_end(doc, t))
        run = _extend(doc, t, lowercase=lowercase, strong=start >= 60)
        before = None if lowercase else _first_name_before(doc, run)
        if before is not None:
            run.insert(0, before)
        yield Candidate(run[0].start, run[-1].end, "NAME", "person", start, "name")


def is_namey(doc: Doc, t: Token) -> bool:
    """Could this capitalised word be (part of) a name at all? Titles stay
    outside name spans (../shared/data/DEID_GUIDE.md, beside the repository): "Dr. [Okafor]"."""
    low = t.lower
    if low in TITLES and t.is_cap and not t.possessive:
        nxt = doc.next(t)
        if nxt is not None and (nxt.is_cap or nxt.is_upper) and doc.gap(t, nxt) in (" ", ". "):
            return False
    return not (low in _STOP_CAPS or low in doc.lex.allow or low in doc.lex.regions) and t.is_alpha


# "the fee is 20", "each chapter was 12": a thing, not a person
_NOT_BEFORE_AGED_NAME = frozenset("the a an this that these those each every any some no which what whose".split())
_AGE_SAID_NEXT = re.compile(
    r" (?:is|was) (?:only |just |nearly |almost )?(?:1[01]\d|[1-9]?\d)(?=\s*(?:$|[.,;!?)]|and\b|now\b|this\b|yrs?\b|years? old\b))"
)


def _evidence(doc: Doc, t: Token) -> int | None:
    """Priority of the evidence that t starts a name, or None."""
    lex = doc.lex
    if not t.is_alpha or len(t.text) < 2 and not t.is_upper:
        return None
    low = t.lower
    prev = doc.prev(t)
    nxt = doc.next(t)  # the token after t, read once (mypy narrows a name, not a call)
    gap = doc.gap(prev, t) if prev else ""
    if low in TITLES and t.is_cap and not (_after_plain_title(doc, t) and not _cap_follows(doc, t)):
        return None  # "Mrs" in "Mrs. Delgado": the title stays outside the span; "Mr Bishop" is a surname
    # a title, then a particle-led surname: "Mrs de la Fuente", "Dr van der Merwe"
    if (
        prev is not None
        and _is_title(prev, doc)
        and gap in (" ", ". ")
        and low in _PARTICLES
        and _particle_run_end(doc, t)
    ):
        return 66
    # title: Dr. Okafor, Mrs K, Coach Bryant
    if (
        prev is not None
        and _is_title(prev, doc)
        and gap in (" ", ". ", ".")
        and (t.is_cap or t.is_upper)
        and (
            is_namey(doc, t)
            or low in TITLES
            and _after_plain_title(doc, t)
            # "Auntie June", "Pastor Will": a first name the allowlist excuses elsewhere
            or low in lex.allow
            and lex.is_first(low)
            and not _followed_by_number(doc, t)
        )
    ):
        return 66
    if t.is_lower and low in _NUMBER_WORDS:
        return None
    # a title in lowercase before a lowercase surname: "mr hartley", "dr iyer"
    if (
        prev is not None
        and prev.lower in _TITLES_ANY_CASE
        and prev.is_lower
        and gap in (" ", ". ")
        and t.is_lower
        and len(low) >= 2
        and low not in _STOP_CAPS
        and (not lex.is_word(low) or lex.is_surname(low) and low not in lex.common_words)
    ):
        return 62
    if low in _STOP_CAPS and not (t.is_cap and lex.is_first(low) and not lex.is_word(low)):
        return None
    cue = _cue_before(doc, t)
    if cue == "strong" and (t.is_cap or t.is_upper) and low not in _STOP_CAPS:
        return 64  # "I'll call her K", "goes by Bird", "knew her as Whit"
    if low in lex.allow or low in lex.regions:
        # "my pt Summer", "my cl summer (19)": a cue outranks the allowlist
        # for a known first name; so does a season capitalised mid-sentence
        # ("Summer emailed", but "this Summer"), or a capitalised name
        # that speaks ("Kia said", "April texted")
        first = lex.is_first(low)
        if not (
            cue
            and first
            and (t.is_cap or _acts(doc, t))
            or first
            and t.is_cap
            and low in _SEASONS
            and not t.sent_start
            and not _after_time_cue(prev)
            or first
            and t.is_cap
            and (low not in _TIME_WORDS or not _after_time_cue(prev))
            and _speaks(doc, t)
            # "April's mum", "June's texts": a month has no family
            or first
            and t.is_cap
            and t.possessive
            and _owner_is_person(doc, t)
            # "May and I agreed"
            or first
            and t.is_cap
            and not t.possessive
            and _and_i(doc, t)
        ):
            return None
    if cue:
        if t.is_cap and not t.is_upper:
            if cue == "strong" or lex.is_first(low) or lex.is_surname(low) or not lex.is_word(low):
                return 64
            # capitalised ordinary word right after a cue: "my client Bird" vs "my client Today"
            return 60 if not t.sent_start else None
        if t.is_upper and 2 <= len(t.text) <= 3 and _initialism(doc, t):
            return 60  # "her son DJ"
        if t.is_lower and len(low) >= 3:
            # "pt guy texted", "her son guy is": a person word that is also a
            # name, right after a kin or client word, acting
            if (
                low in PERSON_CUES
                and lex.is_first(low)
                and prev is not None
                and prev.lower in _KIN_CUES
                and gap == " "
                and _acts(doc, t, lowercase=True)
            ):
                return 58
            if lex.is_first(low) and low not in PERSON_CUES:
                if not lex.is_word(low):
                    return 60  # "pt jess", "client kwame"
                # a first name that is also a word: "client grace offered",
                # "my client sandy (34)", "client mark." but not "client will say",
                # "her daughter drew me", "a client rang my mobile"
                if _acts(doc, t, lowercase=True) or _ends_mention(doc, t):
                    return 60
                # a very common word, or a verb taking an object, is the word:
                # "her son will be", "her daughter drew me", "a client rang my"
                nxt = doc.next(t)
                if low in lex.common_words or low in _IRREGULAR_PAST or low.endswith(("ed", "ing")):
                    return None
                if nxt is not None and doc.gap(t, nxt) == " " and nxt.lower in _OBJECTS:
                    return None
                return 60  # "my client joy at the pub", "pt jess`"
            if lex.is_surname(low) and not lex.is_word(low):
                return 58  # "my client iyer"
            if (
                not lex.is_word(low)
                and not lex.near_word(low)
                and (not lex.is_place(low) or _acts(doc, t, lowercase=True) or _ends_mention(doc, t))
            ):
                return 56  # "my client ngozi wants" (a place too, but a person by position)
        return None
    # "coffee with pat after group": a lowercase first name after "with",
    # closing its phrase, unless it is a virtue ("with grace and dignity")
    if (
        t.is_lower
        and prev is not None
        and prev.lower == "with"
        and gap == " "
        and len(low) >= 3
        and lex.is_first(low)
        and low not in lex.common_words
        and low not in _VIRTUES
        and low not in _IRREGULAR_PAST
        and (_ends_mention(doc, t) and not t.possessive or (nxt is not None and nxt.lower in _NAME_THEN_PREP))
    ):
        return 56
    # "Blessing, 19, is a client": a capitalised word with an age in apposition
    if (
        t.is_cap
        and not t.is_upper
        and not t.possessive
        and low not in _TIME_WORDS
        and low not in lex.regions
        and low not in _STOP_CAPS
        and _AGE_APPOS.match(doc.text, t.end)
    ):
        return 50
    if (
        t.is_upper
        and 2 <= len(t.text) <= 3
        and t.is_alpha
        and (prev is None or prev.lower not in _DETERMINERS)
        and (
            _initialism(doc, t)
            and _initial_acts(doc, t)
            # a state's letters too, in a person's slot: "a session w AK", "dont tell AK",
            # telling something ("AK told me"), or two of them acting together ("AK and TR are")
            or _initialism(doc, t, states=True)
            and (_initial_slot(doc, t, prev, gap) or _initial_tells(doc, t) or _initials_pair_act(doc, t))
        )
    ):
        return 56  # "how DJ is doing", "DJ is 17", "KC said", "a session w AK and TR"
    if t.is_lower and len(low) >= 3 and lex.is_first(low) and not lex.is_word(low) and not lex.is_rare_word(low):
        nxt = doc.next(t)
        # a lowercase full name: "rajendra kumar"
        if (
            nxt is not None
            and doc.gap(t, nxt) == " "
            and nxt.is_lower
            and len(nxt.text) >= 3
            and (lex.is_surname(nxt.lower) or lex.is_first(nxt.lower))
            and not lex.is_word(nxt.lower)
            and not lex.is_rare_word(nxt.lower)
            and nxt.lower not in lex.allow
        ):
            return 54
    if (
        t.is_lower
        and t.is_alpha
        and len(low) >= 3
        and not lex.is_word(low)
        and low not in lex.allow
        and low not in _STOP_CAPS
        and _lower_person_slot(doc, t, prev, gap)
        and (lex.is_first(low) or not lex.near_word(low))
    ):
        # lowercase typing: a word that is no English word where a person
        # goes — acting ("so arnab said", "adebayo asked if") or after
        # "into/told/met" ("ran into xiuying at the shops")
        if (lex.is_first(low) or len(low) >= 4) and (
            _speaks(doc, t)
            and (
                lex.is_first(low)
                or not lex.is_rare_word(low)
                or t.sent_start
                or (prev is not None and prev.lower in _SO)
            )
            or (lex.is_first(low) or not lex.is_rare_word(low))
            and _acts(doc, t)
            and (nxt is None or nxt.lower not in ("has", "had", "is", "was"))
            or prev is not None
            and prev.lower in _MEET_VERBS
            and gap == " "
            and (_ends_mention(doc, t) or nxt is not None and nxt.lower in _NAME_THEN_PREP)
        ):
            return 52
    if (
        t.is_lower
        and t.is_alpha
        and len(low) >= 3
        and lex.is_first(low)
        and (
            # (a word right after one of our own placeholders starts no sentence)
            t.sent_start
            and not t.after_mask
            and _acts(doc, t)
            or prev is not None
            and prev.lower in ("its", "it's", "im", "i'm")
            and not lex.is_word(low)
        )
    ):
        return 54  # texting: "grace (pt, 26yo) follows me", "its ciarán from the group"
    if t.is_lower and t.is_alpha and len(low) >= 3 and not lex.is_word(low) and not lex.is_rare_word(low):
        nxt = doc.next(t)
        # texting style: "caoimhes mam", "caoimhe is 17"
        if (
            nxt is not None
            and doc.gap(t, nxt) == " "
            and (
                nxt.lower in _FAMILY
                and low.endswith("s")
                or nxt.lower in ("is", "was")
                and _followed_by_number(doc, nxt)
            )
        ):
            return 52
    # "marco is 27 and", "then priya was 15.": a listed given name in lowercase whose age is
    # said next (the age closing the clause, no unit after it) is a name, word or not
    if (
        t.is_lower
        and len(low) >= 3
        and lex.is_first(low)
        and low not in lex.common_words
        and low not in _STOP_CAPS
        and not t.possessive
        and _AGE_SAID_NEXT.match(doc.text, t.end)
        and not (prev is not None and (prev.lower in _DETERMINERS or prev.lower in _NOT_BEFORE_AGED_NAME))
    ):
        return 52

    if not t.is_cap or t.is_upper and len(t.text) < 4:
        return None
    first = lex.is_first(low)
    word = lex.is_word(low)
    if first and not word:
        return 58
    if not first:
        # an unlisted name at a sentence start, acting: "Kwame said", "Tendai's mum"
        if t.sent_start and not word and not t.after_mask and lex.is_rare_word(low):
            nxt = doc.next(t)
            if nxt is not None and (
                t.possessive and nxt.lower in PERSON_CUES or not t.possessive and _subject_acts(doc, t)
            ):
                return 52
            # "Thiago Rice has…": a surname after it, then lowercase prose
            if (
                nxt is not None
                and not t.possessive
                and doc.gap(t, nxt) == " "
                and nxt.is_cap
                and is_namey(doc, nxt)
                and lex.is_surname(nxt.lower)
            ):
                after = doc.next(nxt)
                if after is None or after.is_lower and doc.gap(nxt, after) == " " or nxt.possessive:
                    return 52
        return None
    # a first name that is also a word: needs more
    nxt = doc.next(t)
    if (
        nxt is not None
        and doc.gap(t, nxt) == " "
        and nxt.is_cap
        and (lex.is_surname(nxt.lower) or not lex.is_word(nxt.lower))
        and is_namey(doc, nxt)
    ):
        return 58
    if t.possessive and nxt is not None and nxt.lower in PERSON_CUES:
        return 58  # "Rose's husband"
    if not t.sent_start:
        # mid-sentence capital on a common word: a name unless it is part of a
        # longer capitalised phrase ("Mental Health", "Labor Day")
        neighbours = [x for x in (prev, nxt) if x is not None]
        if not any(
            x.is_cap
            and (not x.sent_start or x.after_mask)
            and x.lower not in _STOP_CAPS
            and doc.gap(*(sorted((x, t), key=lambda y: y.i))) == " "
            for x in neighbours
        ):
            return 54
        return None
    if nxt is not None and not t.possessive and not t.after_mask and _subject_acts(doc, t):
        return 52  # "Hope said", "Will seemed thrilled", "Amber from my group", "Rich (my client, 58)"
    return None


# "ran into arnab at", "told ngozi", "met yanaba": a person as object
_MEET_VERBS = {
    "into",
    "told",
    "tell",
    "asked",
    "ask",
    "met",
    "meet",
    "saw",
    "see",
    "texted",
    "text",
    "called",
    "call",
    "emailed",
    "email",
    "messaged",
    "hugged",
    "invited",
    "thanked",
    "thank",
    "referred",
}
_SO = {"so", "then", "and", "but", "when", "because", "cos", "coz", "bc", "after", "before", "said", "says", "if"}
_OWNED = {
    "texts",
    "text",
    "messages",
    "message",
    "email",
    "emails",
    "phone",
    "disclosure",
    "diary",
    "journal",
    "birthday",
    "wedding",
    "funeral",
    "kids",
    "children",
    "family",
    "behaviour",
    "behavior",
    "therapist",
    "parents",
    "school",
    "teacher",
    "car",
    "house",
    "flat",
    "apartment",
    "room",
    "boss",
    "job",
}


def _lower_person_slot(doc: Doc, t: Token, prev: Token | None, gap: str) -> bool:
    """Cheap pre-check for the lowercase rule: a verb after, or a meeting verb before."""
    nxt = doc.next(t)
    return (
        nxt is not None
        and (nxt.lower in _PERSON_VERBS or nxt.lower.endswith("ed") or nxt.lower in _IRREGULAR_PAST)
        or _PERSON_AFTER.match(doc.text, t.end) is not None
        or prev is not None
        and prev.lower in _MEET_VERBS
    )


def _owner_is_person(doc: Doc, t: Token) -> bool:
    nxt = doc.next(t)
    return nxt is not None and (nxt.lower in PERSON_CUES or nxt.lower in _OWNED)


def _and_i(doc: Doc, t: Token) -> bool:
    nxt = doc.next(t)
    if nxt is None or nxt.lower != "and" or doc.gap(t, nxt) != " ":
        return False
    after = doc.next(nxt)
    return after is not None and after.text in ("I", "me") and doc.gap(nxt, after) == " "


def _after_plain_title(doc: Doc, t: Token) -> bool:
    """Right after Mr/Mrs/Ms/Dr/Mx/Prof: "Mr Bishop", "Dr Nurse"."""
    p = doc.prev(t)
    return p is not None and p.lower in _TITLES_ANY_CASE and p.text[0].isupper() and doc.gap(p, t) in (" ", ". ")


def _cap_follows(doc: Doc, t: Token) -> bool:
    n = doc.next(t)
    return n is not None and n.is_cap and doc.gap(t, n) == " "


def _particle_run_end(doc: Doc, t: Token) -> Token | None:
    """'de la Fuente': one to three particles, then a capitalised name."""
    j, k = t, 0
    while j is not None and j.lower in _PARTICLES and not j.is_cap and k < 3:
        nxt = doc.next(j)
        if nxt is None or doc.gap(j, nxt) != " ":
            return None
        j, k = nxt, k + 1
    return j if j is not None and k and j.is_cap and is_namey(doc, j) else None


_FAMILY = {
    "mam",
    "mum",
    "mom",
    "mother",
    "dad",
    "father",
    "husband",
    "wife",
    "partner",
    "son",
    "daughter",
    "sister",
    "brother",
    "boyfriend",
    "girlfriend",
    "kids",
    "family",
    "parents",
    "nan",
    "gran",
}


_PERSON_AFTER = re.compile(
    r"\s*(?:\((?:(?:my|our|a|the|his|her|their|new|former|ex-?)\s+)?(?:pt|cl|client|patient|supervisee|age|aged|\d)"
    r"|,\s*\d{1,2}\b)",
    re.IGNORECASE,
)
# past tenses that don't end in -ed, and present forms a subject takes:
# "Will went", "Dawn rang", "Bec wants"
_IRREGULAR_PAST = {
    "went",
    "got",
    "gave",
    "took",
    "made",
    "wrote",
    "rang",
    "drew",
    "ran",
    "sat",
    "stood",
    "met",
    "paid",
    "lost",
    "found",
    "knew",
    "heard",
    "bought",
    "began",
    "broke",
    "chose",
    "drove",
    "fell",
    "forgot",
    "grew",
    "hid",
    "hung",
    "led",
    "meant",
    "rode",
    "saw",
    "sang",
    "shook",
    "slept",
    "spoke",
    "spent",
    "stole",
    "swore",
    "taught",
    "threw",
    "understood",
    "woke",
    "wore",
    "seems",
    "dm'd",
    "dm’d",
    "dmed",
    "pm'd",
    "wants",
    "needs",
    "loves",
    "hates",
    "lives",
    "works",
}
# after a lowercase name (a cue before it): what a person does next
_MODALS = {
    "can't",
    "won't",
    "didn't",
    "doesn't",
    "isn't",
    "wasn't",
    "hasn't",
    "can",
    "could",
    "would",
    "should",
    "might",
    "will",
    "must",
    "won’t",
    "can’t",
    "didn’t",
    "doesn’t",
}
_SPEECH = _PERSON_VERBS - {
    "has",
    "had",
    "is",
    "was",
    "and",
    "who",
    "just",
    "also",
    "never",
    "always",
    "really",
    "came",
    "comes",
    "left",
    "turned",
    "keeps",
    "kept",
    "showed",
    "missed",
    "brought",
    "sent",
}
_SEASONS = {"summer", "autumn", "winter", "spring"}
_TIME_WORDS = {
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
}
_TIME_CUES = {
    "this",
    "last",
    "next",
    "in",
    "over",
    "the",
    "during",
    "since",
    "until",
    "till",
    "by",
    "before",
    "after",
    "of",
    "early",
    "late",
    "mid",
    "every",
    "each",
    "all",
    "that",
    "through",
    "throughout",
    "from",
    "for",
    "a",
    "one",
    "past",
    "coming",
}
_DETERMINERS = {
    "the",
    "a",
    "an",
    "our",
    "your",
    "their",
    "this",
    "that",
    "these",
    "those",
    "any",
    "no",
    "each",
    "every",
    "its",
    "some",
}
_AGE_APPOS = re.compile(
    r",\s(?:1[0-1]\d|[1-9]?\d),\s+(?:is|was|has|had|who|and|a|an|lives|works|says|said|wants)\b|\s\((?:1[0-1]\d|[1-9]?\d)\)"
)
_VIRTUES = {
    "grace",
    "joy",
    "faith",
    "hope",
    "love",
    "charity",
    "patience",
    "honor",
    "honour",
    "mercy",
    "prudence",
    "constance",
    "felicity",
    "harmony",
    "serenity",
    "trinity",
    "destiny",
    "liberty",
    "unity",
    "justice",
    "glory",
    "peace",
    "bliss",
    "verity",
    "care",
    "pride",
    "passion",
    "courage",
    "purpose",
    "spirit",
}
_OBJECTS = {
    "me",
    "my",
    "him",
    "her",
    "us",
    "them",
    "it",
    "the",
    "a",
    "an",
    "this",
    "that",
    "his",
    "their",
    "our",
    "your",
    "up",
    "out",
    "back",
    "down",
    "off",
    "some",
    "any",
    "every",
    "all",
    "to",
}
_NAME_THEN_PREP = {"at", "in", "on", "from", "with", "about", "after", "before", "during", "over", "into"}
_NUMBER_WORDS = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"}


def _after_time_cue(prev: Token | None) -> bool:
    return prev is not None and prev.lower in _TIME_CUES


def _acts(doc: Doc, t: Token, lowercase: bool = False) -> bool:
    """Is the next word something a person does ("left", "said", "keeps"), or
    does an age or role follow ("summer (19)", "grace (pt, 26yo)")? After a
    cue, a lowercase name may also be followed by a modal ("pat can't")."""
    if _PERSON_AFTER.match(doc.text, t.end + (2 if t.possessive else 0)):
        return True
    nxt = doc.next(t)
    if nxt is None or doc.gap(t, nxt) != " ":
        return False
    w = nxt.lower
    return (
        w in _PERSON_VERBS
        and w not in ("and", "just", "also", "never", "always", "really")
        or (len(w) > 4 and w.endswith("ed") and doc.lex.is_word(w))
        or lowercase
        and (w in _MODALS or w in _IRREGULAR_PAST)
    )


def _speaks(doc: Doc, t: Token) -> bool:
    """A speech or contact verb right after, or a role in brackets: "Kia said", "April texted"."""
    nxt = doc.next(t)
    return (nxt is not None and not t.possessive and doc.gap(t, nxt) == " " and nxt.lower in _SPEECH) or bool(
        _PERSON_AFTER.match(doc.text, t.end)
    )


# punctuation, not one of our placeholders (masked on a second pass)
_MENTION_END = re.compile(r"\s*(?:[^\w\s'’\u25a1]|$|and\b|who\b)")


def _ends_mention(doc: Doc, t: Token) -> bool:
    """The name closes the phrase: "my client sandy.", "client hope, who…"."""
    return t.possessive or bool(_MENTION_END.match(doc.text, t.end))


_IS_A_CLIENT = re.compile(
    r"\s+(?:has\s+been|had\s+been|is|was|became)\s+(?:my|our|a|an|her|his|their)\s+(?:\w+\s+)?"
    r"(?:client|patient|supervisee|colleague|neighbou?r|friend|student|tenant|landlord|boss)s?\b",
    re.IGNORECASE,
)


def _subject_acts(doc: Doc, t: Token) -> bool:
    """At a sentence start a word-like name needs to act as a subject: a
    speech verb, a past tense ("Will seemed thrilled": a modal never takes
    one), "from my group", a role or age in brackets, or being someone's
    client ("Arnab has been my client")."""
    if _PERSON_AFTER.match(doc.text, t.end) or _IS_A_CLIENT.match(doc.text, t.end):
        return True
    nxt = doc.next(t)
    if nxt is None or doc.gap(t, nxt) != " ":
        return False
    w = nxt.lower
    if w in _PERSON_VERBS and w not in ("is", "was", "and", "has", "had", "just", "also", "really"):
        return True
    if w in _IRREGULAR_PAST:
        return True
    if len(w) > 4 and w.endswith("ed") and doc.lex.is_word(w):
        # not a participle after a plural noun: "Numbers followed by units", "Clients referred by GPs"
        after = doc.next(nxt)
        plural = t.lower.endswith("s") and not t.lower.endswith("ss") and doc.lex.is_word(t.lower[:-1])
        return not plural and not (after is not None and after.lower == "by")
    if w in _NAME_THEN_PREP and doc.text[t.start : t.start + 1].isupper():
        # "Dawn on the front desk told me…": a place or role phrase, then speech
        j: Token | None = nxt
        k = 0
        while (
            j is not None
            and k < 10
            and not any(c in doc.gap(t, j) for c in ".?!,;:\n")
            and j.lower not in ("when", "as", "if", "because", "that", "who", "which", "while", "and", "but", "so")
        ):
            if j.lower in _SPEECH - {"says", "thinks", "thought", "feels", "felt", "wants", "wanted", "has", "had"}:
                return True
            j, k = doc.next(j), k + 1
    if w in ("from", "and"):
        # "Amber from my group", "Jo and I were at school together"
        after = doc.next(nxt)
        return after is not None and (
            w == "from"
            and after.lower in ("my", "our", "his", "her", "their")
            or w == "and"
            and after.text in ("I", "my", "her", "his", "their")
        )
    return False


_STATE_ABBR = {
    "al",
    "ak",
    "az",
    "ar",
    "ca",
    "co",
    "ct",
    "de",
    "dc",
    "fl",
    "ga",
    "hi",
    "id",
    "il",
    "in",
    "ia",
    "ks",
    "ky",
    "la",
    "me",
    "md",
    "ma",
    "mi",
    "mn",
    "ms",
    "mo",
    "mt",
    "ne",
    "nv",
    "nh",
    "nj",
    "nm",
    "ny",
    "nc",
    "nd",
    "oh",
    "ok",
    "or",
    "pa",
    "ri",
    "sc",
    "sd",
    "tn",
    "tx",
    "ut",
    "vt",
    "va",
    "wa",
    "wv",
    "wi",
    "wy",
    "pr",
    "ab",
    "bc",
    "mb",
    "nb",
    "nl",
    "ns",
    "nt",
    "nu",
    "on",
    "pe",
    "qc",
    "sk",
    "yt",
    "nsw",
    "vic",
    "qld",
    "sa",
    "tas",
    "act",
}


# past participles after an acronym that are no one's act: "ADHD related", "CBT based"
_NOT_ACTING_ED = frozenset("related based focused informed trained certified approved funded led registered".split())


def _initialism(doc: Doc, t: Token, states: bool = False) -> bool:
    """Two or three capitals that are no known acronym: initials used as a
    name ("DJ", "TJ", "KC"); with `states`, a state's letters count too."""
    low = t.lower
    return (
        t.text.isalpha()
        and low not in doc.lex.acronyms
        and low not in doc.lex.allow
        and (states or low not in _STATE_ABBR)
        and low not in doc.lex.regions
    )


# before initials standing for a person: "a session w AK", "dont tell TR", "met JB"
_INITIAL_SLOT = frozenset(
    "w with tell told telling met meet meeting saw see seeing asked ask texted text called call ring rang emailed "
    "messaged dm dmd warned".split()
)


def _initial_slot(doc: Doc, t: Token, prev: Token | None, gap: str) -> bool:
    """Initials in a person's slot: after "with", "tell", "met"…, or joined by
    "and"/"&" to other initials there ("w AK and TR")."""
    if prev is None:
        return False
    if (
        gap in (" (", "(")
        and doc.text[t.end : t.end + 1] == ")"
        and (prev.lower in PERSON_CUES or prev.lower in _KIN_CUES)
    ):
        return True  # "my supervisee (AK) and her client (TR)"
    if gap != " ":
        return False
    if prev.lower in _INITIAL_SLOT:
        return True
    if prev.lower in ("and", "&"):
        q = doc.prev(prev)
        return (
            q is not None
            and q.is_upper
            and 2 <= len(q.text) <= 3
            and q.text.isalpha()
            and _initialism(doc, q, states=True)
            and (_initial_slot(doc, q, qp, doc.gap(qp, q)) if (qp := doc.prev(q)) is not None else False)
        )
    return False


# a state does not tell anything: "AK told me", "TR said"
_TELLING = frozenset("told tells said says asked asks texted messaged emailed mentioned admitted disclosed".split())
# two people acting together: "AK and TR are dating", "JB & KC were both there"
_TOGETHER = frozenset("are were have had both said told came went started got keep kept".split())


def _initial_tells(doc: Doc, t: Token) -> bool:
    nxt = doc.next(t)
    return nxt is not None and doc.gap(t, nxt) == " " and nxt.lower in _TELLING


def _initials_pair_act(doc: Doc, t: Token) -> bool:
    """Initials joined by "and"/"&" to other initials, the two then acting."""

    def initials(x: Token | None) -> bool:
        return x is not None and x.is_upper and 2 <= len(x.text) <= 3 and _initialism(doc, x, states=True)

    def partner(x: Token, step: int) -> Token | None:
        """The initials across "and" or "&" from x (step 1: after it, -1: before it)."""
        y = doc.next(x) if step > 0 else doc.prev(x)
        if y is None:
            return None
        a, b = (x, y) if step > 0 else (y, x)
        if doc.gap(a, b) == " & ":
            return y if initials(y) else None
        if y.lower != "and" or doc.gap(a, b) != " ":
            return None
        z = doc.next(y) if step > 0 else doc.prev(y)
        if z is None:
            return None
        c, d = (y, z) if step > 0 else (z, y)
        return z if doc.gap(c, d) == " " and initials(z) else None

    other = partner(t, 1) or partner(t, -1)
    if other is None or t.lower in _STATE_ABBR and other.lower in _STATE_ABBR:
        return False  # "CA and NY are expensive": two states
    last = other if other.i > t.i else t
    after = doc.next(last)
    return after is not None and doc.gap(last, after) == " " and after.lower in _TOGETHER


def _initial_acts(doc: Doc, t: Token) -> bool:
    """Initials acting as a person: a speech verb, or "is/was" then an age,
    an -ing verb or a bracket ("DJ is 17", "how DJ is doing")."""
    if _PERSON_AFTER.match(doc.text, t.end + (2 if t.possessive else 0)):
        return True
    nxt = doc.next(t)
    if nxt is None or doc.gap(t, nxt) != " ":
        return False
    w = nxt.lower
    if w in _SPEECH or w in ("wants", "wanted", "came", "left", "turned") or w in _IRREGULAR_PAST:
        return True
    if len(w) > 4 and w.endswith("ed") and w not in doc.lex.common_words | _NOT_ACTING_ED:
        return True  # "TR pulled me aside", "JB mentioned"
    if w in ("is", "was", "has", "had"):
        after = doc.next(nxt)
        return (
            after is not None
            and doc.gap(nxt, after) == " "
            and (
                after.text.isdigit()
                and len(after.text) <= 2
                or after.lower.endswith("ing")
                and len(after.lower) > 5
                or after.lower in ("been", "now", "only", "just", "still")
            )
        )
    return False


def _followed_by_number(doc: Doc, t: Token) -> bool:
    nxt = doc.next(t)
    return nxt is not None and nxt.text.isdigit() and len(nxt.text) <= 3


def _is_title(tok: Token, doc: Doc | None = None) -> bool:
    low = tok.lower
    if low not in TITLES:
        return False
    if low == "dr" and doc is not None:
        before = doc.prev(tok)
        # "on Oak Hollow Dr. Go?" — a street, not a doctor
        if before is not None and before.is_cap and not before.sent_start and doc.gap(before, tok) == " ":
            return False
    return tok.is_cap or low in _TITLES_ANY_CASE and tok.text[0].isupper()


def _cue_before(doc: Doc, t: Token) -> str | None:
    """'strong' for named/called/goes by/name is, 'person' for client/son/…"""
    p = doc.prev(t)
    if p is None:
        return None
    gap = doc.gap(p, t)
    if p.possessive and p.lower == "name" and gap in ("'s ", "’s "):
        return "strong"  # "her name's Summer"
    if gap not in (" ", ", ", ": ", " (", ", (") or p.possessive:
        return None
    low = p.lower
    head = p.head
    if low in _STRONG_CUES or head in _STRONG_CUES:
        return "strong"
    pp = doc.prev(p)
    if pp is not None and (pp.lower, low) in {
        ("goes", "by"),
        ("go", "by"),
        ("going", "by"),
        ("name", "is"),
        ("names", "are"),
        ("known", "as"),
        ("her", "as"),
        ("him", "as"),
        ("them", "as"),
        ("name", "was"),
        ("called", "her"),
        ("called", "him"),
        ("call", "her"),
        ("call", "him"),
        ("call", "them"),
        ("calling", "her"),
        ("calling", "him"),
        ("signed", "it"),
    }:
        return "strong"
    if low in ("is", "was") and pp is not None and pp.head in PERSON_CUES and doc.gap(pp, p) == " " and t.is_cap:
        return "person"  # "client is Sharon Pruitt"
    if low in ("i'm", "im") or (low == "am" and pp is not None and pp.lower == "i"):
        return "person" if t.is_cap else None
    if low in ("its", "it's") and pp is None or low == "is" and pp is not None and pp.lower == "this" and t.is_cap:
        return "person"  # "hey all its ciarán", "This is Beth"
    if low in ("hi", "hey", "dear", "thanks", "love", "cc") and t.is_cap:
        return "person"
    if head in PERSON_CUES and gap in (" ", ", "):
        if head in ("ex", "man", "woman", "guy", "lady", "boy", "girl", "member", "youth", "vet") and not t.is_cap:
            return None
        return "person"
    return None


def _extend(doc: Doc, t: Token, lowercase: bool, strong: bool = False) -> list[Token]:
    lex = doc.lex
    run = [t]
    while len(run) < 5 and not run[-1].possessive:
        nxt = doc.next(run[-1])
        if nxt is None or doc.gap(run[-1], nxt) != " ":
            break
        low = nxt.lower
        if low in _PARTICLES or low in ("an", "na") and run[-1].lower in _IRISH_ARTICLE_AFTER:
            # one to three particles, then a capitalised name: "van der Berg", "de la Cruz"
            parts = [nxt]
            after = doc.next(nxt)
            while (
                after is not None
                and len(parts) < 3
                and doc.gap(parts[-1], after) == " "
                and (
                    after.lower in _PARTICLES or after.lower in ("an", "na") and parts[-1].lower in _IRISH_ARTICLE_AFTER
                )
                and not after.is_cap
            ):
                parts.append(after)
                after = doc.next(after)
            if after is not None and doc.gap(parts[-1], after) == " " and after.is_cap and is_namey(doc, after):
                run.extend(parts + [after])
                continue
            break
        if lowercase:
            if (
                nxt.is_lower
                and nxt.is_alpha
                and not lex.is_word(low)
                and low not in lex.allow
                and len(low) >= 2
                and low not in PERSON_CUES
                and low not in _FAMILY
            ):
                run.append(nxt)
                continue
            break
        if not (nxt.is_cap or (nxt.is_upper and len(nxt.text) == 1)) or not is_namey(doc, nxt):
            break
        if nxt.sent_start:
            break
        if lex.is_surname(low) or lex.is_first(low) or not lex.is_word(low) or "-" in low:
            run.append(nxt)
            continue
        # after a title or cue, a short uncommon capitalised word ends the
        # name rather than starting a phrase ("Client Li Na came")
        after = doc.next(nxt)
        if (
            strong
            and (low not in lex.common_words or len(low) <= 3)
            and (after is None or not after.is_cap or doc.gap(nxt, after) != " ")
        ):
            run.append(nxt)
            continue
        break
    return run
