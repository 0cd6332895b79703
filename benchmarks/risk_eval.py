"""Risk recognition (bot/risk) on a gold JSONL: recall, false alarms, per-kind recall.

    .venv/bin/python benchmarks/risk_eval.py [--gold FILE ...] [--misses] [--json]

Each line needs `q` and `risk` (null, or one of the kinds); other fields are ignored,
and a line without `risk` counts as a question with no risk. Without --gold the dev
set benchmarks/data/risk_dev.jsonl is scored.

- risk recall: share of risk questions on which any risk is recognised;
- false-alarm rate: share of no-risk questions on which a risk is recognised;
- per-kind recall: for each gold kind, the share recognised with that kind first
  (`kind_first`) and with that kind among the recognised ones (`kind_any`).
`--misses` prints the misses and false alarms (do not use it on held-out sets).

Beside the whole recogniser (the cue families and the trained model, weighed by the combining
classifier in bot/risk/model.py), the same run scores the cue families alone (`cues_alone`),
the recogniser as it was before the model. On a set the model was trained on (the read sets
listed in scripts/train_risk_model.py) the whole recogniser's figures are not an estimate:
`scripts/train_risk_model.py --cv` prints the cross-validated ones.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.risk import KINDS, RiskAssessment, assess  # noqa: E402
from bot.risk.recognizer import cue_recognizer  # noqa: E402

DEV = REPO / "benchmarks" / "data" / "risk_dev.jsonl"


def score(
    rows: list[dict], judge: Callable[[str], RiskAssessment] = assess
) -> tuple[dict, list[tuple[str, str | None, str | None]]]:
    risky = [r for r in rows if r.get("risk")]
    calm = [r for r in rows if not r.get("risk")]
    per: dict[str, dict] = {k: {"n": 0, "kind_first": 0, "kind_any": 0, "any_risk": 0} for k in KINDS}
    hits = alarms = 0
    wrong = []
    for r in rows:
        a = judge(r.get("q") or "")
        gold = r.get("risk") or None
        if gold:
            p = per.setdefault(gold, {"n": 0, "kind_first": 0, "kind_any": 0, "any_risk": 0})
            p["n"] += 1
            if a.kind:
                hits += 1
                p["any_risk"] += 1
            if a.kind == gold:
                p["kind_first"] += 1
            if gold in a.kinds:
                p["kind_any"] += 1
            if a.kind != gold:
                wrong.append((r["q"], gold, a.kind))
        elif a.kind:
            alarms += 1
            wrong.append((r["q"], None, a.kind))
    out = {
        "questions": len(rows),
        "risk_questions": len(risky),
        "no_risk_questions": len(calm),
        "risk_recall": round(hits / len(risky), 3) if risky else None,
        "false_alarm_rate": round(alarms / len(calm), 3) if calm else None,
        "per_kind": {
            k: {
                "n": v["n"],
                "recall_any_risk": round(v["any_risk"] / v["n"], 3),
                "recall_kind_first": round(v["kind_first"] / v["n"], 3),
                "recall_kind_any": round(v["kind_any"] / v["n"], 3),
            }
            for k, v in per.items()
            if v["n"]
        },
    }
    return out, wrong


def _ms(rows: list[dict], judge: Callable[[str], RiskAssessment]) -> float:
    """Mean CPU milliseconds per question (after a first pass, so caches are warm for both)."""
    texts = [r.get("q") or "" for r in rows]
    for q in texts:
        judge(q)
    t0 = time.process_time()
    for q in texts:
        judge(q)
    return round((time.process_time() - t0) * 1000 / max(1, len(texts)), 2)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gold", action="append", help="gold JSONL with q and risk (repeatable)")
    ap.add_argument("--misses", action="store_true", help="print misses and false alarms")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    for path in args.gold or [str(DEV)]:
        rows = [json.loads(ln) for ln in Path(path).read_text(encoding="utf-8").splitlines() if ln.strip()]
        out, wrong = score(rows)
        alone, _ = score(rows, cue_recognizer().assess)
        speed = {
            "ms_per_question_whole": _ms(rows, assess),
            "ms_per_question_cues_alone": _ms(rows, cue_recognizer().assess),
        }
        if args.json:
            cues_alone = {k: alone[k] for k in ("risk_recall", "false_alarm_rate")}
            print(json.dumps({"gold": path, **out, "cues_alone": cues_alone, **speed}))
        else:
            print(f"== {path}")
            print(f"questions {out['questions']} · risk {out['risk_questions']} · no risk {out['no_risk_questions']}")
            print(f"risk recall      {out['risk_recall']}")
            print(f"false-alarm rate {out['false_alarm_rate']}")
            print(
                f"cue families alone: risk recall {alone['risk_recall']}, false-alarm rate {alone['false_alarm_rate']}"
            )
            print(
                f"mean CPU ms per question (same run): whole {speed['ms_per_question_whole']}, "
                f"cues alone {speed['ms_per_question_cues_alone']}"
            )
            for k, v in out["per_kind"].items():
                print(
                    f"  {k:24} n={v['n']:3}  any risk {v['recall_any_risk']:.3f}"
                    f"  kind first {v['recall_kind_first']:.3f}  kind among {v['recall_kind_any']:.3f}"
                )
        if args.misses:
            for q, gold, got in wrong:
                print(f"  gold={gold} got={got}: {q}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
