"""Trains the risk model (bot/risk/model.py) and writes bot/risk/data/model.json.gz.

    .venv/bin/python scripts/train_risk_model.py            # train, choose the threshold, write
    .venv/bin/python scripts/train_risk_model.py --cv       # also print cross-validated figures
    .venv/bin/python scripts/train_risk_model.py --check    # exit 1 unless the shipped weights are what this trains

--check refits the final model only (under a minute) and keeps the shipped thresholds and
combining classifier, which the full run chose by cross-validation (8 fits, 5-15 minutes).

Deterministic: full-batch gradient descent (Adam) in float64 from zero weights, no random
state, so the same data gives the same file (the test suite checks it with --check).
numpy is needed here only (requirements-dev.txt); the app reads the weights in pure Python.

Data provenance (all in benchmarks/data, every line a question with `risk` = a kind or null;
a line without `risk` is an ordinary boundary question, no risk):
- risk_dev*.jsonl: risk questions and look-alikes written by helpers for earlier rounds of
  the cue families (bot/risk/data/cues.yaml);
- blind_questions_{risk,plain}_a.jsonl: the read halves of the first blind sets;
- questions_{dev,extra,blind}.jsonl: ordinary boundary questions (no risk);
- risk_train_1..6.jsonl: training sets written blind for this model (short/chat/non-US and
  long/formal/narrative), by writers who had not read the engine;
- risk_train_7_helper.jsonl: ordinary questions and risks in other languages, written by the
  helper who built the combining classifier (it had read the engine), because the other-
  language questions were few and a plain Spanish question raised an alarm;
- risk_train_8_helper.jsonl: plainly worded risks (56, every kind), by the same helper: the
  writers of the other sets wrote risks indirectly and look-alikes with the plain words ("a
  suicide attempt years ago"), so "suicide" had become evidence against a risk;
- blind_questions_risk_c.jsonl, blind_questions_{risk_e,plain_c}_read.jsonl: the read halves
  of later blind sets (scored with the engine of their day before they were read).
- blind_questions_risk_f_read.jsonl: the read half (67) of the 2026-12-06 blind risk set
  (a copy of /work/blind_new/questions_risk_f_read.jsonl, written by a helper who never saw
  the engine), scored with the engine of that day (recall .806, 0 of 31 false alarms) and
  then read by the risk4 helper, who wrote cue families for its misses' mechanisms;
- risk_train_9_helper.jsonl: 277 questions written by the risk4 helper (it had read the
  engine and the read half above) as general families, each in several invented wordings
  (field `family`): indirect self-harm (affairs put in order, possessions handed on,
  "disappearing", a burden), the practitioner followed or watched at home and veiled threats,
  a young child left without an adult, a partner's control of money, phone and movements,
  a dependent adult denied food or care, conditional threats to a third party, danger now;
  and look-alikes of each (negated, past and resolved, professional roles, idioms and jokes,
  fiction and training, ordinary contact and gifts), in English and in Spanish, French,
  German, Portuguese, Italian and Dutch (half of them), because other languages were
  the weakest part (cross-validated recall about .5-.6).
Never used: the held-out halves (blind_questions_*_b, *_d, and the halves of risk_e, plain_c
and risk_f kept by the coordinator).

A risk is recognised by a small combining classifier (logistic regression over the model's
readings of the whole text and of its most risky sentence, and whether a cue family fired,
in a short text, in a text without any look-alike scope: bot/risk/model.py stack_features),
trained on cross-validated readings of the files the cue families were not written against
(CUE_UNSEEN: there the cues' findings are as good as on new text; on the files they were
written against they look perfect). On those files half the cues' findings were look-alikes
the model reads rightly, so a cue's finding is evidence, not a verdict.

The model is cross-validated by file (FOLDS groups, each file wholly in one), and so is the
combining classifier (leave one file out); its thresholds, one for English and one for other
languages, are the lowest at which at most TARGET_FALSE_ALARMS of the no-risk questions of
the CUE_UNSEEN files alarm, so that recall is as high as that budget allows.
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
from bot.risk.model import (  # noqa: E402
    NONE,
    WEIGHTS,
    Prediction,
    RiskModel,
    features,
    is_other_language,
    segments,
    stack_features,
)
from bot.risk.recognizer import KINDS, _english, cue_recognizer, strip_accents  # noqa: E402

DATA = REPO / "benchmarks" / "data"
SOURCES = (
    sorted(p.name for p in DATA.glob("risk_dev*.jsonl"))
    + ["blind_questions_risk_a.jsonl", "blind_questions_plain_a.jsonl"]
    + ["questions_dev.jsonl", "questions_extra.jsonl", "questions_blind.jsonl"]
    + sorted(p.name for p in DATA.glob("risk_train_*.jsonl"))
    + ["blind_questions_risk_c.jsonl", "blind_questions_risk_e_read.jsonl", "blind_questions_plain_c_read.jsonl"]
    + ["blind_questions_risk_f_read.jsonl"]
)
# files the cue families were written against after all: risk_train_9 by the helper who wrote
# cue families beside it, risk_f_read read before cue families were written for its misses
CUE_SEEN = frozenset({"risk_train_9_helper.jsonl", "blind_questions_risk_f_read.jsonl"})
FOLDS = 8


def cue_unseen(name: str) -> bool:
    """Files the cue families were not written against (see the docstring)."""
    if name in CUE_SEEN:
        return False
    return name.startswith(("risk_train_", "questions_")) or name in (
        "blind_questions_risk_c.jsonl",
        "blind_questions_risk_e_read.jsonl",
        "blind_questions_plain_c_read.jsonl",
    )


CLASSES = [NONE, *KINDS]
MIN_COUNT = 2  # a feature seen once is a fact about one sentence, not a pattern
# chosen by the cross-validated run (risk4, all unseen files at a 5 % false-alarm budget):
# L2 3e-4 recall .844, 1e-4 .886, 3e-5 .893; 800 steps instead of 400 .851 (it overfits)
L2 = 3e-5
STEPS = 400
LEARNING_RATE = 0.05
# Sentences of no-risk texts, added as no-risk examples, count for less than whole texts.
SENTENCE_WEIGHT = 0.5
TARGET_FALSE_ALARMS = 0.05
# (p_risk, p_whole, best kind, gold class, source file) of one row, cross-validated
CV = tuple[float, float, str, str, str]
DECIMALS = 4
# weights this small change no prediction on the read evaluation set and took a third of the file;
# 0.03 since L2 3e-5 (at 0.02 the file grew to 573 KB; at 0.03, 488 KB with the same recall)
PRUNE = 0.03


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
            adam_step(param, grad, m, v, step, LEARNING_RATE)
    return RiskModel(CLASSES, [round(float(x), DECIMALS) for x in b], kept_rows(index, w, DECIMALS, PRUNE), 0.5)


def folds(names: list[str]) -> dict[str, int]:
    return {name: i % FOLDS for i, name in enumerate(sorted(names))}


def cross_validated(rows: list[tuple[str, str, str]]) -> list[tuple[float, float, str, str, str]]:
    """(p_risk, p_whole, best kind, gold class, source) for every row, from a model that never saw its file."""
    fold = folds(sorted({s for _, _, s in rows}))
    found: dict[int, tuple[float, float, str, str, str]] = {}
    for k in range(FOLDS):
        model = fit([r for r in rows if fold[r[2]] != k])
        for i, (text, label, src) in enumerate(rows):
            if fold[src] == k:
                pred = model.predict(text)
                found[i] = (pred.p_risk, pred.p_whole, pred.best, label, src)
    return [found[i] for i in range(len(rows))]  # in the order of rows


def other_language(rows: list[tuple[str, str, str]]) -> list[bool]:
    english = _english()
    return [is_other_language(text, english) for text, _, _ in rows]


def choose_thresholds(rows: list[tuple[str, str, str]], cv: list[CV]) -> tuple[float, float]:
    """The model's own thresholds (English, other languages), when it backs up the cues alone."""
    other = other_language(rows)
    return (
        choose_threshold([(c[0], c[3]) for c, o in zip(cv, other, strict=True) if not o]),
        choose_threshold([(c[0], c[3]) for c, o in zip(cv, other, strict=True) if o]),
    )


