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
from typing import Iterator

from ..model import Candidate
from ..tokens import Token
from .base import Doc

TITLES = {
    "dr", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "rev", "reverend", "pastor", "coach",
    "fr", "father", "rabbi", "imam", "sheikh", "officer", "judge", "detective", "det", "sgt", "sergeant",
    "nurse", "auntie", "aunty", "uncle", "aunt", "grandma", "grandpa", "nana", "papa", "sr", "sister",
    "brother", "elder", "deacon", "bishop", "principal", "counselor", "counsellor", "captain", "capt",
    "lt", "madam", "sir", "dame", "lord", "lady", "mister", "doc",
}
# a title must be capitalised to count ("Sister Agnes"), except these few
_TITLES_ANY_CASE = {"dr", "mr", "mrs", "ms", "mx", "prof"}
PERSON_CUES = {
    "client", "clients", "pt", "pts", "patient", "patients", "cl", "supervisee", "supervisor", "intern",
    "colleague", "coworker", "co-worker", "boss", "manager", "mom", "mum", "mam", "mother", "dad", "father",
    "son", "daughter", "brother", "sister", "husband", "wife", "partner", "boyfriend", "girlfriend",
    "fiance", "fiancé", "fiancee", "fiancée", "ex", "friend", "roommate", "flatmate", "housemate",
    "neighbor", "neighbour", "cousin", "aunt", "uncle", "nephew", "niece", "grandmother", "grandfather",
    "grandma", "grandpa", "granddaughter", "grandson", "stepdad", "stepmom", "stepmum", "stepson",
    "stepdaughter", "kid", "child", "baby", "toddler", "teen", "teenager", "student", "resident", "player",
    "officer", "attorney", "lawyer", "solicitor", "therapist", "counselor", "counsellor", "psychiatrist",
    "psychologist", "doctor", "nurse", "teacher", "principal", "worker", "caseworker", "advocate",
    "named", "called", "nicknamed", "aka", "spouse", "sibling", "twin", "twins", "parent", "guardian",
    "referral", "referrer", "landlord", "tenant", "employer", "employee", "member", "pastor", "coach",
    "supervisors", "youth", "boy", "girl", "man", "woman", "lady", "guy", "gentleman", "veteran", "vet",
    "widow", "widower", "mentor", "mentee", "trainee", "colleagues",
}
_STRONG_CUES = {"named", "called", "nicknamed", "aka"}
# "X said", "Hope texted": a word-like first name acting as a person
_PERSON_VERBS = {
    "said", "says", "told", "tells", "asked", "asks", "texted", "texts", "emailed", "emails", "called",
    "calls", "wants", "wanted", "thinks", "thought", "feels", "felt", "keeps", "kept", "hugged", "cried",
    "came", "comes", "left", "brought", "sent", "messaged", "posted", "invited", "offered", "disclosed",
    "mentioned", "admitted", "shared", "replied", "signed", "cancelled", "canceled", "missed", "showed",
    "turned", "has", "had", "is", "was", "and", "who", "just", "also", "never", "always", "really",
}
_PARTICLES = {"van", "von", "de", "del", "della", "der", "den", "da", "di", "du", "le", "la", "ap", "ab",
              "bin", "binti", "bint", "ibn", "al", "el", "ó", "o", "mac", "mc", "ní", "nic", "ua", "y", "dos", "das"}
_STOP_CAPS = {"i", "the", "a", "an", "and", "or", "but", "so", "if", "he", "she", "they", "we", "you", "it",
              "my", "his", "her", "their", "our", "your", "its", "this", "that", "these", "those", "who",
              "what", "when", "where", "why", "how", "is", "was", "be", "do", "did", "does", "not", "no",
              "yes", "ok", "also", "then", "there", "here", "me", "him", "them", "us", "at", "in", "on", "to",
              "for", "of", "with", "from", "by", "as", "about", "after", "before", "because", "since",
              "until", "while", "just", "even", "all", "any", "some", "every", "each", "other", "re", "fwd",
              "client", "pt", "patient", "mom", "dad", "mum"}
