"""Every recogniser is linear in the text length: adversarial families at 10k
and 100k characters. A quadratic recogniser makes the 10x input cost ~100x; the
bound (20x) is generous for noise on a shared machine, and no absolute time is
asserted. CPU time of this process, the best of three runs at 10k."""

from __future__ import annotations

import gc
import time

import pytest

from bot.deid import Deidentifier


def _rep(unit: str):
    return lambda n: (unit * (n // len(unit) + 1))[:n]


FAMILIES = {
    "hyphenated capitals": _rep("A-"),
    "hyphenated names": _rep("Ann-"),
    "capitals and apostrophes": _rep("O'"),
    "repeated full names": _rep("Sarah Johnson "),
    "names one per line": _rep("Sarah\n"),
    "long digit run": lambda n: "1" * n,
    "digit groups": _rep("12 "),
    "runs of initials": _rep("A. "),
    "all-caps words": _rep("AB "),
    "long whitespace": lambda n: "x" + " " * (n - 2) + "y",
    "long newlines": lambda n: "x" + "\n" * (n - 2) + "y",
    "closing lines": _rep("Cheers,\n"),
    "initials lines": _rep("ok.\nMJ\n"),
    "churches in a row": _rep("St Mary's Catholic Church "),
    "regions and names": _rep("New South Wales Sarah "),
    "contacts": _rep("a@b.co @hand_le1 555-0142 "),
}


@pytest.fixture(scope="module")
def engine() -> Deidentifier:
    e = Deidentifier()
    e.redact("warm-up: my client Sam, 34, in Boise on 3/4.")
    return e


def _cpu(engine: Deidentifier, text: str) -> float:
    # The garbage collector's full passes scan every live object, so their cost grows
    # faster than the text when a long input allocates many objects, whatever the
    # recognisers do: collected before and paused during the run, it measures only them.
    gc.collect()
    gc.disable()
    try:
        t0 = time.process_time()
        engine.redact(text)
        return time.process_time() - t0
    finally:
        gc.enable()


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_growth_is_linear(engine, family):
    make = FAMILIES[family]
    small, big = make(10_000), make(100_000)
    assert len(small) == 10_000 and len(big) == 100_000
    t_small = min(_cpu(engine, small) for _ in range(3))
    t_big = _cpu(engine, big)
    assert t_big / max(t_small, 1e-4) < 20, f"{family}: {t_small:.3f}s at 10k, {t_big:.3f}s at 100k"
