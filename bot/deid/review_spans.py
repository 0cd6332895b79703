"""Review spans: words the engine left visible but is unsure about.

The recognisers decide what to remove; this module only points at what they
kept and might have been wrong to keep, so that the poster can check it
before posting ("Check these before posting: …"). Nothing here removes
anything, and it runs after the recognisers on the same normalised text.

Families (reason codes):
  unknown_name_slot   a word no word list knows, where a name goes: after a
                      person or kin word ("my client", "her nonna", "named"),
                      or a possessive ("jaelyn's", "mias" for "mia's")
  unknown_place_slot  a word no word list knows after a place preposition
                      ("in", "at", "from", "near" …)
  word_as_name        a dictionary word used like a name: capitalised
                      mid-sentence when it is also a given name or surname,
                      capitalised after a place preposition, or after a
                      person or kin word
  possible_age        a number (or number word) standing where an age goes:
                      "(m 44)", "back then 52,", "passed at 9", "turning eight"
  initial             a lone initial standing for a person: "S.", "M came in",
                      "K's text", "DB said", "my client j"
  looks_like_a_name / looks_like_a_place / looks_like_an_organisation
                      the tagger's (bot/deid/tagger.py) half-beliefs: a word it
                      scores as NAME/LOCATION/ORG with probability between its
                      review and removal thresholds (added by the engine)

The families are narrow on purpose: on text with nothing to remove there
should be at most about two per hundred words.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from .lexicons import Lexicons
from .model import Candidate, Span
from .normalize import Normalized
from .recognizers.base import Doc
from .recognizers.names import _STOP_CAPS, PERSON_CUES, TITLES
from .replace import NUMBER_WORDS
from .tokens import Token

REASONS = (
    "unknown_name_slot",
    "unknown_place_slot",
    "word_as_name",
    "possible_age",
    "initial",
    # from the statistical tagger (bot/deid/tagger.py), added by the engine
    "looks_like_a_name",
    "looks_like_a_place",
    "looks_like_an_organisation",
)


@dataclass(frozen=True, order=True)
class ReviewSpan:
    """A word left visible but worth checking. Offsets on the ORIGINAL text."""

    start: int
    end: int
    reason: str

    def as_dict(self) -> dict[str, int | str]:
        return {"start": self.start, "end": self.end, "reason": self.reason}


# kin and relationship words, also chat forms and other languages' kin words
# that stand before a name ("her nonna rosa", "my bf tayo", "tia lupe")
_KIN = frozenset(
    """
    ex bf gf hubby wifey bestie bro sis kiddo bub fiance fiancé fiancee fiancée stepsister stepbrother
    nonna nonno nona nonno abuela abuelo abuelita abuelito tia tio tía tío prima primo oma opa
    nan nana nanna nani nanu dadi dada baba mama amma appa ammi abbu bibi lola lolo tita tito
    halmoni harabeoji bubbe bubby zayde zaide yiayia yaya papou pappou babcia dziadek babushka dedushka
    ayi auntie aunty uncle aunt cousin granny gran grandad granddad grandpa grandma
    mum mom dad mam ma pa son daughter brother sister husband wife partner boyfriend girlfriend
    """.split()
)
_NAME_CUES = (PERSON_CUES | _KIN | {"named", "called", "nicknamed", "aka", "dear", "hi", "hey"}) - {
    "man",
    "woman",
    "guy",
    "lady",
    "boy",
    "girl",
    "member",
    "youth",
    "worker",
    "player",
    "resident",
    "kid",
    "child",
    "baby",
    "teen",
    "teenager",
    "parent",
    "student",
    "employee",
    "employer",
}
_STRONG = frozenset({"named", "called", "nicknamed", "aka"})
# "to" is left out: "to overshare", "to babysit" (a verb follows it as often as a place)
_PLACE_PREPS = frozenset({"in", "at", "from", "near", "outside", "around"})
# words after a cue that are never the name ("my client will", "her son may")
_NOT_A_NAME = frozenset(
    """
    will may can could would should shall might must is was has had have does did do and or but
    so then who whom whose which that this said says told asks asked just also still really never
    always often now again too very
    """.split()
)
_SEX_MARKERS = frozenset({"m", "f", "male", "female", "nb", "he", "she", "they", "him", "her", "them", "boy", "girl"})
_AGE_CUES = frozenset(
    {
        "at",
        "turning",
        "turned",
        "turns",
        "then",
        "aged",
        "age",
        "now",
        "just",
        "is",
        "was",
        "be",
        "almost",
        "nearly",
    }
)
_AGE_VERBS = frozenset({"turning", "turned", "turns", "aged", "age"})
# the number words a young age is written in ("the six-year-old")
_NUMBER_WORDS = {w: n for w, n in NUMBER_WORDS.items() if n <= 12}
_YEAR_OLD = re.compile(r"(?:\d{1,3}|" + "|".join(_NUMBER_WORDS) + r")-(?:year|yr|month)s?-olds?", re.IGNORECASE)
# after the number: what makes it a count, a time or a measure, not an age
_AFTER_NUMBER_OK = re.compile(r"\s*(?:[,.](?!\d)|[;)\]!?]|$|\s(?:and|but|so|when|now|then|or)\b)")
_JOIN = (" ", "'s ", "’s ")
_BEFORE_NUMBER_BAD = re.compile(r"[$£€#№:/.+\-]\s*$")
# a capital that follows these is a label, not an initial: "plan B", "vitamin D", "Hep C"
_LETTER_LABELS = frozenset(
    """
    plan option part type principle principles standard section sections vitamin vit grade hep hepatitis section exhibit appendix step level class
    block room unit wing ward building floor gate row seat column box item question q point tier
    track phase stage form schedule category cat group team version v an a the
    """.split()
)
_PERSON_VERBS = frozenset(
    """
    said says told tells asked asks texted texts emailed emails called calls wants wanted thinks thought
    feels felt came comes left brought sent messaged posted came rang cried showed turned admitted
    disclosed mentioned replied is was has had and who just also never always really seems seemed
    """.split()
)

# what a person does, never a thing: "Faith texted" (but "Faith is important")
_SPEECH = _PERSON_VERBS - {"is", "was", "has", "had", "and", "who", "just", "also", "never", "always", "really", "left"}

_ORG_NOUNS = frozenset(
    """
    salon gym church school clinic shop store cafe café pub restaurant team club practice company
    firm agency hospital surgery academy college mosque temple chapel synagogue gurdwara studio
    dojo daycare nursery centre center
    """.split()
)
# chat shorthand that no word list has (lowercase only)
_CHAT = frozenset(
    """
    sesh seshes convo convos uni appt appts rn tho thru yr yrs abt obvs nite tonite cuz coz bc
    gonna wanna gotta kinda sorta dunno lemme gimme ya yall y'all ur u r k kk ok okay nvm idk
    tbh ngl imo imho smh lol lmao omg fyi btw asap tmi irl dm dms pm pms fb insta ig snap
    txt txts pls plz thx ty np prob probs def defo deffo hw mins hr hrs wk wks mo mos yo
    """.split()
)
_VOWEL = re.compile(r"[aeiouyà-ÿ]")
_ANY_CUE = _NAME_CUES | _PLACE_PREPS | _ORG_NOUNS | _STRONG | _AGE_CUES | {"hi", "hey", "dear"}


def review_spans(doc: Doc, merged: list[Candidate], norm: Normalized, spans: list[Span]) -> list[ReviewSpan]:
    """The words to point out, on the original text's offsets; none inside a
    removed span (``merged`` on the normalised text, ``spans`` on the original)."""
    found: dict[int, tuple[Token, str]] = {}
    gone = _Covered((c.start, c.end) for c in merged)
    for t in doc.tokens:
        if _plain(doc, t) or gone.hits(t.start, t.end):
            continue
        reason = _reason(doc, t)
        if reason is not None:
            found.setdefault(t.start, (t, reason))
    if not found:
        return []
    kept = _Covered((c.start, c.end) for c in _protected(doc.text))
    found = {k: v for k, v in found.items() if not kept.hits(v[0].start, v[0].end)}
    out: list[ReviewSpan] = []
    removed = _Covered((s.start, s.end) for s in spans)
    for t, reason in sorted(found.values(), key=lambda x: x[0].start):
        a, b = norm.to_original(t.start, t.end)
        if b <= a or removed.hits(a, b):
            continue
        out.append(ReviewSpan(a, b, reason))
    return out


def _protected(text: str) -> list[Candidate]:
    """Named days, cited theorists: the engine keeps them on purpose."""
    from . import engine  # the engine imports this module

    out = []
    for rx in (engine._SAFE_PHRASES, engine._CITATIONS, engine._THEORISTS):
        out += [Candidate(m.start(), m.end(), "") for m in rx.finditer(text)]
    return out


class _Covered:
    """Half-open intervals, merged, asked by bisection: linear in the text overall."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        starts: list[int] = []
        ends: list[int] = []
        for s, e in sorted(spans):
            if e <= s:
                continue
            if ends and s <= ends[-1]:
                ends[-1] = max(ends[-1], e)
            else:
                starts.append(s)
                ends.append(e)
        self._starts, self._ends = starts, ends

    def hits(self, a: int, b: int) -> bool:
        i = bisect.bisect_right(self._starts, a) - 1
        if i >= 0 and self._ends[i] > a:
            return True
        j = i + 1
        return j < len(self._starts) and self._starts[j] < b


