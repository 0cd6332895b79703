"""Maps a free-text question to 1-3 principles and, when one fits, a known situation.

Deliberately explainable: every point of score comes from a cue or trigger in
prompts/*.yaml, so "why this applies" is just the sentence of the cue that fired.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from .catalog import Catalog, Cue, Situation
from .content import STOPWORDS, Bag, BM25Index, drop_stopwords, principle_documents
from .ranker import Ranker
from .ranker import features as ranker_features
from .text import mask_negated, normalize, stem

# A situation match is the strongest evidence we have (it was written for that
# case), so its ranked principles get these bonuses, scaled by match strength.
SITUATION_BONUS = (8.0, 5.0, 3.0)
SITUATION_MIN = 2.0  # trigger weight needed to call a situation matched
SITUATION_FULL = 4.0  # trigger weight at which the bonus is not scaled down
# A situation card is shown only for a clear match: this much trigger weight, and this
# much more than the next situation (chosen on the dev sets and tests/principles data).
SITUATION_CLEAR = 3.0
SITUATION_MARGIN = 1.0
# In a longer question one trigger word ("supervisee", "burnout", "sponsor", "group therapy")
# names a topic more often than the situation: above SHORT_QUESTION words, a card needs
# this much trigger weight (two triggers, or one phrase of weight 5). Chosen on the read
# halves of the blind sets (benchmarks/README.md, "wrong situation card").
SHORT_QUESTION = 12
SITUATION_CLEAR_LONG = 4.5
# ... and beyond that the need grows with the question's length, this much per doubling of
# its words (30 words: 5.0, 60: 6.5, 120: 8.0): a long case note mentions many things, and a
# situation's triggers must be dense in it, not merely present. On the judged cards of the
# read halves (benchmarks/ask_accuracy.py --cards, six sets by five writers) this turned 6 of
# 13 wrong cards into "closest situations" (wrong cards on 3.6 -> 2.0 % of questions), and 6 of
# 52 right ones, which stay one click away among the closest situations.
SITUATION_PER_DOUBLING: float | None = 1.5
CLOSEST_SIZE = 3  # otherwise up to this many "closest situations" ...
CLOSEST_MIN = 1.5  # ... of at least this trigger weight
LANGUAGE_SHARE = 0.2  # share of a question's words from another language's list
# A question of at least this many words of which fewer than this share are English function
# words is in another language even when no list knows it. On the labelled questions
# (benchmarks/data, 2,350 English of 6 words or more, and 192 in other languages the lists
# missed) 0.12 caught 184 of the 192 and no English question (the lowest English share: .14).
OTHER_LANGUAGE_WORDS = 6
OTHER_LANGUAGE_SHARE = 0.12
OTHER_LANGUAGE = "other"  # its name in prompts/principles.yaml languages
ON_TOPIC_MIN = 2.0  # cue weight that makes a question on-topic when it mentions practice
# ... or, about a client, when this much cue weight is left once the admin topic's words are
# masked, or this much with a relational ask ("can I accept", "problem?", "dual role?")
ADMIN_LEFT = 3.5
ADMIN_LEFT_ASKED = 1.5
ADMIN_SITUATION = 4.0  # a practice-admin question is a boundary question when a situation is this clear
STRONG_TRIGGER = 3.5  # a trigger this specific ("subpoena", "friend request") suffices alone
KEEP_RATIO = 0.3  # a principle must score this share of the top one to be shown
ANSWER_SIZE = 3  # at most this many principles, each with evidence of its own (never padded)
FUZZY_CUTOFF = 0.86
TYPO_CACHE_SIZE = 4096  # words; about 0.5 MB at most
FUZZY_MIN_LEN = 5
# The content signal (bot/principles/content.py): BM25 of the question against one
# document per principle, normalised so the best principle scores 1, is added to the
# cue scores with this weight; it orders principles when cues are weak, absent or tied.
# Chosen by 5-fold cross-validation (benchmarks/ask_accuracy.py --cv).
CONTENT_WEIGHT = 8.0
# ... scaled by DAMP / (DAMP + best cue-and-situation score): full weight when no cue
# fires, half when the cues already give the leader DAMP points (None: no damping).
CONTENT_DAMP: float | None = None  # cross-validation preferred none (4, 8, 16 tried)
# With practice context but no cue, a question is on-topic when its best BM25 score
# (raw) reaches this: enough of its words are what the principles talk about.
CONTENT_ON_TOPIC = 2.0
# A single-word alias counts as naming its principle inside a longer question only
# if that word belongs mostly to the principle's own content ("transference": yes;
# "support", "boundaries": no — they run through every principle).
NAME_SHARE = 0.6
# ... and it adds this much to that principle's score. It used to come first whatever else
# fired; but writers name a principle to ask whether it is the right one ("does that make
# it a dual relationship?", "privacy question I think?"), and on the read halves of the
# blind sets a bonus ranked better than first place (benchmarks/README.md).
NAME_BONUS = 12.0
# The trained ranker (bot/principles/ranker.py): its probability, times this, is added to
# the vocabulary's score (the best = 1); a principle it gives at least RANKER_SHOW is shown
# (as a second or third) even without a cue. Chosen by leave-one-file-out cross-validation
# (scripts/train_ask_ranker.py --cv). With the 2026-12-06 sets (11 files, 898 questions, four of
# them new writers') the ranker earned more say: top-1 .838 at 0.15, .846 at 0.5, .852 at 1.0 and
# .857 at 2.0, primary top-1 best at 1.0 (.585) and falling past it; 0.5 is the largest weight at
# which the hand-written expectations in tests/principles all still hold (at 1.0 four orderings
# there change), so 0.5 it is. L2 3e-3, 1e-2 and 3e-2 were within .01 of one another.
RANKER_WEIGHT = 0.5
RANKER_SHOW: float | None = None
# After the first principle, the candidates (each with evidence of its own) are ordered with the
# ranker at this weight (matcher.choose). Leave-one-file-out over the 11 labelled files: recall@3
# .730 -> .749, up on each of the four newest writers' files by .02-.05 (plain_c .672 -> .723,
# plain_d .624 -> .656, risk_f .621 -> .645, train_g .639 -> .661), top-1 .846 -> .847, the dev
# corpus unchanged (1.00 / .978); weights 1.0 to 8.0 were within .005 of one another.
SECOND_WEIGHT: float | None = 1.0


_WORDS = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)?")


def _one_deleted(word: str) -> set[str]:
    """The word and every form of it with one letter left out."""
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


@dataclass(frozen=True)
class PrincipleMatch:
    key: str
    score: float
    why: str


@dataclass(frozen=True)
class Answer:
    question: str
    principles: list[PrincipleMatch]
    situation: Situation | None
    off_topic: bool
    named: bool = False  # the question named a principle; the first match is that principle
    closest: tuple[Situation, ...] = ()  # no card fits clearly: the situations to pick from
    language: str | None = None  # the question is in another language (answers are in English)


def _contains(seq: list[str], sub: tuple[str, ...], present: frozenset[str] | set[str] | None = None) -> bool:
    """Whether `sub` occurs in `seq` as consecutive tokens; `present` is set(seq),
    passed in when many terms are checked against one question."""
    n = len(sub)
    if n and sub[0] not in (seq if present is None else present):  # most terms fail here, cheaply
        return False
    if n == 1:
        return True
    sub_list = list(sub)
    return any(seq[i : i + n] == sub_list for i in range(len(seq) - n + 1))


def related_principles(catalog: Catalog) -> dict[str, list[str]]:
    """For each principle, the others ranked by how often situations list them together.

    Boundary questions rarely involve one principle alone; the situations in
    prompts/situations.yaml record which ones go together (a friendship with a
    client is a second role *and* a power question), nearer ranks counting more.
    """
    together: dict[str, dict[str, float]] = {k: {} for k in catalog.principles}
    for s in catalog.situations.values():
        for i, a in enumerate(s.principles):
            for j, b in enumerate(s.principles):
                if a != b:
                    together[a][b] = together[a].get(b, 0.0) + 1.0 / (1 + abs(i - j))
    order = list(catalog.principles)
    return {
        k: sorted((o for o in order if o != k), key=lambda o: (-c.get(o, 0.0), order.index(o)))
        for k, c in together.items()
    }


@dataclass(frozen=True)
class Ranking:
    """What Matcher.rank found in an on-topic question, before the ranker's say."""

    scores: dict[str, float]  # principle -> cue, situation and content score
    whys: dict[str, str]  # principle -> the sentence of its heaviest fired cue (or its name)
    keep: tuple[str, ...]  # the matched situation's principles (chosen for that case)
    named_here: tuple[str, ...]  # principles named inside the question
    card: Situation | None
    closest: tuple[Situation, ...]
    language: str | None
    features: frozenset[str]  # for the ranker (bot/principles/ranker.py)


