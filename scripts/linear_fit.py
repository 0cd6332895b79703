"""What the trainers of the shipped linear models (scripts/train_risk_model.py,
scripts/train_ask_ranker.py) share: the full-batch Adam step and the rounded, pruned
weight rows they write (bot/linear.py reads them)."""

from __future__ import annotations

import numpy as np


def adam_step(param: np.ndarray, grad: np.ndarray, m: np.ndarray, v: np.ndarray, step: int, rate: float) -> None:
    """One Adam update of ``param`` in place (moments ``m``, ``v`` too); deterministic."""
    m *= 0.9
    m += 0.1 * grad
    v *= 0.999
    v += 0.001 * grad * grad
    param -= rate * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)


def kept_rows(index: dict[str, int], w: np.ndarray, decimals: int, prune: float) -> dict[str, list[float]]:
    """Each feature's row, rounded; a row whose every weight rounds below ``prune`` is left out."""
    rows = {}
    for f, i in index.items():
        vec = [round(float(x), decimals) for x in w[i]]
        if max(abs(x) for x in vec) >= prune:
            rows[f] = vec
    return rows