def _unknown(doc: Doc, t: Token, compounds: bool = True) -> bool:
    """No list knows it: not English, not on the allowlists, not a misspelling,
    not chat shorthand (nor, with ``compounds``, two words run together)."""
    if not t.is_alpha:
        return False
    return _unknown_word(doc.lex, t.lower, t.is_lower, compounds)


_LONGEST_COMPOUND = 30


@lru_cache(maxsize=20_000)  # a word repeated through a long text is looked up once
def _unknown_word(lex: Lexicons, low: str, lower: bool, compounds: bool) -> bool:
    if len(low) < 2 or low in _CHAT:
        return False
    if lower and not _VOWEL.search(low):
        return False  # "wrk", "mtg", "tmrw": shorthand has no vowels; names nearly always do
    if low in lex.allow or low in lex.acronyms or low in lex.regions or lex.is_word(low):
        return False
    if lower and lex.near_word(low):
        return False
    # "startup", "overshare", "babysit": two English words run together
    # (place names often are: "Tollcross", "Blackpool")
    if not compounds or lex.is_first(low) or lex.is_surname(low) or low.endswith("s") and lex.is_first(low[:-1]):
        return True
    if len(low) > _LONGEST_COMPOUND:  # no real compound is this long; splitting it would cost O(n²)
        return True
    return not any(lex.is_word(low[:i]) and lex.is_word(low[i:]) for i in range(3, len(low) - 1))


