"""What every recogniser receives, and the small shape they all share."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from ..lexicons import Lexicons
from ..model import Candidate
from ..tokens import Token, tokenize


@dataclass
class Doc:
    """One normalised text plus lazily shared facts about it."""

    text: str
    lex: Lexicons
    terms: tuple[str, ...] = ()
    tokens: list[Token] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.tokens:
            self.tokens = tokenize(self.text)
        self._by_start = {t.start: t for t in self.tokens}
        # masks[i]: placeholders met up to token i (a token's after_mask says one sits in
        # the gap before it), so "a placeholder between two tokens" is a subtraction
        masks, k = [], 0
        for t in self.tokens:
            k += t.after_mask
            masks.append(k)
        self._masks = masks

    def prev(self, tok: Token, n: int = 1) -> Token | None:
        """The n-th token before, unless a masked placeholder sits between:
        context never reaches across our own placeholders."""
        j = tok.i - n
        if j < 0:
            return None
        m = self._masks
        return None if m[tok.i] != m[j] else self.tokens[j]

    def next(self, tok: Token, n: int = 1) -> Token | None:
        j = tok.i + n
        if j >= len(self.tokens):
            return None
        m = self._masks
        return None if m[j] != m[tok.i] else self.tokens[j]

    def gap(self, a: Token, b: Token) -> str:
        """Text between two tokens (a before b), possessive included."""
        return self.text[a.end : b.start]

    def token_at(self, start: int) -> Token | None:
        return self._by_start.get(start)


Recognizer = Callable[[Doc], Iterable[Candidate]]


def scan(rx: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """Like rx.finditer, but a match may start inside the previous one.

    finditer resumes after each match, so a pattern that swallowed the start
    of a second candidate never sees it; redacting the first then exposes
    the second to a later pass. Looking again from each match's next
    character makes one pass find what any later pass would."""
    pos = 0
    n = len(text)
    while pos <= n:
        m = rx.search(text, pos)
        if m is None:
            return
        yield m
        pos = m.start() + 1


class Intervals:
    """Half-open spans kept sorted and merged where they overlap, so that a
    query costs O(log n) instead of a scan of every span (a scan per candidate
    is quadratic in a long text)."""

    __slots__ = ("_starts", "_ends")

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        for a, b in sorted(spans):
            if b <= a:
                continue
            if self._ends and a < self._ends[-1]:
                self._ends[-1] = max(self._ends[-1], b)
            else:
                self._starts.append(a)
                self._ends.append(b)

    def __bool__(self) -> bool:
        return bool(self._starts)

    def add(self, a: int, b: int) -> None:
        if b <= a:
            return
        i = bisect.bisect_left(self._ends, a + 1)  # first span ending after a
        j = i
        while j < len(self._starts) and self._starts[j] < b:
            a = min(a, self._starts[j])
            b = max(b, self._ends[j])
            j += 1
        self._starts[i:j] = [a]
        self._ends[i:j] = [b]

    def overlaps(self, s: int, e: int) -> bool:
        """Some span shares a character with [s, e)."""
        i = bisect.bisect_left(self._starts, e) - 1
        return i >= 0 and self._ends[i] > s

    def has_point(self, p: int) -> bool:
        i = bisect.bisect_right(self._starts, p) - 1
        return i >= 0 and p < self._ends[i]

    def contains(self, s: int, e: int) -> bool:
        """[s, e) lies inside one (merged) span."""
        i = bisect.bisect_right(self._starts, s) - 1
        return i >= 0 and e <= self._ends[i]
