"""A small trained classifier that backs up the cue families in recognizer.py.

Hand-written cues recognise the phrasings someone thought of; on questions written by
people who had not read them, about a third of the risks went unrecognised. This model
learns from examples instead (benchmarks/data: the risk sets and ordinary questions,
see scripts/train_risk_model.py for the provenance of each file), so a risk said in
words nobody listed can still be recognised.

It is multinomial logistic regression over sparse features of the text: words, word
pairs, and character 4-grams of each word (which carry typos, inflections and words in
other languages), with words inside a negation's reach marked as negated ("denies SI"
is not "SI"; the reach ends at a clause's end: "no threats, just rage"). Risk words of
other languages also count as the English word (data/glossary.txt: "pastillas" is also
"pills"), so what the many English examples taught reaches the few in other languages.
Inference is pure Python: a dictionary of weights, no numeric library.

A long case description may bury the one sentence that matters, and every neutral
sentence around it dilutes the evidence; so the text is scored as a whole and sentence
by sentence, and the most risky reading counts. Training adds the sentences of texts
without risk as examples without risk, so that the sentence-level reading learns what
ordinary sentences look like.

The model's readings (whole text and most risky sentence) and the cue families' finding are
combined by a logistic regression with five inputs (`stack_features`, `RiskModel.stacked`),
trained on cross-validated readings (scripts/train_risk_model.py), with its own thresholds
for English and for other languages.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import unicodedata
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from bot.linear import WeightTable

WEIGHTS = Path(__file__).resolve().parent / "data" / "model.json.gz"
GLOSSARY = Path(__file__).resolve().parent / "data" / "glossary.txt"
NONE = "none"

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
# Words that put the next few words out of play ("no SI", "denies plan", "never hit her").
_NEGATORS = frozenset(
    {"no", "not", "never", "denies", "denied", "deny", "denying", "without", "nor", "none"}
    # and the same in the other languages the writers used (es, fr, de, pt, it)
    | {"nunca", "jamas", "nada", "nadie", "ningun", "ninguna", "ne", "pas", "jamais", "rien", "aucun", "aucune"}
    | {"nicht", "nie", "niemals", "kein", "keine", "keinen", "keiner", "nao", "nenhum", "nenhuma", "mai", "nessun"}
)
_NEGATION_REACH = 5
_CHAR_N = 4
# Words of other languages also count as the English word of glossary.txt.
GLOSS = True
# A question's topic words ("Can I hug a client who…") can outweigh the clause that
# carries the risk ("…who just told me she wants to die"), so clauses are read alone too.
CLAUSES = True
_CLAUSE = re.compile(r"\s*[,;:]\s*|\s+[-–—]\s+|\s+\b(?:and|but|who|because|so|since|after|when|then)\b\s+", re.I)
# A sentence shorter than this is too little to judge on its own ("Help.").
MIN_SENTENCE_TOKENS = 3


def normalise(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"\d", "0", text)


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalise(text))


# A negation's reach ends at a clause's end ("no threats, just rage": "rage" is not negated)
NEGATION_STOPS = True
_TOKEN_OR_STOP = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[.,;:!?()]|\s[-–—]\s|\b(?:but|just|only)\b")
_STOPS = frozenset({".", ",", ";", ":", "!", "?", "(", ")", "but", "just", "only"})


def _tokens_and_stops(text: str) -> list[str]:
    """The tokens, with clause ends (punctuation, dashes, "but") as "|" (not features)."""
    if not NEGATION_STOPS:
        return _tokens(text)
    out = []
    for tok in _TOKEN_OR_STOP.findall(normalise(text)):
        if tok.strip() in _STOPS or not tok.strip().isalnum() and "'" not in tok:
            out.append("|")
            if tok.strip() in ("but", "just", "only"):
                out.append(tok.strip())
        else:
            out.append(tok)
    return out


@cache
def _glossary() -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    """Other languages' risk words -> the English word (exact forms, and stems by prefix)."""
    exact: dict[str, str] = {}
    stems: list[tuple[str, str]] = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        english, forms = line.split("\t")
        for form in forms.split():
            if form.endswith("*"):
                stems.append((form[:-1], english))
            else:
                exact[form] = english
    return exact, tuple(sorted(stems, key=lambda s: -len(s[0])))


@lru_cache(maxsize=8192)  # bounded: every word of every question is asked once
def gloss(tok: str) -> str | None:
    """The English word a word of another language stands for (glossary.txt), or None.
    French elisions ("l'empeche") are read without the article."""
    exact, stems = _glossary()
    word = tok.split("'", 1)[1] if "'" in tok and tok.index("'") <= 2 else tok
    if word in exact:
        return exact[word]
    return next((english for stem, english in stems if word.startswith(stem)), None)