def _plain(doc: Doc, t: Token) -> bool:
    """The common case, cheaply: a lowercase word in no slot (most of any text)."""
    if not t.text.islower() or t.possessive or len(t.text) < 3 or t.text[0].isdigit():
        return False
    low = t.lower
    if low in _NUMBER_WORDS or "-" in low or low.endswith("s") and doc.lex.is_first(low[:-1]):
        return False
    p = doc.prev(t)
    if _opens(doc, t) or p is not None and p.lower in _PERSON_OBJECT:
        return False  # "about lily.", and a message's first word: _reason decides
    return p is None or p.lower not in _ANY_CUE and p.head not in _NAME_CUES


def _reason(doc: Doc, t: Token) -> str | None:
    lex = doc.lex
    text = t.text
    low = t.lower
    prev = doc.prev(t)
    gap = doc.gap(prev, t) if prev is not None else ""
    plain_gap = gap in (" ", ", ", ": ", " (")
    after_cue = prev is not None and plain_gap and not prev.possessive and _cue(doc, prev)
    after_place = prev is not None and gap == " " and prev.lower in _PLACE_PREPS
    # "her salon glamourbox", "the gym x": where an organisation's name goes
    after_org = prev is not None and gap == " " and prev.lower in _ORG_NOUNS
    # "the daughter is keziah", "her ex was tayo"
    if prev is not None and not after_cue and prev.lower in ("is", "was") and gap == " ":
        pp = doc.prev(prev)
        after_cue = pp is not None and doc.gap(pp, prev) == " " and pp.head in _NAME_CUES and pp.lower not in _STRONG

    if text.isdigit() or _YEAR_OLD.fullmatch(text) or low in _NUMBER_WORDS:
        return "possible_age" if _age_like(doc, t, prev, gap) else None
    if not t.is_alpha:
        return None
    if len(text) <= 2 and text.isupper() or len(text) == 1:
        return "initial" if _initial(doc, t, prev, after_cue) else None
    if low in _STOP_CAPS or low in _NAME_CUES or low in TITLES and t.is_cap:
        return None

    if (after_place or after_org) and not (after_cue or t.possessive) and _unknown(doc, t, compounds=False):
        return "unknown_place_slot"
    in_slot = after_cue or t.possessive or t.is_upper or t.is_lower and low.endswith("s")
    if in_slot and _unknown(doc, t):  # (the lists are only asked where it matters)
        if after_cue or t.possessive:
            return "unknown_name_slot"
        if t.is_lower and low.endswith("s") and len(low) > 3 and lex.is_first(low[:-1]) and not lex.is_word(low[:-1]):
            return "unknown_name_slot"  # "mias court date": a possessive without its apostrophe
        if t.is_upper and len(text) >= 3 and lex.is_first(low):
            return "word_as_name"  # an ALL-CAPS name
        return None

    # a dictionary word (or one on the allowlists)
    if low in lex.allow or low in lex.regions or t.is_upper:
        return None
    if t.is_cap and not t.sent_start:
        if after_cue:
            return "word_as_name"
        if after_place and lex.is_place(low) and _mid_sentence_cap(doc, t):
            return "word_as_name"  # "lives in Reading", "from Bath"
        # a given name that is also a word, capitalised for no other reason ("saw Hope today");
        # surnames that are words are too many ("Code", "Session", "Mass") to point at
        if lex.is_first(low) and _mid_sentence_cap(doc, t):
            return "word_as_name"
        return None
    if after_cue and prev is not None and lex.is_first(low) and low not in _NOT_A_NAME:
        # lowercase after a person word: "her ex rusty", "my client hope"
        if prev.lower in _STRONG or _acts(doc, t):
            return "word_as_name"
    if t.is_cap and t.sent_start and lex.is_first(low) and _acts(doc, t, _SPEECH):
        return "word_as_name"  # "Dawn texted me again"
    if (
        t.is_lower
        and prev is not None
        and gap == " "
        and prev.lower in _PERSON_OBJECT
        and lex.is_first(low)
        and low not in lex.common_words
        and low not in _NOT_A_NAME
        and _closes(doc, t)
    ):
        return "word_as_name"  # "text me anytime about lily.", "i told ruby,"
    if t.is_lower and _opens(doc, t) and lex.is_first(low) and low not in lex.common_words and _acts(doc, t, _SPEECH):
        return "word_as_name"  # "sunny cancelled again": a message that starts with a name
    return None


