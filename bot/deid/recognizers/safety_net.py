"""The high-recall net (after Philter): what no recogniser claimed but still
looks like a proper noun is removed as a probable name or place.

A token is caught when it is capitalised (or a letter run in a script without
case) and is neither an English word nor on the allowlist of safe terms.
Neighbouring capitalised tokens go with it so that no part of a multi-word
name stays visible ("Y Llew Coch").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from ..model import Candidate
from ..tokens import Token
from .base import Doc
from .locations import LOC_CUES
from .names import _PARTICLES, _STOP_CAPS, is_namey

_PLACE_CUES = LOC_CUES - {"at", "on", "of", "to"} | {"lives", "moved"}


def _caseless_letters(tok: Token) -> bool:
    ch = tok.text[0]
    return ch.isalpha() and not ch.isupper() and not ch.islower() and unicodedata.category(ch) == "Lo"


def suspicious(doc: Doc, t: Token) -> bool:
    lex = doc.lex
    if not t.is_alpha:
        return False
    if _caseless_letters(t):
        return True
    if not t.is_cap or len(t.text) < 2:
        return False
    low = t.lower
    if low in _STOP_CAPS or low in lex.allow or low in lex.regions:
        return False
    if t.text.isupper():
        return False  # acronyms: LPC, NASW, HIPAA
    if t.sent_start and lex.is_rare_word(low):
        return False  # "Telehealth is…": a capital that says nothing
    return not lex.is_word(low)


def find(doc: Doc) -> Iterator[Candidate]:
    toks = doc.tokens
    i = 0
    while i < len(toks):
        t = toks[i]
        if not suspicious(doc, t):
            i += 1
            continue
        a = b = i
        while a > 0 and _joins(doc, toks[a - 1], toks[a], left=True):
            a -= 1
        while b + 1 < len(toks) and _joins(doc, toks[b], toks[b + 1], left=False):
            b += 1
        # "Nizhoni van den Berg": particles, then a capitalised surname
        while True:
            k = b + 1
            while (
                k < len(toks)
                and k - b <= 3
                and toks[k].text.islower()
                and toks[k].lower in _PARTICLES
                and doc.gap(toks[k - 1], toks[k]) == " "
                and not toks[k - 1].possessive
            ):
                k += 1
            if (
                k > b + 1
                and k < len(toks)
                and doc.gap(toks[k - 1], toks[k]) == " "
                and toks[k].is_cap
                and is_namey(doc, toks[k])
            ):
                b = k
                while b + 1 < len(toks) and _joins(doc, toks[b], toks[b + 1], left=False):
                    b += 1
                continue
            break
        end = toks[b].end
        # "Smokehouse 81": a number that closes the name goes with it
        nb = doc.next(toks[b])
        if (
            nb is not None
            and nb.text.isdigit()
            and len(nb.text) <= 3
            and doc.gap(toks[b], nb) == " "
            and not toks[b].possessive
        ):
            after = doc.text[nb.end : nb.end + 1]
            if not after or after in ".,;:!?)":
                end = nb.end
        prev = doc.prev(toks[a])
        last = toks[b]
        if prev is not None and prev.lower in _PLACE_CUES:
            label, kind = "LOCATION", "place"
        elif b > a and doc.lex.is_word(last.lower) and not doc.lex.is_surname(last.lower) or end != toks[b].end:
            label, kind = "ORG", "workplace"  # "Kowalczyk Roofing"
        else:
            label, kind = "NAME", "person"
        yield Candidate(toks[a].start, end, label, kind, 20, "safety_net")
        i = b + 1


def _joins(doc: Doc, left_tok: Token, right_tok: Token, left: bool) -> bool:
    if doc.gap(left_tok, right_tok) not in (" ", "-") or left_tok.possessive:
        return False
    other = left_tok if left else right_tok
    if other.sent_start and doc.lex.is_word(other.lower):
        return False
    return (
        (other.is_cap or _caseless_letters(other))
        and is_namey(doc, other)
        and not other.text.isupper()
        or len(other.text) == 1
        and other.text.isupper()
        and other.lower != "i"
    )
