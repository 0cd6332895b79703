#!/usr/bin/env python3
"""Benchmark the de-identification engine on benchmarks/data/deid_dev.jsonl.

Prints the shared scorer's figures (../shared/tools/deid_score.py, when that
folder exists beside the repo), the same figures computed here so a fresh
clone works without it, speed (median and p99 ms per 1,000 characters), and
the safety net's contribution (figures with it on and off).

    python benchmarks/deid_eval.py [--gold FILE] [--ids FIRST:LAST] [--show N]
    python benchmarks/deid_eval.py --synthetic [--seed N] [--per-category N] [--show N]
    python benchmarks/deid_eval.py --baseline TREE [--rounds N]   # speed beside another tree's engine

--baseline times the engine of another tree (a copy of an earlier commit:
`git archive REV | tar -x -C DIR`) and this one in the same run, in child processes
taking turns (A B A B …, so that a change in the machine's load hits both), on the
same records: median ms per 1,000 characters of each round, and of each record's
fastest round. The outputs are compared too (spans and text, record by record).

--ids keeps the records whose id sorts between FIRST and LAST (inclusive):
the blind corpus is split in two, b2-001:b2-050 for diagnosis and
b2-051:b2-100 held out (scored in aggregate only: pass --show 0).

--synthetic scores the corpus-independent generator in
tests/deid/synthetic.py (templates x hand-written fillers) and prints a
per-category table: leak rate (entities not fully removed) and FP rate
(share of sentences with a token removed that should have stayed).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.deid import Deidentifier  # noqa: E402

TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
SCORER = ROOT.parent / "shared" / "tools" / "deid_score.py"
TARGETS = {
    "recall": (">=", 0.99),
    "leak_rate": ("<=", 0.01),
    "precision": (">=", 0.90),
    "false_positive_tokens_in_clean_docs": ("<=", 5),
}


def load(path: Path) -> list[dict]:
    return [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]


def score(gold: list[dict], pred: dict[str, list[dict]]) -> tuple[dict, list, list]:
    """Token-level, label-agnostic, the same definitions as deid_score.py."""
    g_tok = recalled = p_tok = p_in = fp_clean = ents = leaked = 0
    leaks, fps = [], []
    for rec in gold:
        text = rec["text"]
        n = len(text)
        pm, gm = bytearray(n), bytearray(n)
        for s in pred.get(rec["id"], []):
            pm[max(0, s["start"]) : min(n, s["end"])] = b"\x01" * (min(n, s["end"]) - max(0, s["start"]))
        for s in rec["spans"]:
            gm[s["start"] : s["end"]] = b"\x01" * (s["end"] - s["start"])
        for m in TOKEN.finditer(text):
            a, b = m.span()
            in_gold = all(gm[a:b])
            if any(pm[a:b]):
                p_tok += 1
                p_in += in_gold
                if not rec["spans"]:
                    fp_clean += 1
                if not in_gold:
                    fps.append((rec["id"], m.group()))
            if in_gold:
                g_tok += 1
                recalled += all(pm[a:b])
        for s in rec["spans"]:
            toks = list(TOKEN.finditer(text, s["start"], s["end"]))
            ents += 1
            if sum(all(pm[t.start() : t.end()]) for t in toks) < len(toks):
                leaked += 1
                leaks.append((rec["id"], s["label"], text[s["start"] : s["end"]]))
    r = recalled / max(1, g_tok)
    p = p_in / max(1, p_tok)
    res = {
        "recall": round(r, 4),
        "precision": round(p, 4),
        "f2": round(5 * p * r / max(1e-9, 4 * p + r), 4),
        "leak_rate": round(leaked / max(1, ents), 4),
        "entities": ents,
        "gold_tokens": g_tok,
        "false_positive_tokens_in_clean_docs": fp_clean,
    }
    return res, leaks, fps


def run(engine: Deidentifier, gold: list[dict]) -> tuple[dict[str, list[dict]], list[float]]:
    pred, per_k = {}, []
    for rec in gold:
        t0 = time.perf_counter()
        r = engine.redact(rec["text"])
        dt = (time.perf_counter() - t0) * 1000
        per_k.append(dt * 1000 / max(1, len(rec["text"])))
        pred[rec["id"]] = [s.as_dict() for s in r.spans]
    return pred, per_k


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gold", type=Path, default=ROOT / "benchmarks" / "data" / "deid_dev.jsonl")
    ap.add_argument("--show", type=int, default=40, help="leaks and false positives to list")
    ap.add_argument("--ids", default="", help="FIRST:LAST, an inclusive range of record ids")
    ap.add_argument("--synthetic", action="store_true", help="per-category figures on generated sentences")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--per-category", type=int, default=100, help="random draws per category on top of every filler once"
    )
    ap.add_argument("--baseline", type=Path, help="a tree whose engine to time beside this one")
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    if a.baseline:
        return baseline(a.gold, a.ids, a.baseline, a.rounds)
    if a.synthetic:
        return synthetic(a.seed, a.per_category, a.show)
    gold = load(a.gold)
    if a.ids:
        first, _, last = a.ids.partition(":")
        gold = [r for r in gold if first <= r["id"] <= (last or first)]
        if not gold:
            ap.error(f"no records with ids in {a.ids}")

    t0 = time.perf_counter()
    engine = Deidentifier()
    load_s = time.perf_counter() - t0
    engine.redact("warm-up: my client Sam, 34, in Boise on 3/4.")
    pred, per_k = run(engine, gold)
    # time a second pass too: the first includes the word cache filling up
    _, per_k = run(engine, gold)

    if SCORER.exists():
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as fh:
            for rec in gold:
                fh.write(json.dumps({"id": rec["id"], "spans": pred[rec["id"]]}) + "\n")
        print(f"== shared scorer ({SCORER.relative_to(ROOT.parent)})")
        gold_path = a.gold
        if a.ids:  # the scorer must see the same records
            with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as gh:
                for rec in gold:
                    gh.write(json.dumps(rec) + "\n")
            gold_path = Path(gh.name)
        # with --show 0 the scorer's per-leak lines (stderr) are dropped too
        subprocess.run(
            [sys.executable, str(SCORER), str(gold_path), fh.name],
            check=False,
            stderr=None if a.show else subprocess.DEVNULL,
        )
        Path(fh.name).unlink()
        if a.ids:
            gold_path.unlink()
    else:
        print(f"== shared scorer not found at {SCORER}; own figures only")

    res, leaks, fps = score(gold, pred)
    print("\n== own figures (same definitions)")
    for k, v in res.items():
        target = TARGETS.get(k)
        mark = ""
        if target:
            ok = v >= target[1] if target[0] == ">=" else v <= target[1]
            mark = f"   target {target[0]} {target[1]}  {'ok' if ok else 'MISSED'}"
        print(f"{k:38} {v}{mark}")
    med = statistics.median(per_k)
    p99 = sorted(per_k)[max(0, int(len(per_k) * 0.99) - 1)]
    print(f"{'ms per 1,000 chars (median)':38} {med:.2f}   target <= 5  {'ok' if med <= 5 else 'MISSED'}")
    print(f"{'ms per 1,000 chars (p99)':38} {p99:.2f}")
    print(f"{'engine load seconds':38} {load_s:.2f}")

    # the rules alone, timed in the same run (the engine before the tagger)
    rules = Deidentifier(tagger=False)
    rules.redact("warm-up: my client Sam, 34, in Boise on 3/4.")
    pred_rules, per_k_rules = run(rules, gold)
    _, per_k_rules = run(rules, gold)
    res_rules, _, _ = score(gold, pred_rules)
    print("\n== tagger contribution (same run)")
    print(f"{'':38} {'with':>8} {'rules':>8}")
    for k in ("recall", "precision", "leak_rate", "false_positive_tokens_in_clean_docs"):
        print(f"{k:38} {res[k]:>8} {res_rules[k]:>8}")
    med_r = statistics.median(per_k_rules)
    print(f"{'ms per 1,000 chars (median)':38} {med:>8.2f} {med_r:>8.2f}")

    off = Deidentifier(safety_net=False)
    pred_off, _ = run(off, gold)
    res_off, _, _ = score(gold, pred_off)
    print("\n== safety net contribution")
    print(f"{'':38} {'on':>8} {'off':>8}")
    for k in ("recall", "precision", "leak_rate", "false_positive_tokens_in_clean_docs"):
        print(f"{k:38} {res[k]:>8} {res_off[k]:>8}")

    if a.show:
        print(f"\n== leaks ({len(leaks)})")
        for doc_id, label, surface in leaks[: a.show]:
            print(f"  {doc_id} {label}: {surface!r}")
        print(f"\n== false-positive tokens ({len(fps)})")
        for doc_id, tok in fps[: a.show]:
            print(f"  {doc_id}: {tok!r}")
    return 0


_CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from bot.deid import Deidentifier
recs = [json.loads(ln) for ln in sys.stdin.read().splitlines() if ln.strip()]
e = Deidentifier()
e.redact("warm-up: my client Sam, 34, in Boise on 3/4.")
outs = [e.redact(r["text"]) for r in recs]  # the first pass fills the word caches
per_k = []
for r in recs:
    t0 = time.perf_counter()
    e.redact(r["text"])
    per_k.append((time.perf_counter() - t0) * 1e6 / max(1, len(r["text"])))
print(json.dumps({"per_k": per_k, "out": [[o.text, [s.as_dict() for s in o.spans]] for o in outs]}))
"""


