"""A statistical token tagger: the recognisers' second opinion on what they left.

The recognisers are rules; each one generalises as far as its author foresaw.
This is a multinomial logistic regression over sparse features of a word and
its neighbours — the word's shape, its suffix, which word lists know it (English
dictionary, common words, given names, surnames, places, the allowlists, the
regions), the words before and after it and what the lists say of them — trained
by scripts/train_deid_tagger.py on the annotated corpora in benchmarks/data (plus
copies of them lowercased chat-style and with their names swapped for other
names from the lists, so that it learns slots and word-list evidence rather
than the names it saw). It predicts, per word, O / NAME / LOCATION / ORG.

It only looks at what the recognisers did not remove, and only at words that
could be an identifier at all (`candidate`): common English words that no name
or place list knows, numbers and single letters are left to the rules. The
engine removes what it is sure of (`REMOVE`) and points out what it half
believes (`REVIEW`) as a review span ("looks like a name"). Inference is pure
Python over a small gzip JSON of weights (bot/deid/data/tagger.json.gz).
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .lexicons import Lexicons
from .model import Candidate
from .recognizers.base import Doc, Intervals
from .recognizers.chat import KIN, chat_words
from .recognizers.orgs import HEADS
from .tokens import Token

MODEL_PATH = Path(__file__).resolve().parent / "data" / "tagger.json.gz"
CLASSES = ("NAME", "LOCATION", "ORG")  # "O" is the reference class (score 0)
# engine thresholds on the tagger's probability of its best class; chosen by
# cross-validation (see docs/deid.md)
REMOVE = 0.7
# a lowercase word no dictionary knows (chat): removed from this probability
REMOVE_LOWER = 0.5
REVIEW = 0.3
# a neighbour joins a sure word's removal only if its own label is at least this likely
CARRY = 0.35
# review reasons, one per class
REASON = {"NAME": "looks_like_a_name", "LOCATION": "looks_like_a_place", "ORG": "looks_like_an_organisation"}
# the context words the features name as such, whatever the lists say of them
_KEEP_CONTEXT = 2_000


@dataclass(frozen=True)
class Tagged:
    start: int
    end: int
    label: str
    prob: float

    @property
    def reason(self) -> str:
        return REASON[self.label]


def lex_class(lex: Lexicons, low: str, cache: dict[str, str]) -> str:
    """What the word lists say of a lowercase word, as a short code."""
    hit = cache.get(low)
    if hit is not None:
        return hit
    c = ""
    if lex.is_word(low):
        c += "W"
    if low in lex.common_words:
        c += "C"
    if lex.is_first(low):
        c += "F"
    if lex.is_surname(low):
        c += "S"
    if lex.is_place(low):
        c += "P"
    if low in lex.allow or low in lex.acronyms:
        c += "A"
    if low in lex.regions:
        c += "R"
    c = c or "-"
    if len(cache) < 50_000:  # bounded: a hostile text cannot grow it forever
        cache[low] = c
    return c


# function words: never an identifier on their own (a multi-word name that has one
# inside, "prince of wales hospital", is joined across it after tagging)
_FUNCTION = frozenset(
    """
    the a an and or but nor so yet if then than that this these those there here what which who whom whose when
    where why how i me my mine we us our ours you your yours he him his she her hers it its they them their theirs
    am is are was were be been being do does did done doing have has had having can could shall should would must
    might of in on at to for from by with about into onto over under after before between through during without
    within upon against among around near as not no yes too very just also only even still again ever never always
    all any both each few more most other some such own same up down out off away back now today tonight tomorrow
    yesterday im ive id ill dont doesnt didnt cant couldnt wont wouldnt shouldnt isnt wasnt arent werent hasnt havent
    hadnt its thats theres whats hes shes theyre youre were weve theyve youve ok okay like really got get gets getting
    go goes going went gone said say says saying told tell know knew think thought want wanted feel felt one two
    because since until while though although whether
    """.split()
)
# words that join two parts of one name: "prince of wales hospital", "caixa geral de depósitos"
_JOINERS = frozenset({"of", "de", "da", "do", "del", "la", "le", "&", "and", "y", "e", "van", "von", "der"})
_NAME_JOINERS = frozenset({"de", "da", "del", "la", "le", "van", "von", "der", "bin", "ben", "ap"})


def candidate(t: Token, cls: str) -> bool:
    """Words the tagger is asked about; everything else is O by construction
    (the same gate at training and at run time)."""
    if len(t.text) < 2 or not t.is_alpha:
        return False
    if "A" in cls or "R" in cls:
        return False  # the allowlists and the regions are kept on purpose (Zoom, EMDR, Ontario)
    return t.lower not in _FUNCTION or "F" in cls and t.is_cap and not t.sent_start


def _shape(text: str) -> str:
    if text.isupper():
        return "U"
    if text[0].isupper():
        return "C"
    if text.islower():
        return "l"
    return "m"


def _ctx(low: str, cls: str) -> str:
    """A neighbour as a feature: the word itself when it is a known word (a cue,
    a preposition, a verb), otherwise only what the lists say of it."""
    if "W" in cls or "C" in cls or "A" in cls:
        return low
    return "?" + cls


def _gap(text: str) -> str:
    g = text.strip()
    return g[-2:] if g else ("nl" if "\n" in text else "_")


def blocked_tokens(doc: Doc, taken: Iterable[Candidate]) -> list[bool]:
    """Per token: inside something already removed. The tagger's context stops
    at removed words, as it stops at the engine's own placeholders on a second
    pass, so that running the engine on its output decides the same."""
    covered = Intervals((c.start, c.end) for c in taken)
    if not covered:
        return [False] * len(doc.tokens)
    return [covered.overlaps(t.start, t.end) for t in doc.tokens]


def _neighbour(doc: Doc, t: Token, step: int, blocked: list[bool]) -> Token | None:
    q = doc.prev(t) if step < 0 else doc.next(t)
    if q is None or blocked[q.i]:
        return None
    return q


@dataclass
class _Words:
    """Per token of a doc, computed once: what the lists say, its shape, and
    how it appears as a neighbour's context."""

    cls: list[str]
    shape: list[str]
    ctx: list[str]