def combine(scores: Mapping[str, float], probs: Mapping[str, float], weight: float) -> dict[str, float]:
    """The vocabulary's scores (the best one = 1) plus `weight` times the ranker's probabilities."""
    if not probs or not weight:
        return dict(scores)
    top = max(scores.values(), default=0.0) or 1.0
    return {k: scores.get(k, 0.0) / top + weight * probs.get(k, 0.0) for k in {*scores, *probs}}


def choose(
    r: Ranking,
    final: Mapping[str, float],
    probs: Mapping[str, float],
    show: float | None,
    second: Mapping[str, float] | None = None,
) -> list[str]:
    """The 1-3 principles shown, best first: each with evidence of its own — a cue of real
    weight, its name, the matched situation, or (`show`) the ranker's probability — never padding.

    `second` (the scores with the ranker's larger say, SECOND_WEIGHT) orders the candidates after
    the first: which principles go with the first is what writers differ on, and what the ranker
    learnt from them. A matched situation's principles are then candidates like the others unless
    its card is shown (a clear match), when they keep their places."""
    named = set(r.named_here)
    ranked = sorted(final.items(), key=lambda kv: (-kv[1], kv[0]))
    base = {k: r.scores.get(k, 0.0) for k in final}
    top = max(base.values(), default=0.0)
    keep = set(r.keep)
    specific = set(r.whys) | keep | named | {ranked[0][0]}
    kept = [
        k
        for k, _ in ranked
        if (base[k] >= KEEP_RATIO * top and base[k] > 0 and k in specific)
        or k in keep
        or k in named
        or (show is not None and probs.get(k, 0.0) >= show)
        or k == ranked[0][0]
    ]
    if second is not None and kept:
        forced = (keep if r.card is not None else set()) | named
        kept[1:] = sorted(kept[1:], key=lambda k: (k not in forced, -second.get(k, 0.0), k))
        return kept[:ANSWER_SIZE]
    # a matched situation's principles were chosen for this case: they keep their
    # places among the first ANSWER_SIZE, displacing the weakest of the others
    while len(kept) > ANSWER_SIZE and any(k in keep for k in kept[ANSWER_SIZE:]):
        drop = next((k for k in reversed(kept[:ANSWER_SIZE]) if k not in keep and k not in named), None)
        if drop is None:
            break
        kept.remove(drop)
    return kept[:ANSWER_SIZE]