def baseline(gold_path: Path, ids: str, tree: Path, rounds: int) -> int:
    gold = load(gold_path)
    if ids:
        first, _, last = ids.partition(":")
        gold = [r for r in gold if first <= r["id"] <= (last or first)]
    feed = "".join(json.dumps({"id": r["id"], "text": r["text"]}) + "\n" for r in gold)
    trees = {"baseline": tree.resolve(), "this tree": ROOT}
    per_k: dict[str, list[list[float]]] = {k: [] for k in trees}
    outs: dict[str, list] = {}
    for _ in range(max(1, rounds)):
        for name, root in trees.items():
            res = subprocess.run(
                [sys.executable, "-c", _CHILD, str(root)],
                input=feed,
                capture_output=True,
                text=True,
                check=True,
                cwd=root,
            )
            got = json.loads(res.stdout)
            per_k[name].append(got["per_k"])
            outs[name] = got["out"]
    chars = sum(len(r["text"]) for r in gold)
    print(f"== speed, same run: {len(gold)} records, {chars} characters, {rounds} rounds taking turns")
    print(f"{'':28} {'median per round (ms / 1,000 chars)':40} {'median of fastest':>18}")
    for name in trees:
        meds = [statistics.median(r) for r in per_k[name]]
        best = statistics.median(min(col) for col in zip(*per_k[name], strict=True))
        print(f"{name:28} {' '.join(f'{m:6.2f}' for m in meds):40} {best:>18.2f}")
    same = sum(a == b for a, b in zip(outs["baseline"], outs["this tree"], strict=True))
    print(f"records with identical output (text and spans): {same} of {len(gold)}")
    return 0


