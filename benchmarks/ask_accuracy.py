"""Accuracy of the /boundary question matcher on the annotated dev questions.

    .venv/bin/python benchmarks/ask_accuracy.py [GOLD.jsonl] [--gold FILE ...] [--json] [--no-misses]
    .venv/bin/python benchmarks/ask_accuracy.py --cv [--json]
    .venv/bin/python benchmarks/ask_accuracy.py --cards [FILE ...]

Prints the figures of shared/tools/ask_score.py (run as a subprocess when the
scorer sits at ../shared/tools beside the repo), the same figures computed here
(so a fresh clone works without shared/), the misses, and a leave-one-out check:
each question is answered again with every vocabulary term removed that fires
on that question and no other dev question — a rough measure of how much the
score depends on words fitted to single dev sentences.

Each `--gold FILE` (repeatable) is scored too — e.g. a blind set written
independently of the vocabulary, such as benchmarks/data/questions_extra.jsonl.
`--no-misses` prints figures only, for held-out sets whose questions you
should not read while tuning.

`--cards` measures wrong situation cards on the read halves of the blind sets (or the FILEs
given, lines with an "id"): every card the matcher shows (none for a question the risk
recogniser flags: a risk answer shows no card) is looked up in
benchmarks/data/card_judgements.jsonl, where each (id, card) pair was judged by hand
against the set's gold `situation` note. The rule: a card fits when the gold situation is
an instance of the card's title and its scripts could be said as they stand ("client
coaches my son's hockey team" fits *A client who is also your … service provider*); it is
wrong when it answers another situation (an expensive gift's *small gift* card, a
supervisor's question about a supervisee's drift given *Therapy for your own supervisee*).
A pair not judged yet is reported as such, never counted as fitting.

`--cv` pools questions_dev, questions_extra and tests/principles/data/questions_own,
splits them into 5 folds (fixed seed), chooses the content-signal weight and the
content on-topic threshold (bot/principles/matcher.py CONTENT_WEIGHT,
CONTENT_ON_TOPIC) on 4 folds and scores the 5th, and prints each fold's choice and
figures plus the pooled held-out figures. The cue vocabulary itself was written
with these questions in view, so this measures the choice of the two knobs, not
the vocabulary; the leave-one-out figures are the check on the latter.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.principles import get_catalog  # noqa: E402
from bot.principles.matcher import Matcher, _contains  # noqa: E402

DEFAULT_GOLD = REPO / "benchmarks" / "data" / "questions_dev.jsonl"
SCORER = REPO.parent / "shared" / "tools" / "ask_score.py"


def load(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(ln) for ln in fh if ln.strip()]


def figures(gold: list[dict], preds: list[list[str]]) -> dict:
    """Same definitions as ask_score.py."""
    on = off = top1 = prim = off_ok = false_off = gk = gfound = 0
    for g, p in zip(gold, preds, strict=True):
        want = g["principles"]
        if not want:
            off += 1
            off_ok += not p
            continue
        on += 1
        false_off += not p
        top1 += bool(p) and p[0] in want
        prim += bool(p) and p[0] == want[0]
        gk += len(want)
        gfound += len(set(want) & set(p[:3]))
    return {
        "questions": len(gold),
        "on_topic": on,
        "off_topic": off,
        "top1": round(top1 / max(1, on), 4),
        "primary_top1": round(prim / max(1, on), 4),
        "set_recall_at3": round(gfound / max(1, gk), 4),
        "offtopic": round(off_ok / max(1, off), 4),
        "false_offtopic": round(false_off / max(1, on), 4),
    }


def without_terms(matcher: Matcher, drop: set) -> Matcher:
    cat = matcher.catalog

    def strip(cues):
        out = []
        for c in cues:
            terms = tuple(t for t in c.terms if t not in drop)
            if terms:
                out.append(dataclasses.replace(c, terms=terms))
        return out

    return Matcher(
        dataclasses.replace(
            cat,
            principle_cues={k: strip(v) for k, v in cat.principle_cues.items()},
            situation_triggers={k: strip(v) for k, v in cat.situation_triggers.items()},
            _names={},
        ),
        content_weight=matcher.content_weight,
        content_on_topic=matcher.content_on_topic,
        content_damp=matcher.content_damp,
    )


def leave_one_out(matcher: Matcher, gold: list[dict]) -> dict:
    cat = matcher.catalog
    all_terms = {
        t for cues in (*cat.principle_cues.values(), *cat.situation_triggers.values()) for c in cues for t in c.terms
    }
    toks = [matcher.tokens(g["q"]) for g in gold]
    fires = {t: [i for i, tk in enumerate(toks) if _contains(tk, t)] for t in all_terms}
    preds = []
    for i, g in enumerate(gold):
        own = {t for t, hits in fires.items() if hits == [i]}
        m = without_terms(matcher, own) if own else matcher
        preds.append([p.key for p in m.answer(g["q"]).principles])
    res = figures(gold, preds)
    res["terms_fitted_to_one_question"] = sum(1 for hits in fires.values() if len(hits) == 1)
    return res


def run_scorer(gold_path: Path, gold: list[dict], preds: list[list[str]]) -> dict | None:
    scorer_out = None
    if SCORER.exists():
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as fh:
            for n, p in enumerate(preds, 1):
                fh.write(json.dumps({"id": str(n), "principles": p}) + "\n")
        gold_ids = gold_path
        if any("id" in g for g in gold):
            gold_ids = None  # ask_score keys by "id" when present; keep ours aligned by line
        if gold_ids is not None:
            run = subprocess.run(
                [sys.executable, str(SCORER), str(gold_ids), fh.name, "--json"],
                capture_output=True,
                text=True,
                check=False,
            )
            scorer_out = json.loads(run.stdout) if run.returncode == 0 else {"error": run.stderr.strip()}
        Path(fh.name).unlink()
    return scorer_out


def print_misses(gold: list[dict], answers: list, preds: list[list[str]]) -> None:
    misses = []
    for n, (g, a, p) in enumerate(zip(gold, answers, preds, strict=True), 1):
        want = g["principles"]
        wrong_top = (not want and p) or (want and (not p or p[0] not in want))
        missing = [k for k in want if k not in p[:3]]
        if wrong_top or missing:
            sit = a.situation.key if a.situation else "-"
            misses.append(f"  #{n:<3} {g['q']!r}\n       gold={want} pred={p} situation={sit}")
    print(f"misses ({len(misses)}):")
    print("\n".join(misses) if misses else "  none")


CV_FILES = (
    REPO / "benchmarks" / "data" / "questions_dev.jsonl",
    REPO / "benchmarks" / "data" / "questions_extra.jsonl",
    REPO / "tests" / "principles" / "data" / "questions_own.jsonl",
)
CV_WEIGHTS = (0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0)
CV_ON_TOPIC = (None, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0)
CV_DAMP = (None, 4.0, 8.0, 16.0)


def objective(f: dict) -> float:
    """What the knobs are chosen for: the official targets, off-topic errors both ways."""
    return f["top1"] + f["set_recall_at3"] + f["offtopic"] - f["false_offtopic"]


def _simpler(k: tuple) -> tuple:
    """Tie-break among equally good settings: smaller weight, stricter on-topic gate, more damping."""
    w, t, d = k
    return (-w, t is None, t or 0, -(d or 1e9))


def cross_validate(folds: int = 5, seed: int = 0) -> dict:
    import random

    cat = get_catalog()
    gold = [g for path in CV_FILES for g in load(path)]
    order = list(range(len(gold)))
    random.Random(seed).shuffle(order)
    fold_of = {i: n % folds for n, i in enumerate(order)}
    preds = {}
    for w in CV_WEIGHTS:
        for t in CV_ON_TOPIC:
            for d in CV_DAMP if w else (None,):
                m = Matcher(cat, content_weight=w, content_on_topic=t, content_damp=d)
                preds[w, t, d] = [[p.key for p in m.answer(g["q"]).principles] for g in gold]
    out = {"questions": len(gold), "folds": []}
    held_gold, held_pred = [], []
    for f in range(folds):
        train = [i for i in range(len(gold)) if fold_of[i] != f]
        test = [i for i in range(len(gold)) if fold_of[i] == f]

        def fig(key, idx):
            return figures([gold[i] for i in idx], [preds[key][i] for i in idx])

        # best objective on the training folds; ties go to the smaller weight / stricter gate
        best = max(preds, key=lambda k: (round(objective(fig(k, train)), 6), *_simpler(k)))
        out["folds"].append(
            {
                "fold": f,
                "content_weight": best[0],
                "content_on_topic": best[1],
                "content_damp": best[2],
                "train": fig(best, train),
                "test": fig(best, test),
            }
        )
        held_gold += [gold[i] for i in test]
        held_pred += [preds[best][i] for i in test]
    out["held_out"] = figures(held_gold, held_pred)
    whole = max(preds, key=lambda k: (round(objective(figures(gold, preds[k])), 6), *_simpler(k)))
    out["chosen_on_all"] = {
        "content_weight": whole[0],
        "content_on_topic": whole[1],
        "content_damp": whole[2],
        "figures": figures(gold, preds[whole]),
    }
    out["no_content_signal"] = figures(gold, preds[0.0, None, None])
    return out


def print_cv(res: dict) -> None:
    print(f"== 5-fold cross-validation over {res['questions']} pooled questions ==")
    keys = ("top1", "primary_top1", "set_recall_at3", "offtopic", "false_offtopic")
    print(f"  {'fold':4} {'weight':>6} {'on_topic':>8} {'damp':>5}  " + " ".join(f"{k:>14}" for k in keys))
    for f in res["folds"]:
        print(
            f"  {f['fold']:<4} {f['content_weight']:>6} {str(f['content_on_topic']):>8} {str(f['content_damp']):>5}  "
            + " ".join(f"{f['test'][k]:>14}" for k in keys)
        )
    print("  held-out, pooled:  " + "  ".join(f"{k} {res['held_out'][k]}" for k in keys))
    c = res["chosen_on_all"]
    print(
        f"  chosen on all questions: weight {c['content_weight']}, on-topic {c['content_on_topic']}, "
        f"damp {c['content_damp']} "
        "(in-sample: " + ", ".join(f"{k} {c['figures'][k]}" for k in keys) + ")"
    )
    print("  without the content signal (in-sample): " + ", ".join(f"{k} {res['no_content_signal'][k]}" for k in keys))


def parse_args(argv: list[str]) -> tuple[Path, list[Path], bool, bool]:
    as_json, show_misses, extra, positional = False, True, [], []
    it = iter(argv)
    for a in it:
        if a == "--json":
            as_json = True
        elif a == "--no-misses":
            show_misses = False
        elif a == "--gold":
            nxt = next(it, None)
            if nxt is None:
                raise SystemExit("--gold needs a FILE")
            extra.append(Path(nxt))
        elif a.startswith("--gold="):
            extra.append(Path(a.split("=", 1)[1]))
        else:
            positional.append(Path(a))
    main_gold = positional[0] if positional else DEFAULT_GOLD
    extra += positional[1:]
    return main_gold, extra, as_json, show_misses


CARD_FILES = tuple(
    REPO / "benchmarks" / "data" / f"blind_questions_{name}.jsonl"
    for name in ("plain_a", "risk_a", "plain_c_read", "risk_e_read", "plain_d_read", "risk_f_read")
)
JUDGEMENTS = REPO / "benchmarks" / "data" / "card_judgements.jsonl"


def wrong_cards(paths: list[Path]) -> dict:
    """Per file: questions, cards shown, judged wrong, not yet judged (see --cards above)."""
    from bot.principles import get_matcher
    from bot.risk import assess

    judged = {(j["id"], j["card"]): j["fits"] for j in load(JUDGEMENTS)}
    matcher = get_matcher()
    out = {}
    for path in paths:
        rows = load(path)
        shown, wrong, unjudged = 0, [], []
        for r in rows:
            a = matcher.answer(r["q"], risk=assess(r["q"]).kind)
            if a.situation is None:
                continue
            shown += 1
            fits = judged.get((r["id"], a.situation.key))
            if fits is None:
                unjudged.append(f"{r['id']}:{a.situation.key}")
            elif not fits:
                wrong.append(f"{r['id']}:{a.situation.key}")
        out[path.name] = {
            "questions": len(rows),
            "cards": shown,
            "wrong": len(wrong),
            "wrong_share": round(len(wrong) / max(1, len(rows)), 4),
            "unjudged": unjudged,
            "wrong_ids": wrong,
        }
    return out


def main(argv: list[str]) -> int:
    if "--cards" in argv:
        paths = [Path(a) for a in argv if a != "--cards" and not a.startswith("--")] or list(CARD_FILES)
        res = wrong_cards(paths)
        if "--json" in argv:
            print(json.dumps(res))
        else:
            for name, r in res.items():
                print(
                    f"{name:36s} questions {r['questions']:3d}  cards {r['cards']:3d}  wrong {r['wrong']:2d}"
                    f" ({r['wrong_share']:.1%} of questions)  unjudged {len(r['unjudged'])} {' '.join(r['unjudged'])}"
                )
        return 0
    if "--cv" in argv:
        res = cross_validate()
        if "--json" in argv:
            print(json.dumps(res))
        else:
            print_cv(res)
        return 0
    gold_path, extra_paths, as_json, show_misses = parse_args(argv)
    from bot.principles import get_matcher

    matcher = get_matcher()
    report = {}
    for n, path in enumerate([gold_path, *extra_paths]):
        if not path.is_absolute() and not path.exists():
            path = REPO / path
        gold = load(path)
        answers = [matcher.answer(g["q"]) for g in gold]
        preds = [[p.key for p in a.principles] for a in answers]
        entry = {"scorer": run_scorer(path, gold, preds), "computed": figures(gold, preds)}
        if n == 0:
            entry["leave_one_out"] = leave_one_out(matcher, gold)
        report[str(path)] = entry
        if as_json:
            continue
        print(f"== {path.name} ==")
        if entry["scorer"] is not None:
            print(f"ask_score.py ({SCORER}):")
            for k, v in entry["scorer"].items():
                print(f"  {k:16} {v}")
        else:
            print("ask_score.py not found beside the repo (or gold has ids); computed figures only.")
        print("computed here:")
        for k, v in entry["computed"].items():
            print(f"  {k:16} {v}")
        if n == 0:
            print("leave-one-out (terms that fire on only that dev question removed):")
            for k, v in entry["leave_one_out"].items():
                print(f"  {k:28} {v}")
        if show_misses:
            print_misses(gold, answers, preds)
        print()
    if as_json:
        first = report[next(iter(report))]
        out = dict(first)
        out["files"] = report
        print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
