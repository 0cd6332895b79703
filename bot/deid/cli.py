"""`python -m bot deid "text"` and `python -m bot deid --jsonl < in > out`."""

from __future__ import annotations

import argparse
import json
import sys

from .engine import DeidInputError, get_engine


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bot deid", description="Remove identifying details from a dilemma.")
    ap.add_argument("text", nargs="*", help="text to redact (omit with --jsonl, or to read stdin)")
    ap.add_argument("--jsonl", action="store_true", help='read {"id","text"} lines on stdin, write redactions')
    ap.add_argument("--term", action="append", default=[], help="a workspace term to always remove (repeatable)")
    ap.add_argument("--no-safety-net", action="store_true", help="disable the high-recall safety net")
    a = ap.parse_args(argv)

    if a.no_safety_net:
        from .engine import Deidentifier

        engine = Deidentifier(safety_net=False)
    else:
        engine = get_engine()
    terms = tuple(a.term)

    if a.jsonl:
        return _jsonl(engine, terms)

    text = " ".join(a.text) if a.text else sys.stdin.read()
    try:
        r = engine.redact(text, terms=terms)
    except DeidInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(r.text)
    if r.spans:
        print()
        print(f"{'label':9} {'kind':12} {'placeholder':18} removed")
        for s in r.spans:
            print(f"{s.label:9} {s.kind:12} {s.placeholder:18} {text[s.start : s.end]!r}")
    for w in r.warnings:
        print(f"review: {w}")
    for v in r.review:
        print(f"check: {v.reason:18} {text[v.start : v.end]!r}")
    return 0


def _jsonl(engine, terms: tuple[str, ...]) -> int:
    status = 0
    for n, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            text = rec["text"]
            r = engine.redact(text, terms=terms)
        except (ValueError, KeyError, TypeError, DeidInputError) as exc:
            # the line number only: never echo raw text into logs
            print(f"error: line {n}: {type(exc).__name__}", file=sys.stderr)
            status = 1
            continue
        out = {
            "id": rec.get("id"),
            "text": r.text,
            "spans": [s.as_dict() for s in r.spans],
            "review": [v.as_dict() for v in r.review],
        }
        try:
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        except BrokenPipeError:  # the reader went away (| head): stop quietly
            return status
    return status
