"""Trains the principle ranker (bot/principles/ranker.py) and writes bot/principles/data/ranker.json.gz.

    .venv/bin/python scripts/train_ask_ranker.py            # train and write
    .venv/bin/python scripts/train_ask_ranker.py --cv       # also leave-one-file-out figures and the knobs' choice
    .venv/bin/python scripts/train_ask_ranker.py --check    # exit 1 unless the shipped weights are what this trains

Deterministic: full-batch gradient descent (Adam) in float64 from zero weights, no random
state, so the same data gives the same file (tests/principles/test_ranker.py runs --check).
numpy is needed here only (requirements-dev.txt); the app reads the weights in pure Python.

Data (every line {"q", "principles": [gold keys, primary first]}; lines with no principles
are off-topic and not used, nor are questions the matcher answers without ranking — a
principle's or a situation's name, or off-topic):
- benchmarks/data/questions_{dev,extra,blind}.jsonl: the first annotated sets;
- benchmarks/data/blind_questions_{plain,risk}_a.jsonl, blind_questions_plain_c_read.jsonl and
  blind_questions_risk_e_read.jsonl: the read halves of the blind sets;
- benchmarks/data/blind_questions_{plain_d,risk_f}_read.jsonl: the read halves of the blind sets of
  2026-12-06 (written by helpers who never saw the engine; their _held halves were never read), and
  benchmarks/data/train_questions_g.jsonl: a training set of 260 (about 50 off-topic) by another such
  writer, given for training (copied from the blind-set drop of that day, unchanged);
- tests/principles/data/questions_own.jsonl: wordings written for the tests.
Never used: any *_b or *_d held-out set, anything under blind_new except its read/ halves.

--cv: for each file, a ranker trained on the other files ranks its questions; over those
predictions it prints, for each choice of RANKER_WEIGHT (how much the ranker's probability
adds to the vocabulary's score) and RANKER_SHOW (the probability at which a principle is
shown without a cue), top-1, recall@3 and the mean number shown, and the best choice for
top-1 + recall@3. A file's questions are all by one writer, so this is the honest measure
of how the ranker does on wordings it never saw.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from linear_fit import adam_step, kept_rows  # noqa: E402  (scripts/, beside this file)

from bot.linear import same_weights  # noqa: E402
from bot.principles import get_catalog  # noqa: E402
from bot.principles.catalog import PRINCIPLE_KEYS  # noqa: E402
from bot.principles.matcher import (  # noqa: E402
    RANKER_SHOW,
    RANKER_WEIGHT,
    SECOND_WEIGHT,
    Matcher,
    Ranking,
    choose,
    combine,
    lead_with,
)
from bot.principles.ranker import WEIGHTS, Ranker  # noqa: E402
from bot.risk import assess  # noqa: E402

SOURCES = (
    "benchmarks/data/questions_dev.jsonl",
    "benchmarks/data/questions_extra.jsonl",
    "benchmarks/data/questions_blind.jsonl",
    "benchmarks/data/blind_questions_plain_a.jsonl",
    "benchmarks/data/blind_questions_risk_a.jsonl",
    "benchmarks/data/blind_questions_plain_c_read.jsonl",
    "benchmarks/data/blind_questions_risk_e_read.jsonl",
    "benchmarks/data/blind_questions_plain_d_read.jsonl",
    "benchmarks/data/blind_questions_risk_f_read.jsonl",
    "benchmarks/data/train_questions_g.jsonl",
    "tests/principles/data/questions_own.jsonl",
)
CLASSES = list(PRINCIPLE_KEYS)
MIN_COUNT = 2  # a feature seen once is a fact about one sentence, not a pattern
L2 = 3e-3
STEPS = 300
LEARNING_RATE = 0.05
DECIMALS = 4
PRUNE = 0.01
CV_WEIGHTS = (0.0, 0.1, 0.15, 0.25, 0.5, 1.0, 2.0, 4.0)
CV_SHOW = (None, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7)


def load_rows() -> list[tuple[str, list[str], str]]:
    rows = []
    for name in SOURCES:
        for line in (REPO / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                rows.append((r["q"], list(r["principles"]), Path(name).name))
    return rows


def rankings(matcher: Matcher, rows: list[tuple[str, list[str], str]]) -> list[Ranking | None]:
    """The matcher's ranking of every row that it ranks (None: answered without ranking)."""
    out: list[Ranking | None] = []
    for q, _, _ in rows:
        out.append(None if matcher._direct(q) is not None else matcher.rank(q))
    return out


def fit(examples: list[tuple[frozenset[str], list[str]]]) -> Ranker:
    l2 = L2
    counts = Counter(f for fs, _ in examples for f in fs)
    vocab = sorted(f for f, n in counts.items() if n >= MIN_COUNT)
    index = {f: i for i, f in enumerate(vocab)}
    n, d, k = len(examples), len(vocab), len(CLASSES)
    x = np.zeros((n, d))
    for r, (fs, _) in enumerate(examples):
        for f in fs:
            if f in index:
                x[r, index[f]] = 1.0
    y = np.array([[1.0 if c in gold else 0.0 for c in CLASSES] for _, gold in examples])
    w = np.zeros((d, k))
    b = np.zeros(k)
    m_w, v_w, m_b, v_b = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
    for step in range(1, STEPS + 1):
        p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
        g = (p - y) / n
        g_w = x.T @ g + l2 * w
        g_b = g.sum(axis=0)
        for param, grad, m, v in ((w, g_w, m_w, v_w), (b, g_b, m_b, v_b)):
            adam_step(param, grad, m, v, step, LEARNING_RATE)
    return Ranker(CLASSES, [round(float(v), DECIMALS) for v in b], kept_rows(index, w, DECIMALS, PRUNE))