def words(doc: Doc, cache: dict[str, str]) -> _Words:
    lex = doc.lex
    cls = [lex_class(lex, t.lower, cache) for t in doc.tokens]
    shape = [_shape(t.text) for t in doc.tokens]
    ctx = [_ctx(t.lower, c) for t, c in zip(doc.tokens, cls, strict=True)]
    return _Words(cls, shape, ctx)


def features(doc: Doc, t: Token, blocked: list[bool], w: _Words) -> list[str]:
    low = t.lower
    i = t.i
    c = w.cls[i]
    s = w.shape[i]
    sc = s + c
    f = ["b", "c=" + c, "s=" + s, "sc=" + sc, "x3=" + low[-3:], "x2=" + low[-2:], "n=" + str(min(len(low), 9))]
    f.extend("f=" + ch for ch in c)
    if "W" in c or "C" in c or "A" in c:
        f.append("w=" + low)
    p = _neighbour(doc, t, -1, blocked)
    # right after a removed word the text may have lost its punctuation: a start
    start = t.sent_start or p is None
    if start:
        f.append("ss|" + sc)
    if t.possessive:
        f.append("poss")
    if "-" in low:
        f.append("hyph")
    if p is None or start:
        f.append("p=<s>")
        pw = "<s>"
    else:
        j = p.i
        pw = w.ctx[j]
        g = _gap(doc.gap(p, t))
        f += ["p=" + pw, "pc=" + w.cls[j], "p|c=" + pw + "|" + c, "p|s=" + pw + "|" + s, "g=" + g, "ps=" + w.shape[j]]
        if p.possessive:
            f.append("pposs")
        pp = _neighbour(doc, p, -1, blocked)
        if pp is not None and not p.sent_start:
            ppw = w.ctx[pp.i]
            f += ["pp=" + ppw, "pp|p=" + ppw + "|" + pw]
    q = _neighbour(doc, t, 1, blocked)
    if q is None or q.sent_start:
        f.append("q=</s>")
    else:
        k = q.i
        qw = w.ctx[k]
        f += ["q=" + qw, "qc=" + w.cls[k], "q|c=" + qw + "|" + c, "qs=" + w.shape[k], "p|q=" + pw + "|" + qw]
        qq = _neighbour(doc, q, 1, blocked)
        if qq is not None and not qq.sent_start:
            f.append("qq=" + w.ctx[qq.i])
    return f