def synthetic(seed: int, per_category: int, show: int) -> int:
    from tests.deid.synthetic import evaluate, generate

    engine = Deidentifier()
    samples = generate(seed, per_category)
    t0 = time.perf_counter()
    table = evaluate(engine, samples)
    dt = time.perf_counter() - t0
    chars = sum(len(s.text) for s in samples)
    print(
        f"== synthetic (seed {seed}, {len(samples)} sentences, {chars} chars, "
        f"{dt * 1e6 / max(1, chars):.2f} ms per 1,000 chars)"
    )
    print(
        f"{'category':28} {'sentences':>9} {'entities':>8} {'leaked':>6} {'leak rate':>9} {'FP rate':>8} {'FP tokens':>9}"
    )
    ents = leaked = 0
    for cat in sorted(table):
        r = table[cat]
        ents += r["entities"]
        leaked += r["leaked"]
        lr = f"{100 * r['leak_rate']:.1f} %" if r["entities"] else "-"
        print(
            f"{cat:28} {r['samples']:>9} {r['entities']:>8} {r['leaked']:>6} {lr:>9} "
            f"{100 * r['fp_rate']:>6.1f} % {r['fp_tokens']:>9}"
        )
    print(f"{'all':28} {len(samples):>9} {ents:>8} {leaked:>6} {100 * leaked / max(1, ents):>7.1f} %")
    if show:
        for cat in sorted(table):
            r = table[cat]
            for kind in ("leaks", "fps"):
                seen = list(dict.fromkeys(r[kind]))
                for text in seen[:show]:
                    print(f"  {cat} {kind[:-1]}: {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