def features(text: str) -> set[str]:
    """The sparse features of one text (a set: presence, not counts)."""
    toks = _tokens_and_stops(text)
    out: set[str] = set()
    reach = 0
    prev = "<s>"
    for tok in toks:
        if tok == "|":
            reach = 0
            continue
        negated = reach > 0
        if tok in _NEGATORS or tok.endswith("n't"):
            reach = _NEGATION_REACH
            out.add("w:" + tok)
        else:
            reach = max(0, reach - 1)
            out.add(("n:" if negated else "w:") + tok)
            english = gloss(tok) if GLOSS else None
            if english is not None and english != tok:
                out.add(("n:" if negated else "w:") + english)
        out.add("b:" + prev + " " + tok)
        prev = tok
        if len(tok) >= _CHAR_N:
            padded = "<" + tok + ">"
            out.update("c:" + padded[i : i + _CHAR_N] for i in range(len(padded) - _CHAR_N + 1))
    return out


def _long_enough(part: str) -> bool:
    return len(_TOKEN.findall(part.lower())) >= MIN_SENTENCE_TOKENS


def segments(text: str) -> Iterator[str]:
    """The readings that are scored: the whole text, each sentence, each clause (long enough)."""
    yield text
    sentences = [p for p in _SENTENCE.split(text) if p.strip()]
    for sentence in sentences:
        if len(sentences) > 1 and _long_enough(sentence):
            yield sentence
        if CLAUSES:
            clauses = [c for c in _CLAUSE.split(sentence) if c and c.strip()]
            if len(clauses) > 1:
                yield from (c for c in clauses if _long_enough(c))


# Below this share of English words a text is read as another language. The writers' other-
# language questions were few and mostly risks, so the words of those languages carry some
# risk in the weights; such a text gets its own threshold, chosen the same way (by cross-
# validation, for the same false-alarm budget) on the other-language questions alone.
ENGLISH_SHARE = 0.5


def english_share(text: str, english: frozenset[str]) -> float:
    words = [w for w in _TOKEN.findall(normalise(text)) if not w.isdigit()]
    return sum(w in english for w in words) / len(words) if words else 1.0


# The English word list knows many words of other languages ("mi", "en", "ser", "amiga"), so a
# short Spanish question could read as English. Function words decide such a text: it is in
# another language when more of its words are function words of Spanish, French, German,
# Portuguese, Italian or Dutch (none of them an English word) than of English.
_ENGLISH_FUNCTION = frozenset(
    "a an the and or but if so of to in on at by for with from about as into than then i me my we our "
    "you your he him his she her it its they them their this that these those who what which when where "
    "why how is are was were be been being am do does did have has had will would can could should may "
    "might must not no never very just also too there here all any some".split()
)
_OTHER_FUNCTION = frozenset(
    "el la los las una que por para se le les su en mi muy pero como esta este esto cuando porque hago "
    "puedo debo tengo une et est des du mes ses elle je ne pas avec sur dans qui cette mais ou tres nous "
    "vous ce lui leur dois faire der das und ist ich mein meine nicht ein eine mit auf sie zu dem wie "
    "soll kann muss mich mir ihr ihm auch aber oder wenn noch sehr dass os em meu minha nao ele ela "
    "isso esse essa ao seu sua mas muito ainda gli della mio che nella nel alla sono anche molto questo "
    "questa ancora posso devo het een ik mijn niet moet zijn hij zij ook maar".split()
)


def is_other_language(text: str, english: frozenset[str]) -> bool:
    """Whether a text is read as another language (its own thresholds)."""
    if english_share(text, english) < ENGLISH_SHARE:
        return True
    words = _TOKEN.findall(normalise(text))
    theirs = sum(w in _OTHER_FUNCTION for w in words)
    return theirs >= 2 and theirs > sum(w in _ENGLISH_FUNCTION for w in words)


_WEIGHTS_KEY = re.compile(r'"weights"\s*:\s*\{\s*')
_WEIGHT_ROW = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:\s*\[([^\]]*)\]\s*([,}])\s*')


def _read_weights(raw: str) -> tuple[dict[str, Any], dict[str, int], array[float]]:
    """The model file's fields, and its weights as (feature -> row, float table), read
    row by row: json.load built ~27,000 lists of floats first, and the features that
    survived them were left spread over memory the collector could not give back
    (~10 MB of RSS for a 3 MB model). Same numbers as json.load (both parse with float())."""
    head = _WEIGHTS_KEY.search(raw)
    if head is None or raw[head.end()] == "}":
        data = json.loads(raw)
        weights = data.pop("weights", {})
        return data, {f: i for i, f in enumerate(weights)}, array("f", (x for r in weights.values() for x in r))
    index: dict[str, int] = {}
    table = array("f")
    pos = head.end()
    while True:
        row = _WEIGHT_ROW.match(raw, pos)
        if row is None:
            raise ValueError(f"risk model: unreadable weights at character {pos}")
        key = json.loads(f'"{row.group(1)}"') if "\\" in row.group(1) else row.group(1)
        if key in index:  # the trainer writes a dict: each feature once
            raise ValueError(f"risk model: feature {key!r} twice")
        index[key] = len(index)
        table.extend(float(x) for x in row.group(2).split(","))
        pos = row.end()
        if row.group(3) == "}":
            break
    data = json.loads(raw[: head.start()] + '"weights": {}' + raw[pos:])
    data.pop("weights")
    return data, index, table