class Tagger:
    def __init__(self, weights: dict[str, list[float]], remove: float = REMOVE, review: float = REVIEW) -> None:
        self.weights = weights
        self.remove = remove
        self.review = review
        self._cache: dict[str, str] = {}

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> Tagger:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
        scale = data["scale"]
        return cls({k: [v / scale for v in vs] for k, vs in data["weights"].items()})

    def probs(self, feats: Iterable[str]) -> list[float]:
        """P(O), P(NAME), P(LOCATION), P(ORG)."""
        a = b = c = 0.0
        get = self.weights.get
        for f in feats:
            v = get(f)
            if v is not None:
                a += v[0]
                b += v[1]
                c += v[2]
        m = max(0.0, a, b, c)
        exp = math.exp
        e = [exp(-m), exp(a - m), exp(b - m), exp(c - m)]
        z = e[0] + e[1] + e[2] + e[3]
        return [x / z for x in e]

    def tag(self, doc: Doc, taken: Iterable[Candidate] = (), w: _Words | None = None) -> list[Tagged]:
        """Words outside `taken` that look like NAME/LOCATION/ORG (probability of
        not being O ≥ self.review), with the probability of their likeliest
        label, one per word, in text order."""
        blocked = blocked_tokens(doc, taken)
        if w is None:
            w = words(doc, self._cache)
        out: list[Tagged] = []
        for t in doc.tokens:
            if blocked[t.i] or not candidate(t, w.cls[t.i]):
                continue
            pr = self.probs(features(doc, t, blocked, w))
            # the likeliest identifier label; pointed out when "some identifier" is likely enough
            k = max((1, 2, 3), key=pr.__getitem__)
            if 1.0 - pr[0] >= self.review:
                out.append(Tagged(t.start, t.end, CLASSES[k - 1], pr[k]))
        return out

    def find(self, doc: Doc, taken: list[Candidate]) -> tuple[list[Candidate], list[Tagged]]:
        """Removals and review material. What it removes becomes context that
        stops its neighbours' features, as on a second pass over the output;
        so it looks again until nothing new is removed (at most three rounds)."""
        sure_all: list[Candidate] = []
        unsure: list[Tagged] = []
        w = words(doc, self._cache)
        for _ in range(3):
            sure, unsure = tagger_candidates(self.tag(doc, [*taken, *sure_all], w), doc, self.remove)
            if not sure:
                break
            sure_all += sure
        return sure_all, unsure


_TAGGER: Tagger | None = None


def get_tagger() -> Tagger:
    global _TAGGER
    if _TAGGER is None:
        _TAGGER = Tagger.load()
    return _TAGGER