def examples_of(rows: list[tuple[str, list[str], str]], ranks: list[Ranking | None], skip: str | None = None):
    return [
        (r.features, gold)
        for (_, gold, src), r in zip(rows, ranks, strict=True)
        if r is not None and gold and src != skip
    ]


def figures(golds: list[list[str]], preds: list[list[str]]) -> dict[str, float]:
    """As shared/tools/ask_score.py, on-topic questions only."""
    on = top1 = prim = gk = found = shown = 0
    for want, p in zip(golds, preds, strict=True):
        if not want:
            continue
        on += 1
        top1 += bool(p) and p[0] in want
        prim += bool(p) and p[0] == want[0]
        gk += len(want)
        found += len(set(want) & set(p[:3]))
        shown += len(p)
    return {
        "top1": round(top1 / max(1, on), 4),
        "primary_top1": round(prim / max(1, on), 4),
        "set_recall_at3": round(found / max(1, gk), 4),
        "shown": round(shown / max(1, on), 2),
    }


def predict(matcher: Matcher, q: str, r: Ranking | None, probs: dict[str, float], weight: float, show: float | None):
    """What Matcher.answer(q, risk=...) shows, with the given ranker probabilities and knobs."""
    if r is None or not r.scores:
        keys = [m.key for m in matcher._answer(q).principles]
    else:
        second = combine(r.scores, probs, SECOND_WEIGHT) if probs and SECOND_WEIGHT is not None else None
        keys = choose(r, combine(r.scores, probs, weight), probs, show if probs else None, second)
    lead = matcher.catalog.risk_principles.get(assess(q).kind or "", ())
    return lead_with(lead, keys) if lead and not matcher._direct(q) else keys


def cross_validate(matcher: Matcher, rows, ranks) -> tuple[float, float | None]:
    probs: list[dict[str, float]] = [{} for _ in rows]
    for name in sorted({s for *_, s in rows}):
        model = fit(examples_of(rows, ranks, skip=name))
        for i, ((_, _, src), r) in enumerate(zip(rows, ranks, strict=True)):
            if src == name and r is not None:
                probs[i] = model.probabilities(r.features)
    golds = [g for _, g, _ in rows]
    results = {}
    for weight in CV_WEIGHTS:
        for show in CV_SHOW:
            preds = [
                predict(matcher, q, r, p if weight or show is not None else {}, weight, show)
                for (q, _, _), r, p in zip(rows, ranks, probs, strict=True)
            ]
            results[weight, show] = (figures(golds, preds), preds)
    print(f"leave-one-file-out over {len(rows)} questions from {len(SOURCES)} files")
    print(f"  {'weight':>6} {'show':>5}  top1   primary  recall@3  shown")
    for (weight, show), (f, _) in results.items():
        print(
            f"  {weight:>6} {show!s:>5}  {f['top1']:.3f}  {f['primary_top1']:.3f}    {f['set_recall_at3']:.3f}"
            f"     {f['shown']}"
        )
    best = max(results, key=lambda k: (results[k][0]["top1"] + results[k][0]["set_recall_at3"], -k[0]))
    print(f"best for top-1 + recall@3: weight {best[0]}, show {best[1]}; shipped: {RANKER_WEIGHT}, {RANKER_SHOW}")
    for key, label in ((None, "vocabulary alone"), (best, "best"), ((RANKER_WEIGHT, RANKER_SHOW), "shipped")):
        print(f"  per file, {label}:")
        preds = results[key][1] if key else results[0.0, None][1]
        for name in sorted({s for *_, s in rows}):
            idx = [i for i, (*_, s) in enumerate(rows) if s == name]
            f = figures([golds[i] for i in idx], [preds[i] for i in idx])
            print(
                f"    {name:34s} top1 {f['top1']:.3f}  primary {f['primary_top1']:.3f}  recall@3 {f['set_recall_at3']:.3f}"
            )
    return best


def serialise(model: Ranker) -> bytes:
    data = {
        "classes": model.classes,
        "bias": model.bias,
        "sources": list(SOURCES),
        "weights": {f: [round(x, DECIMALS) for x in v] for f, v in sorted(model.weights.items())},
    }
    raw = json.dumps(data, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return gzip.compress(raw, compresslevel=9, mtime=0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cv", action="store_true", help="print leave-one-file-out figures")
    ap.add_argument("--check", action="store_true", help="compare with the shipped weights instead of writing")
    args = ap.parse_args()
    matcher = Matcher(get_catalog())  # the vocabulary alone: the ranker's features do not depend on it
    rows = load_rows()
    ranks = rankings(matcher, rows)
    if args.cv:
        cross_validate(matcher, rows, ranks)
    blob = serialise(fit(examples_of(rows, ranks)))
    if args.check:
        same = WEIGHTS.exists() and same_weights(
            json.loads(gzip.decompress(WEIGHTS.read_bytes())), json.loads(gzip.decompress(blob))
        )
        print("the shipped weights are what this script trains" if same else "the shipped weights differ: retrain")
        return 0 if same else 1
    WEIGHTS.parent.mkdir(exist_ok=True)
    WEIGHTS.write_bytes(blob)
    print(f"wrote {WEIGHTS.relative_to(REPO)} ({len(blob) // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
