"""A small trained ranker beside the cue vocabulary: which principles a question involves.

The cues in prompts/principles.yaml score the wordings someone listed. On question sets
written by people who had not read them, the first principle was right about three times
in four and about a third of the principles the writers named went unshown. This model
learns from those labelled questions instead (scripts/train_ask_ranker.py lists them):
one logistic regression per principle over the question's stemmed words (negated words
masked, shorthand expanded, typos fixed: the matcher's own tokens), its word pairs, and
which cues and situation triggers fired. The last two let it learn how far each cue is
to be trusted, so it refines the vocabulary rather than replacing it.

Its probability is added to the matcher's score (matcher.py RANKER_WEIGHT) and decides
whether a second and a third principle are shown (RANKER_SHOW); both chosen by
leave-one-file-out cross-validation in the training script.

Inference is pure Python: a dictionary of weights, one sigmoid per principle.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from bot.linear import WeightTable

WEIGHTS = Path(__file__).resolve().parent / "data" / "ranker.json.gz"


def features(
    words: Sequence[str], cues: Iterable[str] = (), situations: Iterable[str] = (), top_situation: str | None = None
) -> set[str]:
    """Sparse features: content words (stopwords already dropped), adjacent pairs, fired cues and triggers."""
    out = {"w:" + w for w in words}
    out.update(f"b:{a} {b}" for a, b in zip(words, words[1:], strict=False))
    out.update("c:" + c for c in cues)
    out.update("s:" + s for s in situations)
    if top_situation:
        out.add("t:" + top_situation)
    return out


class Ranker:
    def __init__(self, classes: list[str], bias: list[float], weights: Mapping[str, Sequence[float]]) -> None:
        self.classes = classes
        self.bias = bias
        self._weights = WeightTable.of(len(classes), weights)

    @property
    def weights(self) -> dict[str, list[float]]:
        return self._weights.rows()

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> Ranker:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
        return cls(data["classes"], data["bias"], data["weights"])

    def probabilities(self, feats: Iterable[str]) -> dict[str, float]:
        """principle -> probability that the question involves it (independent per principle)."""
        scores = self._weights.scores(self.bias, feats)
        return {c: 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, s)))) for c, s in zip(self.classes, scores, strict=True)}
