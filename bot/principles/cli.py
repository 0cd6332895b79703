"""`python -m bot ask "question"` and `python -m bot ask --jsonl` (batch, for benchmarks)."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap

from bot.risk import assess
from bot.texts import load_texts

from . import get_catalog, get_matcher
from .matcher import Answer


def render_risk(kind: str) -> str:
    """The risk card as plain text, first in the answer (texts in prompts/risk.yaml)."""
    t = load_texts("risk")
    lines = [t("cli.title", kind=t(f"kinds.{kind}")), *(f"  • {a}" for a in t.raw("cli.actions"))]
    lines += [textwrap.fill(t("cli.duties"), 88), ""]
    return "\n".join(lines)


def render_text(answer: Answer, family: str | None = None) -> str:
    cat = get_catalog()
    fam = cat.code_family(family)
    language = cat.language_names.get(answer.language, answer.language) if answer.language else None
    if answer.off_topic:
        lines = [f"Your question looks like it is in {language}; answers are in English only.", ""] if language else []
        return "\n".join([*lines, cat.off_topic_text])
    lines = [f"(Your question looks like it is in {language}; answers are in English only.)", ""] if language else []
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
    s = answer.situation
    if s:
        lines += ["", f"Situation: {s.title}", "Consider:"]
        lines += [f"  • {c}" for c in s.consider]
        lines += ["Options:"] + [f"  • {o}" for o in s.options]
        lines += ["How you might say it:"] + [f"  “{x}”" for x in s.say_it]
    elif answer.closest:
        lines += ["", "No situation fits clearly. Closest situations (ask about one by its title):"]
        lines += [f"  • {c.title}" for c in answer.closest]
    refs = fam.refs_for([m.key for m in answer.principles], cat, s)
    if refs or not fam.us:
        lines += ["", f"Codes ({fam.name}: {fam.codes}):"] + [
            f"  • {r.code} {r.section} {r.title} — {r.gist}" for r in refs
        ]
        if not fam.us:
            lines += [textwrap.fill(fam.note, 88, initial_indent="  ", subsequent_indent="  ")]
    lines += ["", textwrap.fill(cat.disclaimer, 88)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bot ask", description="Which boundary principles apply to a question.")
    ap.add_argument("question", nargs="*", help="the question (omit with --jsonl)")
    ap.add_argument("--jsonl", action="store_true", help='read {"id","q"} lines on stdin, write predictions')
    ap.add_argument("--code", default=None, help="code family to cite: us, uk, australia, nz, canada, ireland")
    args = ap.parse_args(argv)
    matcher = get_matcher()
    if args.jsonl:
        for n, line in enumerate((ln for ln in sys.stdin if ln.strip()), 1):
            row = json.loads(line)
            q = row.get("q", "")
            kind = assess(q).kind
            a = matcher.answer(q, risk=kind)
            out = {
                "id": row.get("id", n),
                "principles": [m.key for m in a.principles],
                "situation": a.situation.key if a.situation else None,
                "risk": kind,
                "closest": [s.key for s in a.closest],
                "language": a.language,
            }
            sys.stdout.write(json.dumps(out) + "\n")
        return 0
    if not args.question:
        ap.print_usage(sys.stderr)
        return 2
    question = " ".join(args.question)
    kind = assess(question).kind
    if kind is not None:
        # risk first; the boundary answer follows, without a situation's scripts
        answer = matcher.answer(question, risk=kind)
        cat = get_catalog()
        lines = [render_risk(kind)]
        if not answer.off_topic and answer.principles:
            lines.append(load_texts("risk")("cli.below"))
            lines += [f"  • {cat.principles[m.key].title} — {cat.principles[m.key].summary}" for m in answer.principles]
            lines.append("")
        lines.append(textwrap.fill(cat.disclaimer, 88))
        print("\n".join(lines))
        return 0
    print(render_text(matcher.answer(question), get_catalog().family_for_name(args.code or "")))
    return 0
