"""Recognises a risk that needs action now in a practitioner's words.

The mechanism (the vocabulary is data, in bot/risk/data/cues.yaml):

1. the text is accent-stripped, lower-cased for most cues (a few shorthand cues such as
   "SI" and "OD" are read case-sensitively), and words that are not English are pulled
   to the nearest risk keyword ("sucidal" -> "suicidal");
2. it is cut into sentences and each sentence into clauses;
3. cue families (each of one kind, with a weight) are matched inside each clause, and a
   match is dead when it is negated in its clause (NegEx-style window, with pseudo-
   negations such as "not sure" that keep the risk), when its clause speaks of the past
   without a present marker, when it lies in a masked span (idiom, joke, a job in child
   protection, a death by suicide that has happened), or when its sentence is framed as
   training, research, an exam, fiction or a game;
4. a kind is recognised when its live families' weights reach 1.0 (combo-only kinds,
   like "crisis now", need one strong family or a combination such as drunk + driving);
5. the first recognised kind in PRIORITY is the one reported by the cue families;
6. the trained model (bot/risk/model.py) reads the text too: cues were written for the
   phrasings someone thought of, and on text nobody here wrote they missed most risks,
   which the model, trained on many writers' examples, finds;
7. a small combining classifier (model.py, `RiskModel.stacked`) weighs the model's readings
   (whole text, most risky sentence) and whether a cue family fired (and whether in a short
   text, and in one with no look-alike scope anywhere), and decides. On files
   the cues were not written against, half of their findings were look-alikes (a past
   attempt, an idiom, a film about suicide) that the model reads rightly, and "cue or
   model" summed the false alarms of both; so a cue's finding is evidence, not a verdict.
   A risk's kind is the cue families' when they recognised one, else the model's (reported
   with the cue family name "model"). A weights file without a combining classifier falls
   back to "cues, else the model".

Free of Slack and of the rest of the app: `assess(text)` and `assess_many(texts)`.
"""

from __future__ import annotations

import difflib
import gzip
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, cast

import yaml

from .model import RiskModel, get_model, stack_features

DATA = Path(__file__).resolve().parent / "data" / "cues.yaml"
ENGLISH = Path(__file__).resolve().parent.parent / "deid" / "data" / "english_words.txt.gz"
CLOSE_CACHE_SIZE = 4096  # words whose closest cue word is remembered