INITIALS = re.compile(
    r"(?<![\w.])(?:[A-Z]\.\s?){1,3}[A-Z]\.(?![\w])"
    r"|(?<![\w.])[A-Z]\.(?=\s+(?:and|or|just|said|says|is|was|has|had|told|asked|wants|texted|[a-z]+ed)\b|\s*\()"
    # a note signed "X." or "— J"
    r"|(?<=signed \")[A-Z]\.?(?=[\"”])|(?<=signed “)[A-Z]\.?(?=[\"”])|(?<=signed ')[A-Z]\.?(?=')"
)
_NOT_INITIALS = {"U.S.", "U.K.", "D.C.", "P.S.", "A.A.", "N.A.", "B.C.", "A.D.", "E.U.", "N.Z.", "L.A.",
                 "N.Y.", "O.T.", "I.E.", "E.G.", "A.M.", "P.M.", "B.A.", "M.A.", "M.S.", "R.N.", "U.N."}


def find(doc: Doc) -> Iterator[Candidate]:
    toks = doc.tokens
    lex = doc.lex
    for m in INITIALS.finditer(doc.text):
        if m.group().replace(" ", "").upper() not in _NOT_INITIALS:
            yield Candidate(m.start(), m.end(), "NAME", "person", 62, "name")
    for t in toks:
        start = _evidence(doc, t)
        if start is None:
            continue
        run = _extend(doc, t, lowercase=t.is_lower, strong=start >= 60)
        yield Candidate(run[0].start, run[-1].end, "NAME", "person", start, "name")


def is_namey(doc: Doc, t: Token) -> bool:
    """Could this capitalised word be (part of) a name at all? Titles stay
    outside name spans (DEID_GUIDE.md): "Dr. [Okafor]"."""
    low = t.lower
    if low in TITLES and t.is_cap and not t.possessive:
        nxt = doc.next(t)
        if nxt is not None and (nxt.is_cap or nxt.is_upper) and doc.gap(t, nxt) in (" ", ". "):
            return False
    return not (low in _STOP_CAPS or low in doc.lex.allow or low in doc.lex.regions) and t.is_alpha


