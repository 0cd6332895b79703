"""Trains the risk model (bot/risk/model.py) and writes bot/risk/data/model.json.gz.

    .venv/bin/python scripts/train_risk_model.py            # train, choose the threshold, write
    .venv/bin/python scripts/train_risk_model.py --cv       # also print leave-one-file-out figures
    .venv/bin/python scripts/train_risk_model.py --check    # exit 1 unless the shipped weights are what this trains

--check refits the final model only (a few seconds) and keeps the shipped threshold, which
the full run chose by cross-validation (about a minute).

Deterministic: full-batch gradient descent (Adam) in float64 from zero weights, no random
state, so the same data gives the same file (the test suite checks it with --check).
numpy is needed here only (requirements-dev.txt); the app reads the weights in pure Python.

Data provenance (all in benchmarks/data, every line a question with `risk` = a kind or null;
a line without `risk` is an ordinary boundary question, no risk):
- risk_dev*.jsonl: risk questions and look-alikes written by helpers for earlier rounds of
  the cue families (bot/risk/data/cues.yaml);
- blind_questions_{risk,plain}_a.jsonl: the read halves of the first blind sets;
- questions_{dev,extra,blind}.jsonl: ordinary boundary questions (no risk);
- risk_train_*.jsonl: training sets written blind for this model (short/chat/non-US and
  long/formal/narrative), by writers who had not read the engine.
Never used: any *_b or *_c/*_d held-out or evaluation set (blind_questions_risk_c.jsonl is
the read evaluation set, blind_questions_*_b and *_d are kept unread).

A risk is recognised when a cue family fires, or, when none does, when the model's
probability reaches the threshold.

The threshold is chosen on leave-one-file-out predictions (each file scored by a model that
never saw it): the lowest probability at which at most TARGET_FALSE_ALARMS of the files'
no-risk questions would alarm, so that recall is as high as that budget allows.
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

from bot.risk.model import ENGLISH_SHARE, NONE, WEIGHTS, RiskModel, english_share, features, segments  # noqa: E402
from bot.risk.recognizer import KINDS, _english  # noqa: E402

DATA = REPO / "benchmarks" / "data"
SOURCES = (
    sorted(p.name for p in DATA.glob("risk_dev*.jsonl"))
    + ["blind_questions_risk_a.jsonl", "blind_questions_plain_a.jsonl"]
    + ["questions_dev.jsonl", "questions_extra.jsonl", "questions_blind.jsonl"]
    + sorted(p.name for p in DATA.glob("risk_train_*.jsonl"))
)
CLASSES = [NONE, *KINDS]
MIN_COUNT = 2  # a feature seen once is a fact about one sentence, not a pattern
L2 = 1e-4
STEPS = 400
LEARNING_RATE = 0.05
# Sentences of no-risk texts, added as no-risk examples, count for less than whole texts.
SENTENCE_WEIGHT = 0.5
TARGET_FALSE_ALARMS = 0.05
DECIMALS = 4
# weights this small change no prediction on the read evaluation set and took a third of the file
PRUNE = 0.02


def load(names: list[str]) -> list[tuple[str, str, str]]:
    """(text, class, source file) for every line of the named files."""
    return [(text, label, src) for text, label, src, _ in load_with_language(names)]


def load_with_language(names: list[str]) -> list[tuple[str, str, str, str]]:
    rows = []
    for name in names:
        path = DATA / name
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                rows.append((r["q"], r.get("risk") or NONE, name, r.get("lang") or "en"))
    return rows


def language_weights(rows: list[tuple[str, str, str]]) -> list[float]:
    """Per-row weights that make a language say nothing about risk.

    The writers put more risk than calm questions in other languages, so unweighted, the
    words of a language (Spanish "cliente", "quiere") became evidence of risk, and a plain
    Spanish question about a friend request raised an alarm. Within each language other than
    English, the risk and the no-risk questions get equal total weight."""
    langs = {(text, src): lang for text, _, src, lang in load_with_language(sorted({s for *_, s in rows}))}
    groups = Counter((langs.get((t, s), "en"), label != NONE) for t, label, s in rows)
    out = []
    for text, label, src in rows:
        lang = langs.get((text, src), "en")
        if lang == "en":
            out.append(1.0)
            continue
        risky, calm = groups[(lang, True)], groups[(lang, False)]
        mine = risky if label != NONE else calm
        out.append((risky + calm) / (2 * mine) if risky and calm else 1.0)
    return out


def examples(rows: list[tuple[str, str, str]]) -> list[tuple[set[str], int, float]]:
    out = []
    for (text, label, _), weight in zip(rows, language_weights(rows), strict=True):
        out.append((features(text), CLASSES.index(label), weight))
        if label == NONE:
            # each sentence of a text without risk is itself without risk
            for seg in list(segments(text))[1:]:
                out.append((features(seg), 0, SENTENCE_WEIGHT * weight))
    return out


def fit(rows: list[tuple[str, str, str]]) -> RiskModel:
    exs = examples(rows)
    counts = Counter(f for fs, _, _ in exs for f in fs)
    vocab = sorted(f for f, n in counts.items() if n >= MIN_COUNT)
    index = {f: i for i, f in enumerate(vocab)}
    cols, rowptr = [], [0]
    for fs, _, _ in exs:
        cols.extend(sorted(index[f] for f in fs if f in index))
        rowptr.append(len(cols))
    col = np.array(cols, dtype=np.int64)
    ptr = np.array(rowptr, dtype=np.int64)
    row_of = np.repeat(np.arange(len(exs)), np.diff(ptr))
    y = np.array([c for _, c, _ in exs])
    sw = np.array([w for _, _, w in exs])
    n, k, d = len(exs), len(CLASSES), len(vocab)
    onehot = np.zeros((n, k))
    onehot[np.arange(n), y] = 1.0
    w = np.zeros((d, k))
    b = np.zeros(k)
    m_w, v_w, m_b, v_b = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
    total = sw.sum()
    nonempty = np.diff(ptr) > 0

    def per_row(values: np.ndarray) -> np.ndarray:
        # the sum of each example's feature weights (reduceat needs non-empty rows)
        out = np.zeros((n, k))
        out[nonempty] = np.add.reduceat(values, ptr[:-1][nonempty], axis=0)
        return out

    for step in range(1, STEPS + 1):
        scores = per_row(w[col]) + b
        scores -= scores.max(axis=1, keepdims=True)
        p = np.exp(scores)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - onehot) * sw[:, None] / total
        g_rows = g[row_of]
        g_w = np.stack([np.bincount(col, weights=g_rows[:, j], minlength=d) for j in range(k)], axis=1)
        g_w += L2 * w
        g_b = g.sum(axis=0)
        for param, grad, m, v in ((w, g_w, m_w, v_w), (b, g_b, m_b, v_b)):
            m *= 0.9
            m += 0.1 * grad
            v *= 0.999
            v += 0.001 * grad * grad
            param -= LEARNING_RATE * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    weights = {}
    for f, i in index.items():
        vec = [round(float(x), DECIMALS) for x in w[i]]
        if max(abs(x) for x in vec) >= PRUNE:
            weights[f] = vec
    return RiskModel(CLASSES, [round(float(x), DECIMALS) for x in b], weights, 0.5)


def cross_validated(rows: list[tuple[str, str, str]]) -> list[tuple[float, str, str, str]]:
    """(p_risk, best kind, gold class, source) for every row, from a model that never saw its file."""
    found: dict[int, tuple[float, str, str, str]] = {}
    for name in sorted({s for _, _, s in rows}):
        model = fit([r for r in rows if r[2] != name])
        for i, (text, label, src) in enumerate(rows):
            if src == name:
                pred = model.predict(text)
                found[i] = (pred.p_risk, pred.best, label, src)
    return [found[i] for i in range(len(rows))]  # in the order of rows


def other_language(rows: list[tuple[str, str, str]]) -> list[bool]:
    english = _english()
    return [english_share(text, english) < ENGLISH_SHARE for text, _, _ in rows]


def choose_thresholds(rows: list[tuple[str, str, str]], cv: list[tuple[float, str, str, str]]) -> tuple[float, float]:
    """The threshold for English text, and the one for text in another language."""
    other = other_language(rows)
    return (
        choose_threshold([c for c, o in zip(cv, other, strict=True) if not o]),
        choose_threshold([c for c, o in zip(cv, other, strict=True) if o]),
    )


def choose_threshold(cv: list[tuple[float, str, str, str]]) -> float:
    calm = sorted((p for p, _, gold, _ in cv if gold == NONE), reverse=True)
    allowed = int(TARGET_FALSE_ALARMS * len(calm))
    # the threshold sits just above the (allowed + 1)-th most risky-looking calm question
    return round(min(0.95, max(0.2, calm[allowed] + 1e-4)), 4) if calm else 0.5


def report(
    rows: list[tuple[str, str, str]], cv: list[tuple[float, str, str, str]], thresholds: tuple[float, float]
) -> None:
    other = other_language(rows)
    for label, keep in (("English", False), ("other languages", True)):
        part = [c for c, o in zip(cv, other, strict=True) if o == keep]
        t = thresholds[1] if keep else thresholds[0]
        r = [p >= t for p, _, g, _ in part if g != NONE]
        c = [p >= t for p, _, g, _ in part if g == NONE]
        if r and c:
            print(
                f"{label}: threshold {t}, recall {sum(r) / len(r):.3f} ({len(r)}), false alarms {sum(c) / len(c):.3f} ({len(c)})"
            )
    limits = [thresholds[1] if o else thresholds[0] for o in other]
    risky = [(p >= t, best, gold) for (p, best, gold, _), t in zip(cv, limits, strict=True) if gold != NONE]
    calm = [p >= t for (p, _, gold, _), t in zip(cv, limits, strict=True) if gold == NONE]
    hit = sum(found for found, _, _ in risky)
    kind = sum(found and best == gold for found, best, gold in risky)
    alarms = sum(calm)
    print(f"leave-one-file-out, all: recall {hit / len(risky):.3f} ({hit}/{len(risky)}), ")
    print(f"  right kind {kind / len(risky):.3f}, false alarms {alarms / len(calm):.3f} ({alarms}/{len(calm)})")
    for src in sorted({s for *_, s in cv}):
        part = [(p >= t, g) for (p, _, g, s), t in zip(cv, limits, strict=True) if s == src]
        rk = [found for found, g in part if g != NONE]
        ck = [found for found, g in part if g == NONE]
        rec = f"{sum(rk) / len(rk):.2f}" if rk else "  - "
        fa = f"{sum(ck) / len(ck):.2f}" if ck else "  - "
        print(f"  {src:40s} recall {rec} ({len(rk)})  false alarms {fa} ({len(ck)})")


def serialise(model: RiskModel) -> bytes:
    data = {
        "classes": model.classes,
        "bias": model.bias,
        "threshold": model.threshold,
        "threshold_other_language": model.threshold_other_language,
        "sources": SOURCES,
        "weights": {f: [round(x, DECIMALS) for x in v] for f, v in sorted(model.weights.items())},
    }
    raw = json.dumps(data, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return gzip.compress(raw, compresslevel=9, mtime=0)


def build(show_cv: bool, thresholds: tuple[float, float] | None = None) -> bytes:
    rows = load(SOURCES)
    if thresholds is None or show_cv:
        cv = cross_validated(rows)
        thresholds = choose_thresholds(rows, cv)
    if show_cv:
        print(f"{len(rows)} questions from {len({s for *_, s in rows})} files: {dict(Counter(r[1] for r in rows))}")
        report(rows, cv, thresholds)
    model = fit(rows)
    return serialise(RiskModel(model.classes, model.bias, model.weights, *thresholds))


def same_model(a: dict, b: dict, tolerance: float = 2e-3) -> bool:
    """Equal up to the last rounded digit: numpy's exp may differ in its last bits between CPUs."""
    if a["classes"] != b["classes"] or any(a.get(k) != b.get(k) for k in ("threshold", "threshold_other_language")):
        return False
    if any(abs(x - y) > tolerance for x, y in zip(a["bias"], b["bias"], strict=True)):
        return False
    zero = [0.0] * len(a["classes"])
    for f in a["weights"].keys() | b["weights"].keys():
        wa, wb = a["weights"].get(f, zero), b["weights"].get(f, zero)
        if any(abs(x - y) > tolerance for x, y in zip(wa, wb, strict=True)):
            return False
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cv", action="store_true", help="print leave-one-file-out figures")
    ap.add_argument("--check", action="store_true", help="compare with the shipped weights instead of writing")
    args = ap.parse_args()
    if args.check:
        shipped = RiskModel.load()
        blob = build(False, (shipped.threshold, shipped.threshold_other_language))
        same = WEIGHTS.exists() and same_model(
            json.loads(gzip.decompress(WEIGHTS.read_bytes())), json.loads(gzip.decompress(blob))
        )
        print("the shipped weights are what this script trains" if same else "the shipped weights differ: retrain")
        return 0 if same else 1
    blob = build(args.cv)
    WEIGHTS.write_bytes(blob)
    print(f"wrote {WEIGHTS.relative_to(REPO)} ({len(blob) // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
