"""`python -m bot deid "text"` and `python -m bot deid --jsonl < in > out`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable

from .engine import Deidentifier, DeidInputError, get_engine


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bot deid", description="Remove identifying details from a dilemma.")
    ap.add_argument("text", nargs="*", help="text to redact (omit with --jsonl, or to read stdin)")
    ap.add_argument(
        "--jsonl",
        action="store_true",
        help='read {"id","text"} lines on stdin, write one line per non-blank input line: the '
        "redaction, or "
        '{"id","line","error"} for a line that cannot be read (the rest go on)',
    )
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


class LineError(Exception):
    """A --jsonl line that cannot be redacted; `code` is what the output line says."""

    def __init__(self, code: str, rec_id: object = None) -> None:
        super().__init__(code)
        self.code = code
        self.rec_id = rec_id


_ID_TYPES = (str, int, float, bool, type(None))


def _lines() -> Iterable[bytes | str]:
    """Input lines as bytes when stdin has a byte layer (so one undecodable line
    cannot stop the loop), otherwise as the text stream gives them."""
    buf = getattr(sys.stdin, "buffer", None)
    return buf if buf is not None else sys.stdin


def _decode(raw: bytes | str) -> str:
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise LineError("invalid_utf8") from None


def _record(line: str) -> tuple[object, str]:
    try:
        rec = json.loads(line)
    except (ValueError, RecursionError):
        raise LineError("invalid_json") from None
    if not isinstance(rec, dict):
        raise LineError("not_an_object")
    rec_id = rec.get("id")
    if not isinstance(rec_id, _ID_TYPES):
        raise LineError("bad_id")
    if "text" not in rec:
        raise LineError("missing_text", rec_id)
    text = rec["text"]
    if not isinstance(text, str):
        raise LineError("text_not_a_string", rec_id)
    # JSON may escape a lone surrogate ("\ud800"): it is no character, cannot be
    # written as UTF-8, and would make every offset after it disagree between readers
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise LineError("lone_surrogate", rec_id) from None
    return rec_id, text


def _jsonl(engine: Deidentifier, terms: tuple[str, ...]) -> int:
    status = 0
    for n, raw in enumerate(_lines(), 1):
        rec_id = None
        try:
            line = _decode(raw)
            if not line.strip():
                continue
            rec_id, text = _record(line)
            try:
                r = engine.redact(text, terms=terms)
            except DeidInputError:
                raise LineError("too_long", rec_id) from None
            out = {
                "id": rec_id,
                "text": r.text,
                "spans": [s.as_dict() for s in r.spans],
                "review": [v.as_dict() for v in r.review],
            }
        except LineError as exc:
            # the line number and a code only: never echo raw text into logs
            print(f"error: line {n}: {exc.code}", file=sys.stderr)
            status = 1
            out = {"id": exc.rec_id, "line": n, "error": exc.code}
        except Exception as exc:  # an engine bug on one record must not lose the ones after it
            print(f"error: line {n}: internal {type(exc).__name__}", file=sys.stderr)
            status = 1
            out = {"id": rec_id, "line": n, "error": "internal"}
        try:
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        except BrokenPipeError:  # the reader went away (| head): stop quietly
            return status
    return status