def _evidence(doc: Doc, t: Token) -> int | None:
    """Priority of the evidence that t starts a name, or None."""
    lex = doc.lex
    if not t.is_alpha or len(t.text) < 2 and not t.is_upper:
        return None
    low = t.lower
    prev = doc.prev(t)
    gap = doc.gap(prev, t) if prev else ""
    if low in TITLES and t.is_cap:
        return None  # "Mrs" in "Mrs. Delgado": the title stays outside the span
    # title: Dr. Okafor, Mrs K, Coach Bryant
    if prev is not None and _is_title(prev, doc) and gap in (" ", ". ", ".") and (t.is_cap or t.is_upper) and is_namey(doc, t):
        return 66
    if low in _STOP_CAPS and not (t.is_cap and lex.is_first(low) and not lex.is_word(low)):
        return None
    cue = _cue_before(doc, t)
    if cue == "strong" and (t.is_cap or t.is_upper) and low not in _STOP_CAPS:
        return 64  # "I'll call her K", "goes by Bird", "knew her as Whit"
    if low in lex.allow or low in lex.regions:
        # "my pt Summer", "my cl summer (19)": a cue outranks the allowlist
        # for a known first name
        if not (cue and lex.is_first(low) and (t.is_cap or _acts(doc, t))):
            return None
    if cue:
        if t.is_cap and not t.is_upper:
            if cue == "strong" or lex.is_first(low) or lex.is_surname(low) or not lex.is_word(low):
                return 64
            # capitalised ordinary word right after a cue: "my client Bird" vs "my client Today"
            return 60 if not t.sent_start else None
        if t.is_lower and len(low) >= 3:
            if lex.is_first(low) and (low not in lex.common_words or _acts(doc, t)):
                return 60  # "client grace offered"; "client mark left" but not "client will say"
            if not lex.is_word(low) and not lex.is_place(low):
                return 56
        return None
    if t.is_lower and t.is_alpha and len(low) >= 3 and lex.is_first(low) and (
        t.sent_start and _acts(doc, t)
        or prev is not None and prev.lower in ("its", "it's", "im", "i'm") and not lex.is_word(low)
    ):
        return 54  # texting: "grace (pt, 26yo) follows me", "its ciarán from the group"
    if t.is_lower and t.is_alpha and len(low) >= 3 and not lex.is_word(low) and not lex.is_rare_word(low):
        nxt = doc.next(t)
        # texting style: "caoimhes mam", "caoimhe is 17"
        if nxt is not None and doc.gap(t, nxt) == " " and (
            nxt.lower in _FAMILY and low.endswith("s")
            or nxt.lower in ("is", "was") and _followed_by_number(doc, nxt)
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
            if nxt is not None and (t.possessive and nxt.lower in PERSON_CUES or not t.possessive and doc.gap(t, nxt) == " "
                                    and nxt.lower in _PERSON_VERBS and nxt.lower not in ("and", "just", "also", "really", "is", "was", "has", "had")):
                return 52
        return None
    # a first name that is also a word: needs more
    nxt = doc.next(t)
    if nxt is not None and doc.gap(t, nxt) == " " and nxt.is_cap and (lex.is_surname(nxt.lower) or not lex.is_word(nxt.lower)) and is_namey(doc, nxt):
        return 58
    if t.possessive and nxt is not None and nxt.lower in PERSON_CUES:
        return 58  # "Rose's husband"
    if not t.sent_start:
        # mid-sentence capital on a common word: a name unless it is part of a
        # longer capitalised phrase ("Mental Health", "Labor Day")
        neighbours = [x for x in (prev, nxt) if x is not None]
        if not any(x.is_cap and (not x.sent_start or x.after_mask) and x.lower not in _STOP_CAPS and doc.gap(*(sorted((x, t), key=lambda y: y.i))) == " " for x in neighbours):
            return 54
        return None
    if nxt is not None and not t.possessive and not t.after_mask and nxt.lower in _PERSON_VERBS and nxt.lower not in ("is", "was", "and", "has", "had", "just", "also", "really"):
        return 52
    return None


_FAMILY = {"mam", "mum", "mom", "mother", "dad", "father", "husband", "wife", "partner", "son", "daughter",
           "sister", "brother", "boyfriend", "girlfriend", "kids", "family", "parents", "nan", "gran"}


_PERSON_AFTER = re.compile(r"\s*(?:\((?:pt|cl|client|patient|age|aged|\d)|,\s*\d{1,2}\b)", re.IGNORECASE)


def _acts(doc: Doc, t: Token) -> bool:
    """Is the next word something a person does ("left", "said", "keeps"), or
    does an age or role follow ("summer (19)", "grace (pt, 26yo)")?"""
    if _PERSON_AFTER.match(doc.text, t.end + (2 if t.possessive else 0)):
        return True
    nxt = doc.next(t)
    if nxt is None or doc.gap(t, nxt) != " ":
        return False
    w = nxt.lower
    return w in _PERSON_VERBS and w not in ("and", "just", "also", "never", "always", "really") or (
        len(w) > 4 and w.endswith("ed") and doc.lex.is_word(w)
    )


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
    if gap not in (" ", ", ", ": ", " (", ", (") or p.possessive:
        return None
    low = p.lower
    head = p.head
    if low in _STRONG_CUES or head in _STRONG_CUES:
        return "strong"
    pp = doc.prev(p)
    if pp is not None and (pp.lower, low) in {("goes", "by"), ("go", "by"), ("going", "by"), ("name", "is"),
                                              ("names", "are"), ("known", "as"), ("her", "as"), ("him", "as"),
                                              ("them", "as"), ("name", "was"), ("called", "her"),
                                              ("called", "him"), ("call", "her"), ("call", "him"), ("call", "them"),
                                              ("calling", "her"), ("calling", "him"), ("signed", "it")}:
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
        if low in _PARTICLES and len(run) >= 1:
            after = doc.next(nxt)
            if after is not None and doc.gap(nxt, after) == " " and after.is_cap and is_namey(doc, after):
                run.extend([nxt, after])
                continue
            break
        if lowercase:
            if (nxt.is_lower and nxt.is_alpha and not lex.is_word(low) and low not in lex.allow and len(low) >= 2
                    and low not in PERSON_CUES and low not in _FAMILY):
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
        if strong and (low not in lex.common_words or len(low) <= 3) and (after is None or not after.is_cap or doc.gap(nxt, after) != " "):
            run.append(nxt)
            continue
        break
    return run
