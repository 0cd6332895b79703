"""Normalisation before detection, with a map back to the caller's offsets.

Invisible characters are the cheapest way to smuggle a name past a matcher
(`Ro\u200bsalind`), and NFKC folds look-alike forms (full-width letters,
ligatures) onto the ones our lexicons hold. Both change lengths, so every
normalised character remembers which original character it came from.
"""

from __future__ import annotations

import unicodedata

# zero-width space/joiners, word joiner, BOM, soft hyphen, Mongolian vowel
# separator, bidi marks and isolates: none of them carries meaning in a dilemma
_DROP = frozenset(
    "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u034f"
)


class Normalized:
    __slots__ = ("text", "_orig_index", "_orig_len")

    def __init__(self, text: str, orig_index: list[int], orig_len: int):
        self.text = text
        self._orig_index = orig_index  # len(text) + 1 entries
        self._orig_len = orig_len

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span on the normalised text to the original text."""
        a = self._orig_index[start]
        if end <= start:
            return a, a
        last = self._orig_index[end - 1]
        nxt = self._orig_index[end]
        # run up to the next kept character so combining marks that were folded
        # into the last letter stay inside the span; an expansion ("ﬁ" -> "fi")
        # cut in the middle takes its whole source character
        b = nxt if nxt > last else last + 1
        return a, min(b, self._orig_len)


def normalize(text: str) -> Normalized:
    out: list[str] = []
    index: list[int] = []
    cluster: list[str] = []
    cluster_at = 0

    def flush() -> None:
        if cluster:
            # a base character with its combining marks is folded as one unit
            # so "e" + U+0301 composes to "é" and stays inside the word
            for f in unicodedata.normalize("NFKC", "".join(cluster)):
                out.append(f)
                index.append(cluster_at)
            cluster.clear()

    if text.isascii():
        # the common case: nothing to fold; only ASCII soft hyphens aside
        return Normalized(text, list(range(len(text) + 1)), len(text))
    for i, ch in enumerate(text):
        if ch in _DROP:
            continue
        if cluster and unicodedata.combining(ch):
            cluster.append(ch)
            continue
        flush()
        cluster.append(ch)
        cluster_at = i
    flush()
    index.append(len(text))
    return Normalized("".join(out), index, len(text))