def lead_with(lead: Sequence[str], keys: Sequence[str]) -> list[str]:
    """`lead` first (a risk's principles), then the others of `keys`, at most ANSWER_SIZE."""
    return [*lead, *(k for k in keys if k not in lead)][:ANSWER_SIZE]


G = TypeVar("G", bound=Hashable)  # what a TermIndex's groups are keyed by: a principle, a situation, None


# What the evidence of one token list is: principle -> (cue score, heaviest cue), the
# situation matched (if any), its trigger score, and the weight of the strongest trigger.
Evidence = tuple[dict[str, tuple[float, Cue | None]], Situation | None, float, float]


@dataclass
class _Memo:
    """What one answer() has worked out about a token list, so that its several passes over
    the same words (as typed, with typo fixes) compute each thing once."""

    evidence: dict[tuple[str, ...], Evidence] = field(default_factory=dict)
    situations: dict[tuple[str, ...], dict[str, float]] = field(default_factory=dict)  # situation -> trigger score
    specific: dict[tuple[str, ...], dict[str, bool]] = field(default_factory=dict)  # situation -> clearly it
    content: dict[tuple[str, ...], dict[str, float]] = field(default_factory=dict)  # principle -> raw BM25


class TermIndex(Generic[G]):
    """Which of many groups of terms occur in a question, found by first token.

    Built once at load: first token -> [(group, item, term)]. A question then only
    tests the terms whose first token it contains, instead of every term of every
    cue (the matcher answers bursts of questions; scanning ~2,000 terms each time
    dominated its cost).
    """

    def __init__(self, groups: Mapping[G, list[Cue]]) -> None:
        self.groups = groups
        # first token -> [(group, cue index, rest of the term)]
        self._by_first: dict[str, list[tuple[G, int, list[str]]]] = {}
        for g, cues in groups.items():
            for i, cue in enumerate(cues):
                for t in cue.terms:
                    self._by_first.setdefault(t[0], []).append((g, i, list(t[1:])))

    def fired(self, toks: list[str]) -> dict[G, set[int]]:
        """group -> indices of its cues with a term occurring in `toks`."""
        out: dict[G, set[int]] = {}
        by_first = self._by_first
        starts: dict[str, list[int]] = {}
        for n, tok in enumerate(toks):
            if tok in by_first:
                starts.setdefault(tok, []).append(n + 1)
        for tok, after in starts.items():
            for g, i, rest in by_first[tok]:
                if not rest or any(toks[a : a + len(rest)] == rest for a in after):
                    out.setdefault(g, set()).add(i)
        return out

    def mask(self, toks: list[str]) -> list[str]:
        """`toks` with every occurrence of a term replaced by MASKED (a topic's own words set aside)."""
        out = list(toks)
        by_first = self._by_first
        for n, tok in enumerate(toks):
            for _, _, rest in by_first.get(tok, ()):
                if toks[n + 1 : n + 1 + len(rest)] == rest:
                    out[n : n + 1 + len(rest)] = [MASKED] * (1 + len(rest))
        return out