KINDS = ("self_harm", "harm_to_others", "abuse_neglect", "crisis_now", "threat_to_practitioner")
# When several kinds are recognised, the one to lead with: danger now first, then a
# threat to the practitioner, then harm to a third party, abuse, and self-harm.
PRIORITY = ("crisis_now", "threat_to_practitioner", "harm_to_others", "abuse_neglect", "self_harm")
# Kinds recognised only from one strong family or a combination (see cues.yaml combos):
# their weak families ("drunk", "driving", "right now") mean nothing alone or summed.
COMBO_ONLY = frozenset({"crisis_now"})
THRESHOLD = 1.0
TYPO_CUTOFF = 0.8
TYPO_MIN_LEN = 3
MODEL_FAMILY = "model"

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_CLAUSE = re.compile(
    r"\s*;\s*|\s+[—–]\s+|\s+-\s+|,?\s+\b(?:but|however|although|though|whereas|yet|except that|and now|and since then)\b\s+",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z][a-z'-]*")
_LIST_WORDS = frozenset({"or", "and", "any", "nor", "/", "&", "either", "current", "active", "passive"})
_NEG_STOP = re.compile(r",|;|\b(?:because|who|which|so that|although|while|whereas)\b")


@dataclass(frozen=True)
class Cue:
    family: str
    kind: str
    text: str


@dataclass(frozen=True)
class RiskAssessment:
    kind: str | None
    kinds: tuple[str, ...] = ()
    cues: tuple[Cue, ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return self.kind is not None


@dataclass(frozen=True)
class _Family:
    name: str
    kind: str
    weight: float
    patterns: tuple[re.Pattern[str], ...]
    case_sensitive: bool


_QUOTE = re.compile(r"(?<![\w])['\"“”]+|['\"“”]+(?![\w])")


def strip_accents(s: str) -> str:
    s = s.replace("’", "'").replace("‘", "'").replace("ß", "ss")
    # quote marks around words ("he'd 'take a few with him'") are not apostrophes: drop them
    s = re.sub(r"[ \t]{2,}", " ", _QUOTE.sub(" ", s))
    if s.isascii():
        return s
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


# A cue starts at a word boundary, or at an apostrophe ("she'll", "he'd" start a cue at "'ll").
_START = r"(?:(?<![\w])|(?='))"


def _alt(patterns: Iterable[str]) -> re.Pattern[str]:
    return re.compile(_START + r"(?:" + "|".join(f"(?:{p})" for p in patterns) + r")(?![\w])")


class Recognizer:
    def __init__(self, data: dict[str, Any], english: frozenset[str] = frozenset(), model: RiskModel | None = None):
        self.model = model
        macros = data.get("macros") or {}

        def expand(p: str) -> str:
            for _ in range(3):
                p = re.sub(r"\{([A-Z]+)\}", lambda m: macros.get(m.group(1), m.group(0)), p)
            return p

        self.families: list[_Family] = []
        for f in data["families"]:
            if f["kind"] not in KINDS:
                raise ValueError(f"cues.yaml: unknown kind {f['kind']!r} in {f['name']}")
            cs = bool(f.get("case_sensitive"))
            pats = tuple(
                re.compile(_START + r"(?:" + expand(p) + r")(?![\w])", 0 if cs else re.IGNORECASE)
                for p in f["patterns"]
            )
            self.families.append(_Family(f["name"], f["kind"], float(f.get("weight", 1.0)), pats, cs))
        names = {f.name for f in self.families}
        self.combos = []
        for c in data.get("combos") or []:
            missing = set(c["all"]) - names
            if missing:
                raise ValueError(f"cues.yaml: combo names unknown families {sorted(missing)}")
            self.combos.append((c["kind"], tuple(c["all"]), float(c.get("weight", 1.0)), tuple(c.get("unless") or ())))
        self.clause_combos = [
            (c["kind"], tuple(c["all"]), float(c.get("weight", 1.0))) for c in data.get("clause_combos") or []
        ]
        neg = data["negation"]
        self.neg_window = int(neg.get("window", 4))
        self.neg_before = _alt(neg["before"])
        self.neg_pseudo = _alt(neg["pseudo"])
        self.neg_after = _alt(neg["after"])
        self.past = _alt(data["temporal"]["past"])
        self.present = _alt(data["temporal"]["present"])
        masks = data["masks"]
        self.clause_masks = [_alt([expand(p) for p in masks[k]]) for k in ("idiom", "job", "completed_death")]
        self.joke = _alt(masks["joke"])
        self.joke_override = _alt(data.get("joke_overrides") or ["(?!x)x"])
        self.frames = _alt(data["frames"])
        self.general_frames = _alt(data.get("general_frames") or ["(?!x)x"])
        self.anchors = _alt(data["anchors"])
        self.keywords = [k.lower() for k in data.get("keywords") or []]
        self.english = english

    # ---- text ---------------------------------------------------------------
    def _correct(self, clause: str) -> str:
        """Pulls non-English words to the nearest risk keyword (typos)."""
        if not self.keywords:
            return clause

        def fix(m: re.Match[str]) -> str:
            w = m.group(0)
            if len(w) < TYPO_MIN_LEN or w in self.english or w in self.keywords or "'" in w:
                return w
            close = _close(w, tuple(self.keywords))
            return close or w

        return _WORD.sub(fix, clause)

    def _spans(self, pattern: re.Pattern[str], s: str) -> list[tuple[int, int]]:
        return [m.span() for m in pattern.finditer(s)]

    def _negated(self, s: str, start: int, end: int) -> bool:
        before = s[:start]
        cut = list(_NEG_STOP.finditer(before))
        if cut:
            before = before[cut[-1].end() :]
        pseudo = self._spans(self.neg_pseudo, s)
        # the window counts content words only: a negation reaches across a list
        # ("denies any self-harm or suicidal ideation")
        words = list(re.finditer(r"\S+", before))
        lo, n = len(before), 0
        for w in reversed(words):
            lo = w.start()
            if w.group(0).strip(",/") not in _LIST_WORDS:
                n += 1
            if n >= self.neg_window:
                break
        offset = start - len(before)
        for m in self.neg_before.finditer(before, lo):
            a, b = m.start() + offset, m.end() + offset
            if not any(pa <= a and b <= pb for pa, pb in pseudo):
                return True
        after = s[end:]
        gap = re.match(r"\s*[:=]?\s*", after)
        rest = after[gap.end() if gap else 0 :]
        negated = self.neg_after.match(rest)
        return bool(
            negated
            and rest[: negated.end()].strip()
            and re.match(r"[\s.,;)]|$", rest[negated.end() : negated.end() + 1] or "")
        )

    # ---- assessment ---------------------------------------------------------
    def assess(self, text: str) -> RiskAssessment:
        raw = strip_accents(text or "")
        kinds, cues, _ = self._cue_pass(raw)
        if self.model is None:
            return RiskAssessment(kinds[0] if kinds else None, kinds, cues)
        found = self.model.predict(raw, self.english)
        if self.model.stack is None:
            # the cue families decide, and the model reads only what none of them recognised
            if kinds or not found.kind:
                return RiskAssessment(kinds[0] if kinds else None, kinds, cues)
            return RiskAssessment(found.kind, (found.kind,), (*cues, Cue(MODEL_FAMILY, found.kind, "")))
        # a cue's finding is evidence, not a verdict: on text the cue families were not
        # written against, half their findings were look-alikes the model reads rightly
        features = stack_features(found, bool(kinds), bool(kinds) and self.looks_alike(raw), len(raw.split()))
        if self.model.stacked(features) < self.model.stack_threshold_for(raw, self.english):
            return RiskAssessment(None, (), cues)
        if kinds:
            return RiskAssessment(kinds[0], kinds, cues)
        return RiskAssessment(found.best, (found.best,), (*cues, Cue(MODEL_FAMILY, found.best, "")))

    def looks_alike(self, raw: str) -> bool:
        """Whether a look-alike scope stands anywhere in the text (a frame, a joke, an idiom,
        a job, a death, a clause in the past), whether or not a cue lay inside it."""
        low = raw.lower()
        if self.frames.search(low) or self.general_frames.search(low) or self.joke.search(low):
            return True
        if any(mask.search(low) for mask in self.clause_masks):
            return True
        clauses = (c.lower() for sentence in _SENTENCE.split(raw) for c in _CLAUSE.split(sentence) if c and c.strip())
        return any(self.past.search(c) and not self.present.search(c) for c in clauses)

    def cue_assess(self, text: str) -> RiskAssessment:
        """The cue families alone, whatever the model says."""
        kinds, cues, _ = self._cue_pass(strip_accents(text or ""))
        return RiskAssessment(kinds[0] if kinds else None, kinds, cues)

    def _cue_pass(self, raw: str) -> tuple[tuple[str, ...], tuple[Cue, ...], dict[str, float]]:
        fired: dict[str, tuple[_Family, str]] = {}
        framed = False
        low_raw = raw.lower()
        if self.frames.search(low_raw) and not self.anchors.search(low_raw):
            # a frame anywhere ("asking for my study group") and no real client anywhere
            return (), (), {}
        for sentence in (s for s in _SENTENCE.split(raw) if s.strip()):
            low_sentence = sentence.lower()
            anchored = bool(self.anchors.search(low_sentence))
            frame = self.frames.search(low_sentence)
            general = self.general_frames.search(low_sentence)
            if frame:
                framed = True
            elif anchored:
                framed = False
            if framed or (general and not anchored):
                continue
            joking = bool(self.joke.search(low_sentence)) and not self.joke_override.search(low_sentence)
            for clause in (c for c in _CLAUSE.split(sentence) if c and c.strip()):
                self._clause(clause, joking, fired)
        live = {name for name in fired}
        scores: dict[str, float] = {}
        for fam, _ in fired.values():
            if fam.name.startswith("clause:"):
                scores[fam.kind] = max(scores.get(fam.kind, 0.0), fam.weight)
            elif fam.kind in COMBO_ONLY:
                scores[fam.kind] = max(scores.get(fam.kind, 0.0), fam.weight)
            else:
                scores[fam.kind] = scores.get(fam.kind, 0.0) + fam.weight
        # a combo that `unless` names a kind yields to it: injuries on a young person who
        # cuts herself are self-harm, not abuse, when only the combo would call them abuse
        direct = {k for k, v in scores.items() if v >= THRESHOLD - 1e-9}
        for kind, needs, weight, unless in self.combos:
            if all(n in live for n in needs) and not (set(unless) & direct):
                scores[kind] = max(scores.get(kind, 0.0), weight)
        kinds = tuple(k for k in PRIORITY if scores.get(k, 0.0) >= THRESHOLD - 1e-9)
        cues = tuple(Cue(f.name, f.kind, t) for f, t in fired.values())
        return kinds, cues, scores

    def _clause(self, clause: str, joking: bool, fired: dict[str, tuple[_Family, str]]) -> None:
        low = self._correct(clause.lower())
        if joking:
            return
        past = bool(self.past.search(low)) and not self.present.search(low)
        if past:
            return
        plain = clause.lower()
        masked = [span for mask in self.clause_masks for span in self._spans(mask, low)]
        masked_plain = [span for mask in self.clause_masks for span in self._spans(mask, plain)]
        here: set[str] = set()
        for fam in self.families:
            if fam.name in fired and fam.weight > 0:
                continue
            s = clause if fam.case_sensitive else low
            spans = masked_plain if fam.case_sensitive else masked
            for pat in fam.patterns:
                hit = None
                for m in pat.finditer(s):
                    a, b = m.span()
                    if any(ma < b and a < mb for ma, mb in spans):
                        continue
                    if self._negated(plain if fam.case_sensitive else low, a, b):
                        continue
                    hit = m.group(0)
                    break
                if hit is not None:
                    here.add(fam.name)
                    fired.setdefault(fam.name, (fam, hit))
                    break
        for kind, needs, weight in self.clause_combos:
            if all(n in here for n in needs):
                name = "clause:" + "+".join(needs)
                fired.setdefault(name, (_Family(name, kind, weight, (), False), clause.strip()[:80]))

    def assess_many(self, texts: Iterable[str | None]) -> RiskAssessment:
        """Several answers: read together (a drink in one, a drive in another), and each alone,
        since each answer is a text of its own: the combining classifier weighs the whole
        text, and a calm answer beside a risky one must not dilute it. The first risk found in
        PRIORITY wins."""
        parts = [t for t in texts if t]
        together = self.assess("\n".join(parts))
        if together or len(parts) < 2:
            return together
        found = [a for a in (self.assess(t) for t in parts) if a]
        return min(found, key=lambda a: PRIORITY.index(a.kind or ""), default=together)


@lru_cache(maxsize=CLOSE_CACHE_SIZE)  # bounded: every never-seen word of every question is asked once
def _close(word: str, keywords: tuple[str, ...]) -> str | None:
    found = difflib.get_close_matches(word, keywords, n=1, cutoff=TYPO_CUTOFF)
    return found[0] if found else None


@cache
def _english() -> frozenset[str]:
    """The English word list (only membership is asked). The de-identifier holds the same
    list as a memory-mapped trie (bot/deid/wordset.py, built from ENGLISH): shared, not
    held a second time as a frozenset (4 MB of RSS)."""
    from bot.deid.wordset import load_words, trie_path

    if not trie_path("english_words").exists():
        with gzip.open(ENGLISH, "rt", encoding="utf-8") as fh:
            return frozenset(w for w in fh.read().split("\n") if w)
    return cast(frozenset[str], load_words("english_words"))


def _cues() -> Any:
    # libyaml's safe loader when PyYAML has it (same result, ~10x faster than the pure-Python one)
    return yaml.load(DATA.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506


@cache
def cue_recognizer() -> Recognizer:
    """The cue families alone, without the model (for training and measuring the model)."""
    return Recognizer(_cues(), _english())


@cache
def get_recognizer() -> Recognizer:
    return Recognizer(_cues(), _english(), get_model())


def assess(text: str) -> RiskAssessment:
    return get_recognizer().assess(text)


def assess_many(texts: Iterable[str | None]) -> RiskAssessment:
    return get_recognizer().assess_many(texts)