# words whose object is often a person: "about lily.", "told ruby,"
_PERSON_OBJECT = frozenset("about with told tell asked ask for from saw see seeing met meet texted called".split())


def _closes(doc: Doc, t: Token) -> bool:
    rest = doc.text[t.end + (2 if t.possessive else 0) : t.end + 4].lstrip(" ")
    return not rest or not rest[0].isalnum()


def _cue(doc: Doc, p: Token) -> bool:
    low = p.lower
    if low in _STRONG:
        return True
    if p.head not in _NAME_CUES or low in ("hi", "hey", "dear"):
        return low in ("hi", "hey", "dear") and p.sent_start
    return True


def _acts(doc: Doc, t: Token, verbs: frozenset[str] = _PERSON_VERBS) -> bool:
    n = doc.next(t)
    return n is not None and doc.gap(t, n) == " " and n.lower in verbs


def _mid_sentence_cap(doc: Doc, t: Token) -> bool:
    """A capital that is not explained by a title-cased run (a heading, a
    named thing: "Family Court", "Hope Street")."""
    p, n = doc.prev(t), doc.next(t)
    for o in (p, n):
        if o is not None and o.is_cap and not o.sent_start and doc.gap(*((o, t) if o is p else (t, o))) in _JOIN:
            return False
    return True