MASKED = "\u00b7"  # never a token of normalize()

_MODALS = frozenset("do does can could should would shall may is are".split())  # "how do I ...": a procedure
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


def _asking_sentence(question: str) -> str | None:
    """The sentences of a question of several that ask it (those ending in "?"), or None
    for a question of one sentence or without a question mark."""
    sentences = [x for x in _SENTENCE_END.split(question.strip()) if x]
    if len(sentences) < 2:
        return None
    asked = [x for x in sentences if x.rstrip().endswith("?")]
    return " ".join(asked) if asked else None


def _terms_index(terms: tuple[tuple[str, ...], ...]) -> TermIndex[None]:
    return TermIndex({None: [Cue("", 0.0, (t,), "") for t in terms]})


def _any_term(index: TermIndex[None], toks: list[str]) -> bool:
    return bool(index.fired(toks))


def _score(cues: list[Cue], fired: set[int] | None) -> tuple[float, Cue | None]:
    """Total weight of the fired cues and the heaviest of them (the first, on ties)."""
    total, best = 0.0, None
    if not fired:
        return total, best
    for i in sorted(fired):
        cue = cues[i]
        total += cue.weight
        if best is None or cue.weight > best.weight:
            best = cue
    return total, best


def _outermost(triggers: list[Cue], fired: set[int]) -> set[int]:
    """The fired triggers, minus those only found inside a longer one that fires.

    "custody hearing" already says "custody" and "hearing"; counting all three would
    let a situation win on one phrase that happens to list its parts too.
    """
    if len(fired) < 2:
        return fired
    return {
        i
        for i in fired
        if not any(
            o != i
            and len(triggers[o].terms[0]) > len(triggers[i].terms[0])
            and _contains(list(triggers[o].terms[0]), triggers[i].terms[0])
            for o in fired
        )
    }


def _names_in_questions(catalog: Catalog, docs: dict[str, Bag]) -> dict[tuple[str, ...], str]:
    """Names of principles that, found inside a longer question, say which principle it is about:
    the key, the title, aliases of several words, and single-word aliases that belong
    mostly to the principle's own content."""
    out: dict[tuple[str, ...], str] = {}
    for key, p in catalog.principles.items():
        for name in (key.replace("_", " "), p.title):
            out.setdefault(tuple(normalize(name, catalog.synonyms)), key)
        for alias in p.aliases:
            words = tuple(normalize(alias, catalog.synonyms))
            content = drop_stopwords(list(words))
            if not content:
                continue
            if len(words) == 1:  # a phrase ("tell my supervisor") is specific as it stands
                (w,) = content
                total = sum(d.get(w, 0.0) for d in docs.values())
                if not total or docs[key].get(w, 0.0) / total < NAME_SHARE:
                    continue
            out.setdefault(words, key)
    return out


