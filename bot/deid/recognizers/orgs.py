"""ORG: named schools, hospitals, clinics, churches, employers, teams, venues.

A run of capitalised words ending in a head noun ("… Elementary", "… Church",
"… Yoga") is an organisation, typed by that noun. Saints' names with a
possessive ("St. Mary's") and venues named after a preposition ("at Blue
Bottle", "at The Rusty Anchor") are caught as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..fastre import fast
from ..model import Candidate
from ..tokens import MASK, Token
from .base import Doc, scan
from .names import TITLES

HEADS: dict[str, str] = {}
for kind, words in {
    "school": "school schools elementary middle high prep preparatory academy college university uni primary "
    "secondary montessori kindergarten preschool nursery institute polytechnic seminary scoil gaelscoil "
    "collegiate grammar ns cbs bns gns etns gaelcholáiste gaelcholaiste",
    "hospital": "hospital hospitals infirmary medical healthcare hospice surgery trust nhs",
    "clinic": "clinic clinics counseling counselling therapy therapies wellness psychiatry psychology "
    "services centre center practice associates health rehab recovery psych physio physiotherapy",
    "church": "church chapel cathedral temple mosque masjid synagogue shul fellowship assembly ministries "
    "ministry parish baptist lutheran methodist presbyterian tabernacle gurdwara congregation abbey",
    "team": "rovers united fc afc athletic athletics wanderers rangers city hornets lancers gaa rfc",
    "landmark": "mall plaza museum library zoo stadium arena airport courthouse park-and-ride marina pier "
    "cemetery crematorium theatre theater cinema",
    "workplace": "supply supplies feed hardware roofing plumbing llp llc inc ltd corp corporation company co group partners builders bookkeeping consulting "
    "logistics auto tire tires motors bank realty properties gallery books bookshop bookstore bakery cafe café "
    "coffee restaurant bar grill pub tavern inn diner bbq pizza pizzeria salon spa studio studios yoga fitness "
    "gym crossfit ymca ywca club farm market store shop pharmacy care agency foundation firm solicitors "
    "law lawyers landscaping construction plumbing electric insurance media marketing design press school's "
    "brewery kitchen cafeteria deli hotel motel barbers barber barbershop dental dentist dentistry optometrist "
    "optometry chiro chiropractic vets veterinary tutoring childcare creche kindy dojo takeaway jewellers jeweller "
    "jewelers jeweler butchers butcher grocers grocery tailors chemist chemists opticians hairdressers florist "
    "florists traders enterprises industries holdings hostel hostels lodge",
}.items():
    for w in words.split():
        HEADS[w] = kind

# head nouns that also end ordinary phrases; they need two name-like words before
_WEAK_HEADS = {
    "psych",
    "physio",
    "tutoring",
    "dental",
    "vets",
    "high",
    "middle",
    "primary",
    "health",
    "care",
    "services",
    "centre",
    "center",
    "practice",
    "recovery",
    "city",
    "club",
    "market",
    "studio",
    "media",
    "design",
    "press",
    "kitchen",
    "law",
    "therapy",
    "psychology",
    "group",
    "company",
    "trust",
    "insurance",
    "academy",
    "associates",
}
# capitalised words that may sit inside an organisation's name
_CONNECTORS = {"&", "and", "of", "the", "for", "de", "la", "y", "upon"}
# "University of Northern Vermont", "Bank of Ireland": the head comes first
HEAD_FIRST = fast(
    re.compile(
        r"(?<![\w])(?:University|College|Bank|Church|School|Academy|Institute|Museum|Hospital|Diocese|Society|"
        r"Department|Federation|Association|Order|Sisters|Brothers)\s+of\s+(?:the\s+)?(?:[A-Z][\w'’-]*\s+){0,3}[A-Z][\w'’-]*"
    )
)
# "Temple Beth El", "Camp Wildwood", "Hotel Monaco": a head word leading a name
HEAD_LEADS = fast(
    re.compile(
        r"(?<![\w])(?P<head>Temple|Congregation|Masjid|Mosque|Camp|Hotel|Café|Cafe|Casa|Chez|Club|Clinica|Hospital|Scoil|Gaelscoil|Coláiste|Colaiste|Kura|Kohanga)"
        r"(?:\s+(?!(?:and|or|but|in|on|at|for|to|is|was)\b)[A-Z][\w'’-]*){1,3}"
    )
)
_HEAD_FIRST_GENERIC = re.compile(
    r"(?:Department|Bank|School|College|Association|Society) of (?:Health|Education|Psychology|Medicine|Nursing|Social Work|Counseling|Counselling|Justice|Labor|Labour|Veterans Affairs|Human Services)$"
)
SAINT = fast(re.compile(r"(?<![\w])(?:St\.?|Saint|Ss\.?)\s+[A-Z][\w]*(?:['’]s)?(?![\w])"))
_NOT_ORG_AFTER_SAINT = re.compile(r"\s+(?:Day|Eve)\b")
VENUE_CUES = {"at", "from", "for", "with", "joined", "to", "runs", "owns", "manages", "founded", "started"}
# after these a run of names is still a person ("with Mark Ellison"); after
# "at", "runs" or "owns" it is a business ("at Crown Casino", "at Shear Bliss")
_PERSON_OK_CUES = {"with", "to", "for", "from", "joined"}
_TIME_WORDS = {
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
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
    "today",
    "yesterday",
    "tomorrow",
}
_GENERIC_PHRASES = {
    "family court",
    "district court",
    "high court",
    "supreme court",
    "county court",
    "crown court",
    "mental health",
    "mental health care plan",
    "care plan",
    "health care",
    "primary care",
    "social services",
    "child protective services",
    "protective services",
    "human resources",
    "emergency room",
    "the court",
    "local authority",
    "student services",
    "disability services",
    "counselling services",
    "counseling services",
    "mental health services",
    "health services",
    "private practice",
    "group practice",
    "solo practice",
    "the practice",
    "general practice",
    "intensive care",
    "aged care",
    "home care",
    "foster care",
    "primary school",
    "high school",
    "middle school",
    "secondary school",
    "elementary school",
    "grad school",
    "medical school",
    "law school",
    "nursing home",
    "city council",
    "town council",
    "the city",
}


# form-style notes: "Employer: Northern Rail", "School - Hillcrest"
FIELD = re.compile(
    r"(?im)^[ \t•*-]*(?P<field>employer|workplace|work|job|school|college|uni|university|agency|company|"
    r"organi[sz]ation|church|mosque|temple|synagogue|team|club|gym|hospital|clinic|practice|gp surgery|surgery)"
    r"[ \t]*[:\-–][ \t]*(?P<value>[^\n,;()]{2,60})"
)
_FIELD_KIND = {
    "school": "school",
    "college": "school",
    "uni": "school",
    "university": "school",
    "church": "church",
    "mosque": "church",
    "temple": "church",
    "synagogue": "church",
    "hospital": "hospital",
    "clinic": "clinic",
    "practice": "clinic",
    "gp surgery": "clinic",
    "surgery": "clinic",
    "team": "team",
    "club": "team",
}


def find(doc: Doc) -> Iterator[Candidate]:
    for m in FIELD.finditer(doc.text):
        value = m.group("value").rstrip(" .")
        if value[:1].isupper():
            kind = _FIELD_KIND.get(m.group("field").lower(), "workplace")
            yield Candidate(m.start("value"), m.start("value") + len(value), "ORG", kind, 76, "org")
    for m in scan(HEAD_FIRST, doc.text):
        if not _HEAD_FIRST_GENERIC.search(m.group()):
            kind = HEADS.get(m.group().split()[0].lower(), "organisation")
            yield Candidate(m.start(), m.end(), "ORG", kind, 72, "org")
    for m in scan(HEAD_LEADS, doc.text):
        head = m.group("head").lower()
        kind = {
            "temple": "church",
            "congregation": "church",
            "masjid": "church",
            "mosque": "church",
            "scoil": "school",
            "gaelscoil": "school",
            "coláiste": "school",
            "colaiste": "school",
            "kura": "school",
            "kohanga": "school",
            "hospital": "hospital",
            "clinica": "clinic",
        }.get(head, "workplace")
        yield Candidate(m.start(), m.end(), "ORG", kind, 70, "org")
    yield from _headed(doc)
    yield from _saints(doc)
    yield from _venues(doc)


_MAX_NAME_WORDS = 10


def _headed(doc: Doc) -> Iterator[Candidate]:
    toks = doc.tokens
    lex = doc.lex
    for j, head in enumerate(toks):
        kind = HEADS.get(head.lower)
        if kind is None or not (head.is_cap or head.is_upper):
            continue
        # walk left over capitalised words, connectors and digits
        i = j
        names = 0
        # bounded walks: no organisation's name runs longer, and an unbounded
        # walk from every head in a long run of capitals is quadratic
        while i > 0 and j - i < _MAX_NAME_WORDS:
            p = toks[i - 1]
            gap = doc.gap(p, toks[i])
            if (
                "\n" in gap
                or any(c in gap for c in '.,;:!?()"“”@/' + MASK)
                and not (p.text in ("St", "Mt") and gap.startswith("."))
            ):
                break
            if "&" in gap and p.is_cap:
                i -= 1
                names += 1
                continue
            if p.is_cap or p.is_upper or p.text.isdigit():
                if (
                    p.sent_start
                    and lex.is_word(p.lower)
                    and (not lex.is_first(p.lower) or p.lower in ("the", "a", "an"))
                    and p.lower not in HEADS
                ):
                    break  # "The NHS is slow": a sentence's capital, not a name
                if p.lower in _TIME_WORDS:
                    break  # "on Sunday Grace Church…"
                i -= 1
                names += 1
                continue
            if p.lower in _CONNECTORS and i - 2 >= 0 and (toks[i - 2].is_cap or toks[i - 2].is_upper):
                i -= 1
                continue
            break
        # walk right over the rest of a capitalised name: "Medical Center",
        # "Talking Therapies Bath and North East Somerset"
        k = j
        while k + 1 < len(toks) and not toks[k].possessive and k - j < _MAX_NAME_WORDS:
            nx = toks[k + 1]
            gap = doc.gap(toks[k], nx)
            if (
                gap == " "
                and (nx.is_cap or nx.is_upper)
                and nx.is_alpha
                and not nx.sent_start
                and nx.lower not in lex.allow
            ):
                k += 1
                continue
            if (
                gap == " "
                and nx.lower in ("and", "of", "&")
                and k + 2 < len(toks)
                and toks[k + 2].is_cap
                and doc.gap(nx, toks[k + 2]) == " "
            ):
                k += 2
                continue
            break
        # a name does not start with a connector or a bare number ("0142 Elementary")
        while i < j and (toks[i].lower in _CONNECTORS or toks[i].text.isdigit()):
            if toks[i].text.isdigit():
                names -= 1
            i += 1
        if names == 0:
            continue
        span_toks = toks[i : k + 1]
        phrase = " ".join(t.lower for t in span_toks)
        if phrase in _GENERIC_PHRASES or " ".join(t.lower for t in span_toks[-2:]) in _GENERIC_PHRASES and names <= 1:
            continue
        first = span_toks[0]
        if first.sent_start and names == 1 and lex.is_word(first.lower) and first.lower not in HEADS:
            continue
        if (
            head.lower in _WEAK_HEADS
            and names == 1
            and all(lex.is_word(t.lower) for t in span_toks)
            and not any(t.possessive for t in span_toks)
        ):
            continue
        if head.lower in ("therapy", "therapies", "interviewing") and all(
            lex.is_word(t.lower) and not lex.is_first(t.lower) and not lex.is_place(t.lower) or t.lower in _CONNECTORS
            for t in span_toks
        ):
            continue  # a named therapy ("Acceptance and Commitment Therapy"), not a practice
        kind = HEADS.get(toks[k].lower, kind) if toks[k].lower in HEADS else kind
        label = "LOCATION" if kind == "landmark" else "ORG"
        if any(
            t.lower in ("school", "elementary", "academy", "college", "university", "prep", "primary", "scoil")
            for t in span_toks
        ):
            kind = "school"
        end = span_toks[-1].end + (2 if span_toks[-1].possessive and _ends_clause(doc.text, span_toks[-1].end) else 0)
        yield Candidate(span_toks[0].start, end, label, kind, 72, "org")


_SAINT_TAIL = re.compile(r"(?:\s+[A-Z][\w'’]{0,40}){1,4}")


def _ends_clause(text: str, end: int) -> bool:
    """After "X's": punctuation or the end means a business ("at Ryan's.")."""
    return bool(
        re.match(
            r"['’]s(?:\s*(?:[,.;:!?)\]\"”]|$)|\s+(?:and|or|on|in|at|where|when|with|yesterday|today|last|for|because|but|so)\b)",
            text[end : end + 16],
        )
    )


def _saints(doc: Doc) -> Iterator[Candidate]:
    text = doc.text
    for m in scan(SAINT, text):
        if _NOT_ORG_AFTER_SAINT.match(text, m.end()):
            continue
        saint = re.sub(r"['’]s$", "", m.group().split()[-1]).lower()
        # "on Fremont St. It has…" is a street and a new sentence, not a saint
        if saint in doc.lex.common_words or saint in ("it", "i", "the", "a", "we", "he", "she", "they", "this"):
            continue
        end = m.end()
        # run on into "Catholic Church", "Medical Center", "University Hospital"
        tail = _SAINT_TAIL.match(text, end)
        kind = "church"
        if tail:
            words = tail.group().split()
            keep = 0
            for n, w in enumerate(words, 1):
                if w.lower().strip("'’s") in HEADS or w.lower() in HEADS:
                    keep = n
                    kind = HEADS.get(w.lower(), kind)
            if keep:
                end += len(" ".join(words[:keep])) + (len(tail.group()) - len(tail.group().lstrip()))
        yield Candidate(m.start(), end, "ORG", kind, 74, "org")


_ORG_VERB_BEFORE = fast(
    re.compile(
        r"\b(?:referred|refer|referral|transferred|admitted|works?|worked|working|employed|volunteers?|"
        r"volunteered|volunteering|sectioned|placed|seen|applied|accepted|rejected|hired|fired|sacked|"
        r"dismissed|resigned|quit|shifts?|job|placement|internship|(?:a|an)\s+(?:referral|letter|email|call))"
        r"\s*$",
        re.IGNORECASE,
    )
)
_STATES = {
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
    "nsw",
    "vic",
    "qld",
    "tas",
    "act",
    "nyc",
}


def _unknown_acronym(doc: Doc, t: Token) -> bool:
    """3-8 capitals that are no acronym we know (therapies, bodies, codes, services)."""
    low = t.lower
    return (
        t.text.isalpha()
        and t.text.isupper()
        and 3 <= len(t.text) <= 8
        and low not in doc.lex.acronyms
        and low not in doc.lex.allow
        and low not in _STATES
        and low not in doc.lex.regions
    )


def _and_joins(doc: Doc, a: Token, b: Token) -> bool:
    """'Oak and Ivy': a lowercase 'and' followed by a capital, inside a venue name."""
    if b.lower != "and" or b.text != "and" or doc.gap(a, b) != " ":
        return False
    c = doc.next(b)
    return c is not None and doc.gap(b, c) == " " and c.is_cap and c.lower not in doc.lex.allow


def _venues(doc: Doc) -> Iterator[Candidate]:
    """'at Blue Bottle', 'at The Rusty Anchor', 'in Ryan's,' — a named place of business."""
    lex = doc.lex
    toks = doc.tokens
    for t in toks:
        prev = doc.prev(t)
        if t.text == "The" and not t.sent_start and prev is not None and doc.gap(prev, t).strip(" ,") == "":
            # a capital "The" mid-sentence opens a name: "works, The Brazen Head"
            run = [t]
            nxt = doc.next(t)
            while nxt is not None and doc.gap(run[-1], nxt) == " " and nxt.is_cap and len(run) < 5:
                run.append(nxt)
                nxt = doc.next(nxt)
            if len(run) >= 2:
                yield Candidate(t.start, run[-1].end, "ORG", "workplace", 56, "org")
            continue
        if prev is None or prev.lower not in VENUE_CUES and prev.lower != "in":
            continue
        if t.sent_start:
            continue  # "…signed up for. Do I": the cue ended a sentence
        code_like = t.text[:1].isupper() and (any(c.isdigit() for c in t.text) or t.is_upper)
        if not (t.is_cap or code_like) or t.lower in lex.allow or t.lower in TITLES:
            continue
        if t.is_upper and t.lower in lex.acronyms:
            continue  # "from MRN 00482913": a record's label, not a venue
        nxt0 = doc.next(t)
        if t.lower in lex.regions and not (nxt0 is not None and doc.gap(t, nxt0) == " " and nxt0.is_cap):
            continue  # "in Ontario" alone is no venue; "runs Punjab Sweets" is
        run = [t]
        nxt = doc.next(t)
        # "at Oak and Ivy": a lowercase "and" between two capitals, where a
        # business goes ("with Mark and Sandy" are two people)
        and_ok = prev.lower not in _PERSON_OK_CUES or bool(
            _ORG_VERB_BEFORE.search(doc.text, max(0, prev.start - 24), prev.start)
        )
        while nxt is not None and not run[-1].possessive:
            if and_ok and _and_joins(doc, run[-1], nxt):
                run.append(nxt)
                nxt = doc.next(nxt)
                continue
            if not (
                doc.gap(run[-1], nxt) in (" ", " & ")
                and (nxt.is_cap or nxt.is_upper or nxt.text.isdigit() or nxt.text[:1].isupper())
                and (nxt.lower not in lex.allow or nxt.is_cap and len(nxt.text) >= 3 and nxt.lower not in TITLES)
                and nxt.lower not in _TIME_WORDS
            ):
                break
            run.append(nxt)
            nxt = doc.next(nxt)
        if " ".join(x.lower for x in run) in lex.regions:
            continue  # "from New South Wales"
        if code_like and len(run) == 1:
            # "at NASW" or "at F45" alone: an acronym or a code, not clearly a
            # venue; but an unknown all-caps name where an employer or a
            # service goes is one ("a placement at CAMH", "referred to NIMHANS")
            if _unknown_acronym(doc, t) and (
                prev.lower in ("at", "from", "joined")
                or prev.lower in ("to", "by", "for")
                and _ORG_VERB_BEFORE.search(doc.text, max(0, prev.start - 24), prev.start)
            ):
                yield Candidate(t.start, t.end, "ORG", "organisation", 50, "org")
            continue
        if t.text == "The" and len(run) == 1:
            continue
        closes = run[-1].possessive and _ends_clause(doc.text, run[-1].end)
        if prev.lower == "in":
            # "in Ryan's," is a pub; "in Ryan's car" is a person's
            if len(run) == 1 and closes:
                yield Candidate(t.start, t.end + 2, "ORG", "workplace", 60, "org")
            continue
        if (len(run) >= 2 and not run[-1].possessive) or t.text == "The" or closes:
            # a person only if some part is no ordinary word ("with Green Apple" is a business)
            if (
                prev.lower in _PERSON_OK_CUES
                and all(lex.is_first(x.lower) or lex.is_surname(x.lower) for x in run)
                and any(not lex.is_word(x.lower) for x in run)
                and not any(x.lower == "and" for x in run)
                and not any(
                    x.lower in lex.regions or x.lower in lex.common_words and not lex.is_first(x.lower) for x in run
                )
                and not closes
                and t.text != "The"
            ):
                continue  # "with Mark Ellison" is a person: the name recogniser owns it
            end = run[-1].end + (2 if closes else 0)
            yield Candidate(t.start, end, "ORG", "workplace", 58, "org")
        elif (
            lex.is_word(t.lower)
            and not lex.is_first(t.lower)
            and not t.sent_start
            and (
                prev.lower in ("at", "joined")
                and not lex.is_place(t.lower)
                or prev.lower in ("from", "with", "for", "at")
                and _ORG_VERB_BEFORE.search(doc.text, max(0, prev.start - 24), prev.start)
            )
        ):
            # "fired from Hearth", "volunteers with Lighthouse": one capitalised
            # word where an employer goes
            # "at Nordstrom" is caught by the safety net; "at Costco" likewise.
            # A single ordinary word after "at" ("at Target") is a business;
            # "at Mind in Salford": a charity's local branch is named with its town
            end = t.end
            m = re.match(r" in (?:[A-Z][\w'’-]+)(?: [A-Z][\w'’-]+)?", doc.text[t.end : t.end + 40])
            if m:
                end = t.end + m.end()
            yield Candidate(t.start, end, "ORG", "workplace", 40, "org")
