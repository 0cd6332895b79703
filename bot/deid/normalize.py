"""Normalisation before detection, with a map back to the caller's offsets.

Invisible characters are the cheapest way to smuggle a name past a matcher
(`Ro\u200bsalind`, `R\ufe0fo\ufe0fsa`, a tag character, a NUL inside a phone
number), and look-alike forms (full-width letters, ligatures, a name buried
under stacked combining marks, a name typed backwards inside a right-to-left
override) hide it as well. Before recognition this module

- removes every Default_Ignorable_Code_Point (the whole set, `DEFAULT_IGNORABLE`)
  and the C0/C1 control characters other than whitespace;
- folds each base character with its combining marks as one unit: NFKD, then
  the nonspacing and enclosing marks (Mn, Me) that a letter or digit carries
  are dropped, then NFKC recomposes what is left ("Ŕ̷̢o" -> "Ro", "ﬁ" -> "fi");
- puts text inside a RIGHT-TO-LEFT OVERRIDE (U+202E) in the order a reader
  sees it, so "\u202eanirak\u202c" is recognised as the name it displays.

Every normalised character remembers the original characters it came from, so
spans found here are mapped back onto the caller's text. `clean_output` is for
the text the engine returns: no bidi control and no invisible carrier survives.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from typing import Any

# Default_Ignorable_Code_Point, from the Unicode Character Database,
# DerivedCoreProperties.txt, Unicode 16.0.0 (the set is the same in 15.0 and
# 15.1): 4,174 code points. Python's unicodedata has no such property, so the
# ranges are written out here (inclusive).
DEFAULT_IGNORABLE: tuple[tuple[int, int], ...] = (
    (0x00AD, 0x00AD),  # SOFT HYPHEN
    (0x034F, 0x034F),  # COMBINING GRAPHEME JOINER
    (0x061C, 0x061C),  # ARABIC LETTER MARK
    (0x115F, 0x1160),  # HANGUL CHOSEONG FILLER..HANGUL JUNGSEONG FILLER
    (0x17B4, 0x17B5),  # KHMER VOWEL INHERENT AQ..KHMER VOWEL INHERENT AA
    (0x180B, 0x180F),  # MONGOLIAN FREE VARIATION SELECTORS, VOWEL SEPARATOR
    (0x200B, 0x200F),  # ZERO WIDTH SPACE..RIGHT-TO-LEFT MARK
    (0x202A, 0x202E),  # LEFT-TO-RIGHT EMBEDDING..RIGHT-TO-LEFT OVERRIDE
    (0x2060, 0x206F),  # WORD JOINER..NOMINAL DIGIT SHAPES (incl. isolates, reserved 2065)
    (0x3164, 0x3164),  # HANGUL FILLER
    (0xFE00, 0xFE0F),  # VARIATION SELECTOR-1..VARIATION SELECTOR-16
    (0xFEFF, 0xFEFF),  # ZERO WIDTH NO-BREAK SPACE
    (0xFFA0, 0xFFA0),  # HALFWIDTH HANGUL FILLER
    (0xFFF0, 0xFFF8),  # reserved
    (0x1BCA0, 0x1BCA3),  # SHORTHAND FORMAT LETTER OVERLAP..SHORTHAND FORMAT UP STEP
    (0x1D173, 0x1D17A),  # MUSICAL SYMBOL BEGIN BEAM..MUSICAL SYMBOL END PHRASE
    (0xE0000, 0xE0FFF),  # tags (E0001, E0020..E007F), VARIATION SELECTOR-17..256, reserved
)
_IGN_STARTS = [a for a, _ in DEFAULT_IGNORABLE]

# the bidirectional formatting characters: embeddings, overrides, isolates, marks
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_RLO, _LRO, _RLE, _LRE, _PDF = "\u202e", "\u202d", "\u202b", "\u202a", "\u202c"
_RLI, _LRI, _FSI, _PDI = "\u2067", "\u2066", "\u2068", "\u2069"

_WHITESPACE_CONTROLS = frozenset("\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85")


def is_default_ignorable(ch: str) -> bool:
    cp = ord(ch)
    i = bisect.bisect_right(_IGN_STARTS, cp) - 1
    return i >= 0 and cp <= DEFAULT_IGNORABLE[i][1]


def _dropped(ch: str) -> bool:
    """Removed before recognition: default ignorables and non-whitespace controls."""
    cp = ord(ch)
    if cp < 0x20 or 0x7F <= cp <= 0x9F:
        return ch not in _WHITESPACE_CONTROLS
    return cp >= 0xAD and is_default_ignorable(ch)


# a quick test that a text holds nothing the slow path would change
_ASCII_PLAIN = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")


class Normalized:
    __slots__ = ("text", "_starts", "_ends", "_orig_len", "_monotonic")

    def __init__(self, text: str, starts: list[int], ends: list[int], orig_len: int, monotonic: bool = True):
        self.text = text
        self._starts = starts  # per normalised character: first original character it came from
        self._ends = ends  # ... and the end of its source (marks and invisibles folded into it)
        self._orig_len = orig_len
        self._monotonic = monotonic

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span on the normalised text to the original text.
        A span takes whole source units: a letter with the marks folded into it,
        an expansion ("ﬁ" -> "fi") cut in the middle takes its whole source."""
        if end <= start:
            a = self._starts[start] if start < len(self._starts) else self._orig_len
            return a, a
        if self._monotonic:
            return self._starts[start], self._ends[end - 1]
        return min(self._starts[start:end]), max(self._ends[start:end])


