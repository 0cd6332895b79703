"""The weights of a linear model over sparse string features, as the trained models
ship them (the risk model, bot/risk/model.py; the principle ranker,
bot/principles/ranker.py): one compact float table and an index into it (a dict of
lists of floats took 15 MB of RSS for the risk model), and the comparison their
trainers' ``--check`` makes against the shipped file."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping, Sequence


class WeightTable:
    """One row of ``width`` weights per feature."""

    def __init__(self, width: int, index: dict[str, int], table: array) -> None:
        self.width = width
        self._index = index
        self._table = table

    @classmethod
    def of(cls, width: int, rows: Mapping[str, Sequence[float]]) -> WeightTable:
        return cls(width, {f: i for i, f in enumerate(rows)}, array("f", (x for row in rows.values() for x in row)))

    def scores(self, bias: Sequence[float], feats: Iterable[str]) -> list[float]:
        """bias plus the rows of the features present (each feature counted as often as given)."""
        scores = list(bias)
        k, table, index = self.width, self._table, self._index
        for f in feats:
            i = index.get(f)
            if i is not None:
                row = i * k
                for j in range(k):
                    scores[j] += table[row + j]
        return scores

    def rows(self) -> dict[str, list[float]]:
        k = self.width
        return {f: [round(x, 6) for x in self._table[i * k : (i + 1) * k]] for f, i in self._index.items()}


def same_weights(a: dict, b: dict, tolerance: float = 2e-3) -> bool:
    """Two serialised models' classes, bias and weights equal up to the last rounded digit
    (numpy's exp may differ in its last bits between CPUs)."""
    if a["classes"] != b["classes"] or any(abs(x - y) > tolerance for x, y in zip(a["bias"], b["bias"], strict=True)):
        return False
    zero = [0.0] * len(a["classes"])
    for f in a["weights"].keys() | b["weights"].keys():
        wa, wb = a["weights"].get(f, zero), b["weights"].get(f, zero)
        if any(abs(x - y) > tolerance for x, y in zip(wa, wb, strict=True)):
            return False
    return True