def _logit(p: float) -> float:
    p = min(1.0 - 1e-4, max(1e-4, p))
    return math.log(p / (1.0 - p))


# A text this long or longer counts as long for the combining classifier (cue:short is 0).
LONG_TEXT_WORDS = 60


def stack_features(found: Prediction, cue: bool, look_alike: bool, words: int) -> dict[str, float]:
    """The features of the combining classifier: the model's readings of the whole text and of
    its most risky sentence or clause (as logits), whether a cue family recognised a risk, and
    how far that finding can be trusted: a cue in a text with no look-alike scope anywhere (no
    frame, joke, idiom, job, death, past clause: recognizer.looks_alike), and a cue in a short
    text, where the model has little to read and a look-alike has little room."""
    c = 1.0 if cue else 0.0
    return {
        "model:whole": _logit(found.p_whole),
        "model:max": _logit(found.p_risk),
        "cue:any": c,
        "cue:plain": c * (0.0 if look_alike else 1.0),
        "cue:short": c * (1.0 - min(LONG_TEXT_WORDS, words) / LONG_TEXT_WORDS),
    }


@dataclass(frozen=True)
class Prediction:
    kind: str | None  # the most likely kind of risk when p_risk reaches the threshold
    p_risk: float  # 1 - P(no risk), for the most risky reading
    best: str  # the most likely kind of risk for that reading (even below the threshold)
    p_whole: float = 0.0  # 1 - P(no risk) for the whole text read at once


class RiskModel:
    """The weights, the model's own thresholds (used when there is no combining classifier),
    and the combining classifier with its thresholds."""

    def __init__(
        self,
        classes: list[str],
        bias: list[float],
        weights: Mapping[str, Sequence[float]],
        threshold: float,
        threshold_other_language: float | None = None,
        stack: Mapping[str, float] | None = None,
        stack_threshold: float = 0.5,
        stack_threshold_other_language: float | None = None,
    ):
        if classes[0] != NONE:
            raise ValueError("the first class of the risk model must be 'none'")
        self.classes = classes
        self.bias = bias
        self.threshold = threshold
        self.threshold_other_language = threshold if threshold_other_language is None else threshold_other_language
        # the combining classifier (logistic regression over stack_features, "bias" included),
        # trained on cross-validated readings; None: the cue families decide alone
        self.stack = dict(stack) if stack is not None else None
        self.stack_threshold = stack_threshold
        self.stack_threshold_other_language = (
            stack_threshold if stack_threshold_other_language is None else stack_threshold_other_language
        )
        self._weights = WeightTable.of(len(classes), weights)

    @property
    def weights(self) -> dict[str, list[float]]:
        return self._weights.rows()

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> RiskModel:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            raw = fh.read()
        data, index, table = _read_weights(raw)
        other = data.get("threshold_other_language")
        model = cls(
            data["classes"],
            data["bias"],
            {},
            float(data["threshold"]),
            None if other is None else float(other),
            data.get("stack"),
            float(data.get("stack_threshold", 0.5)),
            data.get("stack_threshold_other_language"),
        )
        model._weights = WeightTable(len(model.classes), index, table)
        return model

    def other_language(self, text: str, english: frozenset[str] | None) -> bool:
        return bool(english) and is_other_language(text, english or frozenset())

    def stacked(self, features: Mapping[str, float]) -> float:
        """P(risk) from the combining classifier, given stack_features."""
        stack = self.stack or {}
        z = stack.get("bias", 0.0) + sum(stack.get(f, 0.0) * x for f, x in features.items())
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def stack_threshold_for(self, text: str, english: frozenset[str] | None) -> float:
        return self.stack_threshold_other_language if self.other_language(text, english) else self.stack_threshold

    def probabilities(self, text: str) -> list[float]:
        scores = self._weights.scores(self.bias, features(text))
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return [e / total for e in exps]

    def threshold_for(self, text: str, english: frozenset[str] | None) -> float:
        if self.other_language(text, english):
            return self.threshold_other_language
        return self.threshold

    def predict(self, text: str, english: frozenset[str] | None = None) -> Prediction:
        best_p, best_probs = -1.0, [1.0] + [0.0] * (len(self.classes) - 1)
        whole = 0.0
        for n, seg in enumerate(segments(text or "")):
            probs = self.probabilities(seg)
            if n == 0:
                whole = 1.0 - probs[0]
            if 1.0 - probs[0] > best_p:
                best_p, best_probs = 1.0 - probs[0], probs
        i = max(range(1, len(self.classes)), key=lambda k: best_probs[k])
        kind = self.classes[i]
        found = kind if best_p >= self.threshold_for(text or "", english) else None
        return Prediction(found, round(best_p, 4), kind, round(whole, 4))


@cache
def get_model() -> RiskModel:
    return RiskModel.load()
