"""The large word lists, held compactly.

As frozensets, the ~290,000 entries of the name, place and word lists cost ~39 MB
of RSS (each str object plus the set's slots). They are shipped as MARISA tries
(marisa-trie, built by scripts/build_word_tries.py from the .txt.gz lists, which
stay the source of truth, plus the accent-free forms of their entries): ~0.9 MB together, memory-mapped, loaded in milliseconds.
Only membership is asked of them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from pathlib import Path

import marisa_trie

DATA = Path(__file__).resolve().parent / "data"
# The lists held as tries; the small ones (common words, regions) stay frozensets
# because the engine iterates and joins them.
TRIE_LISTS = ("first_names", "surnames", "places", "english_words", "rare_words")


def strip_accents(s: str) -> str:
    if s.isascii():
        return s
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def with_folded(words: Iterable[str]) -> set[str]:
    """The words plus their accent-free forms: the normaliser folds combining
    marks before recognition, so "José" is looked up as "jose"."""
    out = set(words)
    out.update([strip_accents(w) for w in out if not w.isascii()])
    return out


def trie_path(name: str) -> Path:
    return DATA / f"{name}.marisa"


def load_words(name: str) -> marisa_trie.Trie:
    trie = marisa_trie.Trie()
    trie.mmap(str(trie_path(name)))
    return trie
