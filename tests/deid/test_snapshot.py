"""The engine's whole output on every readable annotated corpus is what it was when
tests/deid/data/snapshot_digests.json was written (scripts/deid_snapshot.py).

A change made for speed must leave this green. A change meant to alter the output
rewrites the digests (`python scripts/deid_snapshot.py --digest >
tests/deid/data/snapshot_digests.json`) in the same commit, and says so; which records
changed, against a copy of an earlier commit: `--write` with `--root` for both, then
`--compare`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import deid_snapshot  # noqa: E402


def test_output_unchanged_on_every_readable_corpus() -> None:
    expected = json.loads((ROOT / "tests" / "deid" / "data" / "snapshot_digests.json").read_text("utf-8"))
    lines = deid_snapshot.lines_for(None)
    assert len(lines) > 1000
    got = deid_snapshot.digests(lines)
    assert sorted(got) == sorted(expected)
    changed = [c for c in expected if got[c] != expected[c]]
    assert not changed, f"output changed on {changed}; see the module docstring"


def test_no_held_out_corpus_is_read() -> None:
    names = [p.stem for p in deid_snapshot.corpora()]
    assert names and not [n for n in names if n.endswith(("_b", "_d", "_held"))]
    assert all(rid <= "b2-050" for c, rid, _ in deid_snapshot.records() if c == "deid_blind")
