"""`python -m bot ask "question"` and `python -m bot ask --jsonl` (batch, for benchmarks)."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap

from . import get_catalog, get_matcher
from .matcher import Answer


def render_text(answer: Answer) -> str:
    cat = get_catalog()
    if answer.off_topic:
        lines = [cat.off_topic_text, "", "The principles:"]
        lines += [f"  • {p.title} — {p.summary}" for p in cat.principles.values()]
        return "\n".join(lines)
    lines = []
    for n, m in enumerate(answer.principles, 1):
        p = cat.principles[m.key]
        lines.append(f"{n}. {p.title} — {p.summary}")
        lines.append(textwrap.fill(m.why, 88, initial_indent="   Why: ", subsequent_indent="   "))
    if answer.named or (len(answer.principles) == 1 and answer.situation is None):
        p = cat.principles[answer.principles[0].key]
        lines += ["", textwrap.fill(p.explanation, 88), "", "Self-check:"]
        lines += [f"  • {q}" for q in p.self_check]
        if p.crossing_vs_violation:
            lines += ["", textwrap.fill("Crossing vs violation: " + p.crossing_vs_violation, 88)]
        refs = p.code_refs
    else:
        refs = []
    s = answer.situation
    if s:
        lines += ["", f"Situation: {s.title}", "Consider:"]
        lines += [f"  • {c}" for c in s.consider]
        lines += ["Options:"] + [f"  • {o}" for o in s.options]
        lines += ["How you might say it:"] + [f"  “{x}”" for x in s.say_it]
        refs = s.code_refs
    if refs:
        lines += ["", "Codes:"] + [f"  • {r.code} {r.section} {r.title} — {r.gist}" for r in refs]
    lines += ["", textwrap.fill(cat.disclaimer, 88)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bot ask", description="Which boundary principles apply to a question.")
    ap.add_argument("question", nargs="*", help="the question (omit with --jsonl)")
    ap.add_argument("--jsonl", action="store_true", help='read {"id","q"} lines on stdin, write predictions')
    args = ap.parse_args(argv)
    matcher = get_matcher()
    if args.jsonl:
        for n, line in enumerate((ln for ln in sys.stdin if ln.strip()), 1):
            row = json.loads(line)
            a = matcher.answer(row.get("q", ""))
            out = {
                "id": row.get("id", n),
                "principles": [m.key for m in a.principles],
                "situation": a.situation.key if a.situation else None,
                "closest": [s.key for s in a.closest],
                "language": a.language,
            }
            sys.stdout.write(json.dumps(out) + "\n")
        return 0
    if not args.question:
        ap.print_usage(sys.stderr)
        return 2
    print(render_text(matcher.answer(" ".join(args.question))))
    return 0