def choose_threshold(scored: list[tuple[float, str]], lo: float = 0.2, hi: float = 0.95) -> float:
    calm = sorted((p for p, gold in scored if gold == NONE), reverse=True)
    allowed = int(TARGET_FALSE_ALARMS * len(calm))
    # the threshold sits just above the (allowed + 1)-th most risky-looking calm question
    return round(min(hi, max(lo, calm[allowed] + 1e-4)), 4) if calm else 0.5


# ---- the combining classifier ---------------------------------------------------------
STACK_STEPS = 2000
STACK_L2 = 1e-3


def stack_data(rows: list[tuple[str, str, str]], cv: list[CV]) -> tuple[list[str], np.ndarray, list[bool]]:
    """The combining classifier's features for every row (names, matrix) and whether each cue fired."""
    rec = cue_recognizer()
    feats, fired = [], []
    for (text, _, _), (p_max, p_whole, best, _, _) in zip(rows, cv, strict=True):
        raw = strip_accents(text)
        kinds, _, _ = rec._cue_pass(raw)
        fired.append(bool(kinds))
        look = bool(kinds) and rec.looks_alike(raw)
        feats.append(stack_features(Prediction(None, p_max, best, p_whole), bool(kinds), look, len(raw.split())))
    names = sorted(feats[0])
    return names, np.array([[f[n] for n in names] for f in feats]), fired