_ASCII_CHARS = frozenset(chr(c) for c in range(128))


@functools.lru_cache(maxsize=4096)
def _kept_as_is(ch: str) -> bool:
    """A character the slow path below would emit unchanged, in place: not dropped,
    no bidi control, no mark, folded to itself."""
    return (
        ch not in BIDI_CONTROLS
        and not _dropped(ch)
        and not unicodedata.combining(ch)
        and unicodedata.category(ch)[0] != "M"
        and fold(ch) == ch
    )


def normalize(text: str) -> Normalized:
    n = len(text)
    if not _ASCII_PLAIN.search(text) and (text.isascii() or all(map(_kept_as_is, set(text) - _ASCII_CHARS))):
        # the common case: nothing to fold or drop (ASCII, or curly quotes, dashes, emoji…)
        idx = list(range(n))
        return Normalized(text, idx, list(range(1, n + 1)), n)

    # 1. clusters: (start, end, folded text), invisibles dropped, marks kept with their base;
    #    each cluster is tagged with whether a right-to-left override is in force
    clusters: list[list[Any]] = []  # [start, end, chars, reversed]
    stack: list[str] = []  # open embeddings/overrides/isolates
    for i, ch in enumerate(text):
        if ch in BIDI_CONTROLS:
            if ch in (_RLO, _LRO, _RLE, _LRE, _RLI, _LRI, _FSI):
                stack.append(ch)
            elif ch == _PDF:
                # closes the innermost embedding/override, not across an isolate
                if stack and stack[-1] in (_RLO, _LRO, _RLE, _LRE):
                    stack.pop()
            elif ch == _PDI:
                while stack and stack[-1] not in (_RLI, _LRI, _FSI):
                    stack.pop()
                if stack:
                    stack.pop()
            if clusters:
                clusters[-1][1] = i + 1
            continue
        if ch in "\n\r\x85\u2029":
            stack.clear()  # a paragraph ends every embedding
        if _dropped(ch):
            if clusters:
                clusters[-1][1] = i + 1  # an invisible belongs to the character before it
            continue
        if clusters and (unicodedata.combining(ch) or unicodedata.category(ch)[0] == "M"):
            # a mark goes with its base (invisibles between them were dropped)
            clusters[-1][2] += ch
            clusters[-1][1] = i + 1
            continue
        rtl = bool(stack) and stack[-1] == _RLO
        clusters.append([i, i + 1, ch, rtl])

    # 2. the characters a reader sees, in reading order
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    monotonic = True
    k = 0
    while k < len(clusters):
        if not clusters[k][3]:
            _emit(clusters[k], out, starts, ends)
            k += 1
            continue
        j = k
        while j < len(clusters) and clusters[j][3]:
            j += 1
        monotonic = False
        for c in reversed(clusters[k:j]):
            _emit(c, out, starts, ends)
        k = j
    return Normalized("".join(out), starts, ends, n, monotonic)


def _emit(cluster: list[Any], out: list[str], starts: list[int], ends: list[int]) -> None:
    s, e, chars, _ = cluster
    for f in fold(chars):
        out.append(f)
        starts.append(s)
        ends.append(e)


def fold(cluster: str) -> str:
    """One base character with its combining marks, folded for recognition:
    marks on a letter or digit are dropped; anything else is NFKC-normalised."""
    if len(cluster) == 1 and cluster.isascii():
        return cluster
    d = unicodedata.normalize("NFKD", cluster)
    base = d[:1]
    if base and unicodedata.category(base)[0] in "LN":
        d = "".join(c for c in d if unicodedata.category(c) not in ("Mn", "Me"))
    return unicodedata.normalize("NFKC", d)


# ---------------------------------------------------------------------------
# what the engine returns


def _output_drop(ch: str, prev: str) -> bool:
    if ch in BIDI_CONTROLS:
        return True
    cp = ord(ch)
    if cp < 0x20 or 0x7F <= cp <= 0x9F:
        return ch not in _WHITESPACE_CONTROLS
    if cp < 0xAD or not is_default_ignorable(ch):
        return False
    # a joiner between two visible characters and one emoji/text presentation
    # selector right after a visible one shape what a reader sees; every other
    # invisible (tags, runs of selectors, fillers) can only carry hidden data
    if ch in "\u200c\u200d":
        return not prev or prev in "\u200c\u200d" or is_default_ignorable(prev)
    if ch in "\ufe0e\ufe0f":
        return not prev or is_default_ignorable(prev)
    return True


def clean_output(text: str) -> str:
    """The engine's returned text: no bidi control (balanced or not), no control
    character, no invisible carrier, no lone surrogate."""
    if text.isascii() and not _ASCII_PLAIN.search(text):
        return text
    out: list[str] = []
    prev = ""
    for ch in text:
        if "\ud800" <= ch <= "\udfff":
            ch = "\ufffd"
        if _output_drop(ch, prev):
            continue
        out.append(ch)
        prev = ch
    # a joiner left at the very end joins nothing
    while out and out[-1] in "\u200c\u200d":
        out.pop()
    return "".join(out)