def tagger_candidates(tagged: list[Tagged], doc: Doc, remove: float) -> tuple[list[Candidate], list[Tagged]]:
    """Sure words become candidates — neighbours with the same label and only a
    space, a hyphen or a joining word between them one span ("rosa delgado" is
    one person, "prince of wales hospital" one hospital) — and the rest stay as
    review material. A run made only of ordinary words ("family", "the club",
    "anytime fitness") is never removed on the tagger's word alone: it is
    pointed out instead, so formal prose keeps its nouns."""
    sure: list[Candidate] = []
    unsure: list[Tagged] = []
    run: list[Tagged] = []

    def flush() -> None:
        # a run does not end in a common word unless it is a head noun ("the surry hills site")
        while len(run) > 1 and _trailing_common(doc, run[-1]):
            unsure.append(run.pop())  # pointed out instead
        if not run:
            return
        label = _run_label(run)
        # hysteresis: one sure word carries its unsure neighbours ("harbor point counseling")
        # in lowercase chat a word no dictionary knows needs less: "hey chidi can u", "cl mahlet (33)"
        sure_word = any(t.prob >= remove or t.prob >= REMOVE_LOWER and _lower_unknown(doc, t) for t in run)
        if sure_word and (any(_anchor(doc, t) for t in run) or label == "ORG" and _named_org(doc, run)):
            end = run[-1].end
            last = doc.text[run[-1].start : end]
            head = _head_after(doc, run[-1])
            if head is not None:
                # "oakley plumbing", "rania counselling": a business named after a person or place
                label, end, last = "ORG", head.end, head.text
            if label != "NAME" and len(run) == 1 and head is None and _after_person_verb(doc, run[0]):
                label = "NAME"  # "told shotor i cant": the object of "told" is a person, whatever the word
            kind = "place" if label == "LOCATION" else _org_kind(last) if label == "ORG" else ""
            sure.append(Candidate(run[0].start, end, label, kind, 30, "tagger"))
        else:
            unsure.extend(t for t in run if len(run) >= 3 or _worth_pointing(doc, t))
        run.clear()

    for t in tagged:
        if t.prob < CARRY:
            # too unsure of its label to be carried into a removal: pointed out at most
            flush()
            if not _trailing_common(doc, t) and _worth_pointing(doc, t):
                unsure.append(t)  # a weak guess is pointed out only at an uncommon word
            continue
        if run and not _joined(doc.text, run[-1], t):
            flush()
        run.append(t)
    flush()
    unsure.sort(key=lambda t: t.start)
    return sure, unsure


# verbs whose object is a person: "told X", "texted X"
_PERSON_OBJECT_VERBS = frozenset(
    "told tell tells telling asked ask asks texted text texts messaged emailed rang".split()
)


def _after_person_verb(doc: Doc, t: Tagged) -> bool:
    tok = doc.token_at(t.start)
    p = doc.prev(tok) if tok is not None else None
    return p is not None and tok is not None and p.lower in _PERSON_OBJECT_VERBS and doc.gap(p, tok) == " "


def _lower_unknown(doc: Doc, t: Tagged) -> bool:
    tok = doc.token_at(t.start)
    if tok is None or not tok.is_lower or len(tok.text) < 3 or tok.lower in KIN or tok.lower in chat_words():
        return False
    cls = lex_class(doc.lex, tok.lower, {})
    # a list knows it as a name or a place ("chidi" is no list's word either: the rules judge those)
    return "W" not in cls and "C" not in cls and ("F" in cls or "S" in cls or "P" in cls)


def _trailing_common(doc: Doc, t: Tagged) -> bool:
    tok = doc.token_at(t.start)
    return tok is not None and tok.lower not in HEADS and "C" in lex_class(doc.lex, tok.lower, {})


def _worth_pointing(doc: Doc, t: Tagged) -> bool:
    """A word on its own is pointed out when no dictionary knows it (and it is no
    vowel-less shorthand: "mtg", "wrk"), or when a name or place list knows it
    and it is not a common word at a sentence start or in lowercase:
    "Second thought.", "the Code of Ethics" and "the report" are no one's name."""
    tok = doc.token_at(t.start)
    if tok is None:
        return False
    cls = lex_class(doc.lex, tok.lower, {})
    if "W" not in cls and "C" not in cls:
        return not (tok.is_lower and not any(v in tok.lower for v in "aeiouy"))
    if not ("F" in cls or "S" in cls or "P" in cls):
        return False
    return "C" not in cls or tok.is_cap and not tok.sent_start


def _run_label(run: list[Tagged]) -> str:
    """A run that mixes labels is a place or an organisation ("ysbyty gwynedd"),
    never a person: a place shown as a person misleads the reader."""
    labels = {t.label for t in run}
    if len(labels) == 1:
        return run[0].label
    score = {"LOCATION": 0.0, "ORG": 0.0}
    for t in run:
        if t.label in score:
            score[t.label] += t.prob
    return max(score, key=lambda k: (score[k], k))