def fit_stack(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Logistic regression, full-batch Adam from zero: deterministic."""
    n, d = x.shape
    w, b = np.zeros(d), 0.0
    m, v = np.zeros(d + 1), np.zeros(d + 1)
    for step in range(1, STACK_STEPS + 1):
        p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
        g = np.append(x.T @ (p - y) / n + STACK_L2 * w, (p - y).mean())
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        delta = LEARNING_RATE * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
        w, b = w - delta[:-1], b - float(delta[-1])
    return w, b


def train_stack(
    rows: list[tuple[str, str, str]], cv: list[CV]
) -> tuple[dict[str, float], tuple[float, float], np.ndarray]:
    """The combining classifier, its thresholds (English, other languages), and its leave-one-
    file-out probabilities on the CUE_UNSEEN rows (NaN elsewhere)."""
    names, x, _ = stack_data(rows, cv)
    y = np.array([label != NONE for _, label, _ in rows], dtype=float)
    src = np.array([s for _, _, s in rows])
    unseen = np.array([cue_unseen(s) for s in src])
    other = np.array(other_language(rows))
    prob = np.full(len(rows), np.nan)
    for name in sorted(set(src[unseen])):
        train = unseen & (src != name)
        w, b = fit_stack(x[train], y[train])
        mine = src == name
        prob[mine] = 1.0 / (1.0 + np.exp(-(x[mine] @ w + b)))
    labels = [label for _, label, _ in rows]
    thresholds = tuple(
        choose_threshold([(float(prob[i]), labels[i]) for i in np.flatnonzero(unseen & (other == o))], 0.01, 0.99)
        for o in (False, True)
    )
    w, b = fit_stack(x[unseen], y[unseen])
    stack = {"bias": round(b, DECIMALS), **{n: round(float(v), DECIMALS) for n, v in zip(names, w, strict=True)}}
    return stack, (thresholds[0], thresholds[1]), prob


def report(
    rows: list[tuple[str, str, str]],
    cv: list[CV],
    thresholds: tuple[float, float],
    stack: dict[str, float],
    stack_thresholds: tuple[float, float],
    stack_cv: np.ndarray,
) -> None:
    other = other_language(rows)
    print(f"{len(rows)} questions from {len({s for *_, s in rows})} files, {FOLDS} folds by file")
    print("the model alone (its most risky reading), cross-validated:")
    for label, keep in (("English", False), ("other languages", True)):
        part = [c for c, o in zip(cv, other, strict=True) if o == keep]
        t = thresholds[1] if keep else thresholds[0]
        r = [c[0] >= t for c in part if c[3] != NONE]
        k = [c[0] >= t for c in part if c[3] == NONE]
        if r and k:
            print(
                f"  {label}: threshold {t}, recall {sum(r) / len(r):.3f} ({len(r)}), false alarms {sum(k) / len(k):.3f} ({len(k)})"
            )
    _, x, fired = stack_data(rows, cv)
    names = sorted(stack_features(Prediction(None, 0.5, NONE, 0.5), False, False, 0))
    weights = np.array([stack[n] for n in names])
    final = 1.0 / (1.0 + np.exp(-(x @ weights + stack["bias"])))
    limits = [stack_thresholds[1] if o else stack_thresholds[0] for o in other]
    model_limits = [thresholds[1] if o else thresholds[0] for o in other]
    print(f"combining classifier: {stack}, thresholds {stack_thresholds}")
    print("the whole recogniser, cross-validated by file (on CUE_UNSEEN files; * = a file the cues were written")
    print("against, read with the final combining classifier), beside cues-or-model as before:")
    groups: dict[str, list[tuple[bool, bool, str]]] = {}
    for i, ((_, label, src), c) in enumerate(zip(rows, cv, strict=True)):
        p = stack_cv[i] if cue_unseen(src) else final[i]
        before = fired[i] or c[0] >= model_limits[i]
        groups.setdefault(src, []).append((bool(p >= limits[i]), before, label))
    totals = {k: [0, 0, 0, 0, 0, 0] for k in ("unseen", "seen")}
    for src in sorted(groups):
        part = groups[src]
        rk = [(now, was) for now, was, g in part if g != NONE]
        ck = [(now, was) for now, was, g in part if g == NONE]
        t = totals["unseen" if cue_unseen(src) else "seen"]
        t[0] += sum(n for n, _ in rk)
        t[1] += sum(w for _, w in rk)
        t[2] += len(rk)
        t[3] += sum(n for n, _ in ck)
        t[4] += sum(w for _, w in ck)
        t[5] += len(ck)
        rec = (
            f"{sum(n for n, _ in rk) / len(rk):.2f} (was {sum(w for _, w in rk) / len(rk):.2f}, {len(rk)})"
            if rk
            else "-"
        )
        fa = (
            f"{sum(n for n, _ in ck) / len(ck):.2f} (was {sum(w for _, w in ck) / len(ck):.2f}, {len(ck)})"
            if ck
            else "-"
        )
        print(f"  {src:40s}{' ' if cue_unseen(src) else '*'} recall {rec:22s} false alarms {fa}")
    for k, t in totals.items():
        if t[2] and t[5]:
            print(
                f"  all {k:6s}: recall {t[0] / t[2]:.3f} (was {t[1] / t[2]:.3f}) of {t[2]}, "
                f"false alarms {t[3] / t[5]:.3f} (was {t[4] / t[5]:.3f}) of {t[5]}"
            )


def serialise(model: RiskModel) -> bytes:
    data = {
        "classes": model.classes,
        "bias": model.bias,
        "threshold": model.threshold,
        "threshold_other_language": model.threshold_other_language,
        "stack": model.stack,
        "stack_threshold": model.stack_threshold,
        "stack_threshold_other_language": model.stack_threshold_other_language,
        "sources": SOURCES,
        "weights": {f: [round(x, DECIMALS) for x in v] for f, v in sorted(model.weights.items())},
    }
    raw = json.dumps(data, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return gzip.compress(raw, compresslevel=9, mtime=0)


Kept = tuple[tuple[float, float], dict[str, float], tuple[float, float]]


def build(show_cv: bool, kept: Kept | None = None) -> bytes:
    """The weights file; `kept` = the thresholds and the combining classifier chosen by an
    earlier cross-validated run (then only the final model is refitted)."""
    rows = load(SOURCES)
    if kept is None or show_cv:
        cv = cross_validated(rows)
        thresholds = choose_thresholds(rows, cv)
        stack, stack_thresholds, stack_cv = train_stack(rows, cv)
        kept = (thresholds, stack, stack_thresholds)
        if show_cv:
            report(rows, cv, thresholds, stack, stack_thresholds, stack_cv)
    thresholds, stack, stack_thresholds = kept
    model = fit(rows)
    return serialise(RiskModel(model.classes, model.bias, model.weights, *thresholds, stack, *stack_thresholds))


def same_model(a: dict, b: dict, tolerance: float = 2e-3) -> bool:
    """The same thresholds and combining classifier, and the same weights up to the last
    rounded digit (bot.linear.same_weights)."""
    kept = ("threshold", "threshold_other_language", "stack", "stack_threshold", "stack_threshold_other_language")
    return all(a.get(k) == b.get(k) for k in kept) and same_weights(a, b, tolerance)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cv", action="store_true", help="print cross-validated figures")
    ap.add_argument("--check", action="store_true", help="compare with the shipped weights instead of writing")
    args = ap.parse_args()
    if args.check:
        shipped = RiskModel.load()
        kept = (
            (shipped.threshold, shipped.threshold_other_language),
            shipped.stack or {},
            (shipped.stack_threshold, shipped.stack_threshold_other_language),
        )
        blob = build(False, kept)
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