def _age_like(doc: Doc, t: Token, prev: Token | None, gap: str) -> bool:
    text = t.text
    if _YEAR_OLD.fullmatch(text):
        return True
    if text.isdigit():
        if text.startswith("0") or not 1 <= int(text) <= 110:
            return False
        before = doc.text[max(0, t.start - 3) : t.start]
        if _BEFORE_NUMBER_BAD.search(before) or not _AFTER_NUMBER_OK.match(doc.text, t.end):
            return False
    elif not (prev is not None and prev.lower in _AGE_VERBS):
        return False  # a number word only after "turning", "aged"
    if prev is None:
        return False
    pl = prev.lower
    if pl in _AGE_CUES and gap == " ":
        return True
    # "(m 44)", "(she/her, 15)", "(F, 16)": a sex or pronoun marker, then the number
    if pl in _SEX_MARKERS and gap in (" ", ", ", "/", ",") and "(" in doc.text[max(0, prev.start - 8) : prev.start + 1]:
        return True
    # "jess 29," in chat: a name-like word, then a bare number
    return (
        gap == " "
        and prev.is_alpha
        and (prev.is_cap and not prev.sent_start or doc.lex.is_first(pl))
        and (pl not in doc.lex.allow and not doc.lex.is_word(pl))
    )


def _initial(doc: Doc, t: Token, prev: Token | None, after_cue: bool) -> bool:
    text = t.text
    nxt = doc.next(t)
    after = doc.text[t.end : t.end + 3]
    before = doc.text[max(0, t.start - 1) : t.start]
    if before in ("&", "/", "-", "'", "’") or after[:1] in ("&", "/", "-", "+") or re.match(r"\.?\d", after):
        return False  # Q&A, A/B, A-level, C+
    if prev is not None and prev.lower in _LETTER_LABELS and doc.gap(prev, t) == " ":
        return False
    if text.islower():
        # a lowercase letter stands for a person only with a cue: "my client j", "k's text"
        if nxt is not None and nxt.text.isdigit():
            return False  # "(m 44)": a sex marker before an age
        return len(text) == 1 and text not in "aiou" and (after_cue or t.possessive)
    if len(text) == 2:
        # two capitals: "DB said", "TK's mum"; an unknown acronym otherwise
        low = t.lower
        if low in doc.lex.acronyms or low in doc.lex.allow:
            return False
        return after_cue or t.possessive or (nxt is not None and doc.gap(t, nxt) == " " and nxt.lower in _PERSON_VERBS)
    if text == "I" or text == "A" and not (t.possessive or after[:1] == "."):
        return False
    if t.sent_start and not (t.possessive or after[:1] == "." or (nxt is not None and nxt.lower in _PERSON_VERBS)):
        return False  # a list letter or a heading: "B) the other option"
    return True


def _opens(doc: Doc, t: Token) -> bool:
    """The first word of the whole message (not merely the first word after one
    of our placeholders: a second pass must decide as the first did)."""
    return t.i == 0 and not doc.text[: t.start].strip(" \t\r\n\"'“‘(")