class Matcher:
    def __init__(
        self,
        catalog: Catalog,
        content_weight: float = CONTENT_WEIGHT,
        content_on_topic: float | None = CONTENT_ON_TOPIC,
        content_damp: float | None = CONTENT_DAMP,
        names_in_questions: bool = True,
        situation_clear: float = SITUATION_CLEAR,
        situation_clear_long: float = SITUATION_CLEAR_LONG,
        situation_per_doubling: float | None = SITUATION_PER_DOUBLING,
        situation_margin: float = SITUATION_MARGIN,
        ranker: Ranker | None = None,
        ranker_weight: float = RANKER_WEIGHT,
        ranker_show: float | None = RANKER_SHOW,
        second_weight: float | None = SECOND_WEIGHT,
    ) -> None:
        self.second_weight = second_weight if ranker is not None else None
        self.ranker = ranker
        self.ranker_weight = ranker_weight
        self.ranker_show = ranker_show if ranker is not None else None
        self.situation_clear = situation_clear
        self.situation_clear_long = situation_clear_long
        self.situation_per_doubling = situation_per_doubling
        self.situation_margin = situation_margin
        self.catalog = catalog
        self.content_weight = content_weight
        self.content_damp = content_damp
        self.content_on_topic = content_on_topic
        docs = principle_documents(catalog)
        self._content = BM25Index(docs)
        names: dict[str, list[Cue]] = {}
        if names_in_questions:
            for n, key in _names_in_questions(catalog, docs).items():
                names.setdefault(key, []).append(Cue(" ".join(n), 0.0, (n,), ""))
        self._name_index = TermIndex(names)
        # typos are fixed on words as typed, before stemming: stems like "polic" would
        # otherwise sit one letter away from ordinary words ("policy")
        self._vocab = catalog.surface_words
        # A typo adds, drops, swaps or changes a letter: the typed word and a vocabulary
        # word then share a form with at most one letter deleted from each. Indexing
        # those forms finds the few candidates at once instead of comparing every word.
        self._near: dict[str, list[str]] = {}
        for w in sorted(w for w in self._vocab if len(w) >= FUZZY_MIN_LEN - 1):
            for form in _one_deleted(w):
                self._near.setdefault(form, []).append(w)
        # bounded: never-seen words (every question has some) must not grow memory forever
        self._fix_cache: OrderedDict[str, str] = OrderedDict()
        self._context_words = {w for t in catalog.context_terms for w in t}
        self._related = related_principles(catalog)
        # principles in order of how often (and how centrally) situations list them
        weight: dict[str, float] = {}
        for sit in catalog.situations.values():
            for rank, key in enumerate(sit.principles):
                weight[key] = weight.get(key, 0.0) + 1.0 / (1 + rank)
        self._prior = sorted(catalog.principles, key=lambda k: -weight.get(k, 0.0))
        self._cue_index = TermIndex(catalog.principle_cues)
        self._situation_titles = {tuple(normalize(s.title, catalog.synonyms)): k for k, s in catalog.situations.items()}
        self._trigger_index = TermIndex(catalog.situation_triggers)
        self._requires_index = TermIndex(
            {k: [Cue("", 0.0, terms, "")] for k, terms in catalog.situation_requires.items() if terms}
        )
        self._unless_index = TermIndex(
            {k: [Cue("", 0.0, terms, "")] for k, terms in catalog.situation_unless.items() if terms}
        )
        # practice words are never masked as negated ("she isn't my client any more")
        self._practice_words = frozenset(w for t in (*catalog.context_terms, *catalog.client_terms) for w in t)
        self._context_index = _terms_index(catalog.context_terms)
        self._admin_index = _terms_index(catalog.admin_terms)
        roles = set(catalog.admin_roles)
        self._topic_index = _terms_index(tuple(t for t in catalog.admin_terms if t not in roles))  # what is masked
        self._client_index = _terms_index(catalog.client_terms)
        self._ethics_index = _terms_index(catalog.ethics_terms)
        self._asks_index = _terms_index(catalog.relational_asks)
        self._people_index = _terms_index(catalog.people_terms)
        self._subjects_index = _terms_index(catalog.ethics_subjects)

    def card_threshold(self, words: int) -> float:
        """The trigger weight a situation needs to be shown as a card in a question of `words` words."""
        if words <= SHORT_QUESTION:
            return self.situation_clear
        if self.situation_per_doubling is None:
            return self.situation_clear_long
        grown = self.situation_clear + self.situation_per_doubling * math.log2(words / SHORT_QUESTION)
        return max(self.situation_clear_long, grown)

    def _fix_typo(self, tok: str) -> str:
        if tok in self._vocab or len(tok) < FUZZY_MIN_LEN or tok.isdigit():
            return tok
        fixed = self._fix_cache.get(tok)
        if fixed is not None:
            self._fix_cache.move_to_end(tok)
            return fixed
        # a typo adds, drops, swaps or changes a letter or so: a word two letters
        # longer or shorter is another word ("college" is not "colleague")
        # typos rarely change the first letter
        candidates = sorted({w for form in _one_deleted(tok) for w in self._near.get(form, ()) if w[0] == tok[0]})
        close = difflib.get_close_matches(tok, candidates, n=1, cutoff=FUZZY_CUTOFF)
        fixed = close[0] if close else tok
        self._fix_cache[tok] = fixed
        if len(self._fix_cache) > TYPO_CACHE_SIZE:
            self._fix_cache.popitem(last=False)
        return fixed

    def tokens(self, question: str) -> list[str]:
        return normalize(question, self.catalog.synonyms, fix=self._fix_typo)

    def _evidence(self, toks: list[str], memo: _Memo | None = None) -> Evidence:
        key = tuple(toks)
        if memo is not None and key in memo.evidence:
            return memo.evidence[key]
        cat = self.catalog
        cue_fired = self._cue_index.fired(toks)
        principles = {k: _score(cues, cue_fired.get(k)) for k, cues in cat.principle_cues.items()}
        situation, s_score, strongest = None, 0.0, 0.0
        trig_fired = self._trigger_index.fired(toks)
        ruled_out = set(self._unless_index.fired(toks))
        required = self._requires_index.fired(toks)
        ruled_out |= {
            k for k in self.catalog.situation_requires if self.catalog.situation_requires[k] and k not in required
        }
        ranked: dict[str, float] = {}
        specific: dict[str, bool] = {}
        for key_s, trig in cat.situation_triggers.items():
            fired = trig_fired.get(key_s)
            if not fired or key_s in ruled_out:
                continue
            outer = _outermost(trig, fired)
            sc, best = _score(trig, outer)
            ranked[key_s] = sc
            # one word alone ("proposed", "receptionist") is ambiguous; a phrase of its own
            # or two separate triggers say which situation this is
            specific[key_s] = len(outer) >= 2 or (best is not None and best.weight >= 4)
            strongest = max(strongest, best.weight if best else 0.0)
            if sc > s_score:
                situation, s_score = cat.situations[key_s], sc
        out: Evidence = principles, (situation if s_score >= SITUATION_MIN else None), s_score, strongest
        if memo is not None:
            memo.evidence[key] = out
            memo.situations[key] = ranked
            memo.specific[key] = specific
        return out

    def _situation_scores(self, toks: list[str], memo: _Memo) -> dict[str, float]:
        self._evidence(toks, memo)
        return memo.situations[tuple(toks)]

    def _on_topic(self, question: str, memo: _Memo | None = None) -> bool:
        toks = normalize(question, self.catalog.synonyms)
        principles, situation, s_score, strongest = self._evidence(toks, memo)
        if _any_term(self._admin_index, toks):
            if not self._admin_on_topic(toks, situation, s_score, memo):
                return False
            if _any_term(self._subjects_index, toks):
                return True
            # in a question of several sentences the asking one decides: background may
            # mention a friend or a client who follows you, but "how long does insurance
            # panel credentialing take?" asks about running a practice
            ask = _asking_sentence(question)
            if ask is None:
                return True
            ask_toks = normalize(ask, self.catalog.synonyms)
            if not _any_term(self._admin_index, ask_toks):
                return True
            _, a_situation, a_score, _ = self._evidence(ask_toks, memo)
            return self._admin_on_topic(ask_toks, a_situation, a_score, memo)
        if strongest >= STRONG_TRIGGER:
            return True

        def fix_practice_word(w: str) -> str:
            # a misspelt "clent" still places the question in practice; other words stay as typed
            fixed = self._fix_typo(w)
            return fixed if stem(fixed) in self._context_words else w

        in_practice_toks = normalize(question, self.catalog.synonyms, fix=fix_practice_word)
        # a bare topic ("gifts", "social media") typed into a boundary app is about practice
        # ... and so is one that names a principle ("is this about objectivity?")
        in_practice = (
            len(toks) <= 3 or _any_term(self._context_index, in_practice_toks) or bool(self._name_index.fired(toks))
        )
        asks_ethics = _any_term(self._ethics_index, toks)
        if not in_practice:
            # "is it ok to hug my mom" is about private life: without practice words, only a
            # strongly specific trigger (above) makes a question on-topic
            return False
        if situation is None and max(s for s, _ in principles.values()) < ON_TOPIC_MIN:
            # the question is about practice: now typo fixes may supply the evidence
            # ("my clent gave me a gitf")
            principles, situation, _, _ = self._evidence(self.tokens(question), memo)
        if situation is not None or max(s for s, _ in principles.values()) >= ON_TOPIC_MIN:
            return True
        # "is it appropriate to ... with my client": an ethical question about practice
        if asks_ethics:
            return True
        # no cue, but about practice and in the principles' own terms: a principle named
        # inside the question, or enough words the principles' content is made of
        fixed = self.tokens(question)
        if self._name_index.fired(fixed) or _any_term(self._client_index, fixed):
            return True
        return (
            self.content_on_topic is not None
            and max(self._content_scores(fixed, memo).values()) >= self.content_on_topic
        )

    def _admin_on_topic(self, toks: list[str], situation: Situation | None, s_score: float, memo: _Memo | None) -> bool:
        """Whether a question about running a practice or small talk (an admin topic's words
        fired) still asks an ethical or relational question.

        Running a practice (money, software, notes, training, rooms, clinical knowledge) and
        small talk are not boundary questions even when they mention a client or a session.
        They are when they are clearly a boundary situation ("a client tried to tip me on top
        of her copay"), ask about a subject of the codes themselves ("the duty to warn", "a dual
        role?"), or ask about a person and still carry
        boundary evidence once the topic's own words are set aside ("can I recommend my paid
        course to my clients": a client, and money between them, once "course" is masked).
        """
        if _any_term(self._subjects_index, toks):
            return True
        # the topic's own words are no evidence of a boundary situation ("headphones" is a
        # telehealth-privacy trigger, but "best headphones for telehealth sessions" asks for kit)
        masked = self._topic_index.mask(toks)
        principles, situation, s_score, _ = self._evidence(masked, memo)
        specific = (
            situation is not None and memo is not None and memo.specific.get(tuple(masked), {}).get(situation.key)
        )
        if situation is not None and s_score >= ADMIN_SITUATION and specific:
            return True
        if not (_any_term(self._client_index, toks) or _any_term(self._people_index, toks)):
            return False
        if _any_term(self._ethics_index, toks):
            return True
        left = max(s for s, _ in principles.values())
        if left >= ADMIN_LEFT:
            return True
        near = max(self._situation_scores(masked, memo).values(), default=0.0) if memo is not None else 0.0
        # "how do I fill in the claim form" asks for a procedure, "do I have to stop seeing her" for a judgment
        judged = [t for n, t in enumerate(toks) if not (t in _MODALS and "how" in toks[max(0, n - 2) : n])]
        return _any_term(self._asks_index, judged) and (left >= ADMIN_LEFT_ASKED or near >= CLOSEST_MIN)

    def language_of(self, question: str) -> str | None:
        """The other language a question is written in, if it clearly is (None: English)."""
        words = _WORDS.findall(question.lower().replace("’", "'"))
        if len(words) < 3 or not self.catalog.language_words:
            return None
        english = sum(w in STOPWORDS for w in words)
        best, hits = None, 0
        for lang, vocab in self.catalog.language_words.items():
            n = sum(w in vocab for w in words)
            if n > hits:
                best, hits = lang, n
        if best and hits >= 2 and hits >= LANGUAGE_SHARE * len(words) and hits > english:
            return best
        # a language without a word list (Dutch, Tagalog, Hindi in Latin letters): almost
        # none of its words are English function words
        if len(words) >= OTHER_LANGUAGE_WORDS and english < OTHER_LANGUAGE_SHARE * len(words):
            return OTHER_LANGUAGE
        return None

    def _translate(self, question: str) -> str:
        tr = self.catalog.translations
        return " ".join(tr.get(w, w) for w in _WORDS.findall(question.lower().replace("’", "'")))

    def answer(self, question: str, risk: str | None = None) -> Answer:
        """The principles (and a situation card, when one clearly fits) for a question.

        `risk`: the kind of risk bot.risk found in it, if any; the principles then lead
        with the catalog's `risk_principles` for that kind (the risk card comes first)."""
        a = self._answer(question)
        lead = self.catalog.risk_principles.get(risk or "", ())
        if not lead or a.named:
            return a
        cat = self.catalog
        own = {m.key: m for m in a.principles}
        keys = lead_with(lead, [m.key for m in a.principles])
        shown = [own.get(k) or PrincipleMatch(k, 0.0, cat.fallback_why[k]) for k in keys]
        # a risk answer shows no situation card (scripts written for ordinary situations do
        # not fit a risk; bot/blocks/answers.py risk_answer_message), so the answer has none
        return dataclasses.replace(a, principles=shown, off_topic=False, situation=None, closest=())

    def _answer(self, question: str) -> Answer:
        early = self._direct(question)
        if early is not None:
            return early
        r = self.rank(question)
        if r is None:
            return Answer(question, [], None, True, language=self.language_of(question))
        cat = self.catalog
        if not r.scores:  # on-topic by its ethical wording alone: the principle most situations involve
            most_involved = self._prior[0]
            return Answer(
                question,
                [PrincipleMatch(most_involved, 0.0, cat.fallback_why[most_involved])],
                None,
                False,
                closest=r.closest,
                language=r.language,
            )
        probs = self.ranker.probabilities(r.features) if self.ranker is not None else {}
        final = combine(r.scores, probs, self.ranker_weight)
        second = combine(r.scores, probs, self.second_weight) if probs and self.second_weight is not None else None
        kept = choose(r, final, probs, self.ranker_show, second)
        matches = [PrincipleMatch(k, round(final[k], 2), r.whys.get(k) or cat.fallback_why[k]) for k in kept]
        return Answer(question, matches, r.card, False, closest=r.closest, language=r.language)

    def _direct(self, question: str) -> Answer | None:
        """The answer to a question that names a principle or a situation's title, else None."""
        cat = self.catalog
        language = self.language_of(question)
        text = self._translate(question) if language else question
        named = cat.principle_for_name(text) if len(text.split()) <= 4 else None
        if named:
            p = cat.principles[named]
            first = PrincipleMatch(named, 10.0, f"You named this principle directly. {p.summary}")
            return Answer(question, [first], None, False, named=True, language=language)
        titled = self._situation_titles.get(tuple(normalize(text, cat.synonyms)))
        if titled:  # "/boundary A client offers a small gift": the card picked from "closest situations"
            s = cat.situations[titled]
            return Answer(
                question,
                [PrincipleMatch(k, 0.0, cat.fallback_why[k]) for k in s.principles],
                s,
                False,
                language=language,
            )
        return None

    def rank(self, question: str) -> Ranking | None:
        """What the vocabulary says about an ordinary question (None: off-topic): the cue,
        situation and content scores, the card, and the ranker's features."""
        cat = self.catalog
        language = self.language_of(question)
        text = self._translate(question) if language else question
        # the words of a negated phrase ("nothing romantic", "not a gift") are no evidence
        text = mask_negated(text, self._practice_words)
        # typo fixes may only refine an answer: "reset" is one letter from "resent",
        # so an on-topic verdict needs evidence from the words as typed
        memo = _Memo()
        if not self._on_topic(text, memo):
            return None
        toks = self.tokens(text)
        evidence, situation, s_score, _ = self._evidence(toks, memo)
        sit_scores = self._situation_scores(toks, memo)
        scores = {k: sc for k, (sc, _) in evidence.items() if sc}
        whys = {k: cue.why for k, (_, cue) in evidence.items() if cue}

        if situation:
            scale = min(1.0, s_score / SITUATION_FULL)
            for rank, key in enumerate(situation.principles):
                scores[key] = scores.get(key, 0.0) + SITUATION_BONUS[rank] * scale

        # what the question's words have in common with what each principle is about
        content = self._content_scores(toks, memo)
        top_content = max(content.values())
        if self.content_weight and top_content > 0:
            # the stronger the cue evidence, the less the content signal moves it: it is
            # there for questions the cues say little about
            weight = self.content_weight
            if self.content_damp is not None and scores:
                weight *= self.content_damp / (self.content_damp + max(scores.values()))
            for k, c in content.items():
                if c > 0:
                    scores[k] = scores.get(k, 0.0) + weight * c / top_content

        # "how do I explain the limits of confidentiality": a principle named inside the
        # question is strong evidence of what it is about
        named_here = [k for k in cat.principles if k in self._name_index.fired(toks)]
        for k in named_here:
            scores[k] = scores.get(k, 0.0) + NAME_BONUS
            p = cat.principles[k]
            whys.setdefault(k, f"You ask about {p.title.lower()} by name: {p.summary[0].lower()}{p.summary[1:]}")

        # a card only when the question clearly is that situation: strong enough, and
        # clearly ahead of the next one; otherwise the closest ones, to pick from
        others = sorted((v for k, v in sit_scores.items() if not situation or k != situation.key), reverse=True)
        clear = (
            situation is not None
            and memo.specific[tuple(toks)][situation.key]
            and s_score >= self.card_threshold(len(question.split()))
            and s_score - (others[0] if others else 0.0) >= self.situation_margin
        )
        card = situation if clear else None
        closest = (
            ()
            if clear
            else tuple(
                cat.situations[k]
                for k, v in sorted(sit_scores.items(), key=lambda kv: -kv[1])[:CLOSEST_SIZE]
                if v >= CLOSEST_MIN
            )
        )
        cue_fired = self._cue_index.fired(toks)
        feats = ranker_features(
            drop_stopwords(toks),
            [f"{k}:{cat.principle_cues[k][i].label}" for k, idx in cue_fired.items() for i in idx],
            [k for k, v in sit_scores.items() if v >= CLOSEST_MIN],
            situation.key if situation else None,
        )
        return Ranking(
            scores=scores,
            whys=whys,
            keep=tuple(situation.principles) if situation else (),
            named_here=tuple(named_here),
            card=card,
            closest=closest,
            language=language,
            features=frozenset(feats),
        )

    def _content_scores(self, toks: list[str], memo: _Memo | None = None) -> dict[str, float]:
        """Raw BM25 of the question's content words against each principle's document."""
        key = tuple(toks)
        if memo is not None and key in memo.content:
            return memo.content[key]
        out = self._content.scores(drop_stopwords(toks))
        if memo is not None:
            memo.content[key] = out
        return out
