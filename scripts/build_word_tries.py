#!/usr/bin/env python3
"""Build bot/deid/data/<list>.marisa from <list>.txt.gz (run after changing a list).

    python scripts/build_word_tries.py

The .txt.gz lists are the source of truth (see build_deid_lexicons.py); the tries
are what the app loads. tests/deid/test_word_tries.py fails when they disagree.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import marisa_trie

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.deid.wordset import DATA, TRIE_LISTS, trie_path, with_folded  # noqa: E402


def read_list(name: str) -> list[str]:
    with gzip.open(DATA / f"{name}.txt.gz", "rt", encoding="utf-8") as fh:
        return [line for line in fh.read().split("\n") if line]


def main() -> int:
    for name in TRIE_LISTS:
        words = sorted(with_folded(read_list(name)))  # with accent-free forms, as the engine looks them up
        marisa_trie.Trie(words).save(str(trie_path(name)))
        print(f"{name:15} {len(words):7} entries -> {trie_path(name).stat().st_size // 1024} KB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