def _named_org(doc: Doc, run: list[Tagged]) -> bool:
    """Ordinary words ending in an organisation's head noun, with one word that is
    not a common one: "western suburbs netball club", "cornerstone counselling"
    (not "family therapy", "support group")."""
    if len(run) < 2 or doc.text[run[-1].start : run[-1].end].lower() not in HEADS:
        return False
    for t in run[:-1]:
        tok = doc.token_at(t.start)
        if tok is not None and tok.lower not in HEADS and tok.lower not in doc.lex.common_words:
            return True
    return False


def _org_kind(head: str) -> str:
    kind = HEADS.get(head.lower(), "")
    return "" if kind == "landmark" else kind


_NAMED_HEAD_KINDS = frozenset({"workplace", "clinic", "church", "team", "hospital"})


def _head_after(doc: Doc, t: Tagged) -> Token | None:
    """A business head noun right after a tagged word, in the same case family."""
    tok = doc.token_at(t.start)
    q = doc.next(tok) if tok is not None else None
    if q is None or tok is None or doc.gap(tok, q) != " " or tok.possessive:
        return None
    return q if HEADS.get(q.lower) in _NAMED_HEAD_KINDS else None


def _anchor(doc: Doc, t: Tagged) -> bool:
    """A word that is evidence on its own: one no dictionary knows (and no
    misspelling of one), or a dictionary word that a name or place list knows,
    capitalised mid-sentence ("saw Hope today", "lives in Reading"). A capital
    at a sentence start says nothing ("Numbers followed by units", "Joy is hard")."""
    tok = doc.token_at(t.start)
    if tok is None:
        return False
    lex = doc.lex
    cls = lex_class(lex, tok.lower, {})
    if "W" in cls or "C" in cls:
        if tok.is_lower and t.label == "LOCATION" and "P" in cls and "C" not in cls and "F" not in cls:
            # "hes in croydon", "a cop in fresno": a listed place no common word, after a place word
            p = doc.prev(tok)
            return p is not None and p.lower in _PLACE_PREPS and doc.gap(p, tok) == " "
        return tok.is_cap and not tok.sent_start and ("F" in cls or "S" in cls or "P" in cls)
    low = tok.lower
    if tok.is_upper and len(low) <= 5:
        return False  # an acronym ("CAMFT"): the rules and the allowlists judge those
    if cls == "-" and (tok.is_lower or tok.sent_start):
        # a misspelling, or an English derivation the dictionary lacks ("bartending",
        # "guardianship"): no evidence on its own unless capitalised mid-sentence
        # (the rarer-words list is no help here: it holds "kavya" and "makati")
        if tok.is_lower and lex.near_word(low) or _derived(lex, low):
            return False
    return True


_PLACE_PREPS = frozenset("in from near outside around to".split())
_DERIVATIONS = ("ing", "ism", "ist", "ists", "ship", "ness", "ment", "tion", "ity", "ical", "able", "ised", "ized")


def _derived(lex: Lexicons, low: str) -> bool:
    """An English derivation the dictionary lacks: words run together ending in a
    derivational suffix ("bartending", "perfectionism", "guardianship",
    "psychotherapist"). Place names rarely end so; "whitefield" and "kingsway"
    are compounds too, and stay evidence."""
    if len(low) > 30 or not low.isalpha() or not low.endswith(_DERIVATIONS):
        return False
    return any(lex.is_word(low[:i]) and lex.is_word(low[i:]) for i in range(3, len(low) - 2))


def _joined(text: str, a: Tagged, b: Tagged) -> bool:
    gap = text[a.end : b.start]
    if gap in (" ", "-"):
        return True  # neighbours are one thing; _run_label settles what
    if gap in ("'s ", "’s "):
        return a.label == b.label
    # one joining word between: "prince of wales", "club atlético de …"
    parts = gap.split()
    joiners = _NAME_JOINERS if a.label == b.label == "NAME" else _JOINERS
    return len(parts) == 1 and gap.startswith(" ") and gap.endswith(" ") and parts[0].lower() in joiners
