#!/usr/bin/env python3
"""What the de-identifier outputs on every readable corpus in benchmarks/data, so that a
change meant to make it faster (or tidier) can be shown to change no output at all.

    python scripts/deid_snapshot.py --write OUT.jsonl [--root TREE]   # every output, in full
    python scripts/deid_snapshot.py --compare OLD.jsonl NEW.jsonl     # ids that differ (no text)
    python scripts/deid_snapshot.py --digest [--root TREE]            # one sha256 per corpus

--root runs the engine of another tree (a copy of an earlier commit:
`git archive REV | tar -x -C DIR`), in a subprocess, so that two engines' outputs
are written by the same script. The corpora are the annotated sets whose misses may
be read: held-out files (names ending in _b, _d or _held) are never opened, and of
deid_blind.jsonl only the diagnosis half (b2-001…b2-050). Each line carries the
output text, the spans (with placeholders), the review spans and the warnings, of
`redact` one record at a time and of `redact_many` over each record's sentences (so
that the person book across texts is covered too).

tests/deid/test_snapshot.py compares the engine against the digests in
tests/deid/data/snapshot_digests.json; after a change that is meant to change the
output, rewrite them with `--digest > tests/deid/data/snapshot_digests.json`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
HELD = re.compile(r"_(?:b|d|held)$")
# the diagnosis half only: b2-051…b2-100 are held out (docs/deid.md)
ID_LIMITS = {"deid_blind": "b2-050"}


def corpora(data: Path = DATA) -> list[Path]:
    """The readable annotated de-identification sets (never a held-out one)."""
    out = []
    for p in sorted(data.glob("*.jsonl")):
        stem = p.stem
        if stem.endswith(".markup") or HELD.search(stem):
            continue
        if not (stem.startswith("deid_") or stem.startswith("blind_deid_")):
            continue
        out.append(p)
    return out


def records(data: Path = DATA) -> Iterator[tuple[str, str, str]]:
    for p in corpora(data):
        limit = ID_LIMITS.get(p.stem)
        for ln in p.read_text(encoding="utf-8").splitlines():
            if not ln.strip():
                continue
            r = json.loads(ln)
            if limit is not None and r["id"] > limit:
                continue
            yield p.stem, r["id"], r["text"]


def _sentences(text: str) -> list[str]:
    parts = [s for s in re.split(r"(?<=[.!?])\s+", text) if s]
    return parts[:4] or [text]


def outputs(data: Path = DATA) -> Iterator[dict]:
    from bot.deid import Deidentifier

    engine = Deidentifier()
    for corpus, rid, text in records(data):
        r = engine.redact(text)
        many = engine.redact_many(_sentences(text))
        yield {
            "corpus": corpus,
            "id": rid,
            "text": r.text,
            "spans": [[s.start, s.end, s.label, s.kind, s.placeholder] for s in r.spans],
            "review": [[v.start, v.end, v.reason] for v in r.review],
            "warnings": r.warnings,
            "removed": r.removed,
            "many": [[m.text, [[s.start, s.end, s.placeholder] for s in m.spans]] for m in many],
        }


def _line(o: dict) -> str:
    return json.dumps(o, ensure_ascii=False, sort_keys=True)


def digests(lines: list[str]) -> dict[str, str]:
    by: dict[str, hashlib._Hash] = {}
    for ln in lines:
        corpus = json.loads(ln)["corpus"]
        by.setdefault(corpus, hashlib.sha256()).update(ln.encode("utf-8") + b"\n")
    return {k: h.hexdigest() for k, h in sorted(by.items())}


def _from_tree(root: Path) -> list[str]:
    """The output lines of the engine in another tree (this script's own code, that engine)."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); sys.path.insert(1, sys.argv[2]);"
        "import deid_snapshot as s, pathlib;"
        "[print(s._line(o)) for o in s.outputs(pathlib.Path(sys.argv[3]))]"
    )
    res = subprocess.run(
        [sys.executable, "-c", code, str(root), str(ROOT / "scripts"), str(DATA)],
        check=True,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=root,
    )
    return res.stdout.splitlines()


def lines_for(root: Path | None) -> list[str]:
    if root is not None and root.resolve() != ROOT:
        return _from_tree(root.resolve())
    sys.path.insert(0, str(ROOT))
    return [_line(o) for o in outputs()]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", type=Path, help="the tree whose engine to run (default: this one)")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--write", type=Path)
    g.add_argument("--compare", nargs=2, type=Path)
    g.add_argument("--digest", action="store_true")
    a = ap.parse_args()
    if a.compare:
        old = {(o["corpus"], o["id"]): o for o in map(json.loads, a.compare[0].read_text("utf-8").splitlines())}
        new = {(o["corpus"], o["id"]): o for o in map(json.loads, a.compare[1].read_text("utf-8").splitlines())}
        differ = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
        for corpus, rid in differ:
            fields = sorted(
                f
                for f in (old.get((corpus, rid)) or {})
                if (old.get((corpus, rid)) or {}).get(f) != (new.get((corpus, rid)) or {}).get(f)
            )
            print(f"{corpus} {rid}: {' '.join(fields)}")
        print(f"{len(old)} records before, {len(new)} after, {len(differ)} differ")
        return 1 if differ else 0
    lines = lines_for(a.root)
    if a.write:
        a.write.write_text("".join(ln + "\n" for ln in lines), encoding="utf-8")
        print(f"{len(lines)} records -> {a.write}")
    else:
        print(json.dumps(digests(lines), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
