"""Regular expressions tried only where a match can start.

Most of the recognisers' patterns open with "no word character before" and a
word from a list ("(?<![\\w])(?:mrn|nhs|medicare|…)", "\\b(?:jan|feb|…)"). Python's
re cannot skip ahead to such a start: it tries every position of the text, and
the engine runs some sixty of these over every text. `fast(rx)` reads the
pattern once (its parse tree) and finds the first few characters any match must
begin with; on a text it then tries the pattern only at the starts of words that
begin so. The matches are the same, in the same order (tests/deid/test_fastre.py
compares every wrapped pattern with the original on generated texts).

A pattern this cannot read (no such opening, or one that may begin with any
character) is returned as it is. On a text holding one of the few letters whose
case-insensitive matches are not their lowercase (dotted and dotless i, long s,
the Kelvin sign), or a digit other than 0-9, the whole text is searched as before.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Iterator
from typing import Any

try:  # Python 3.11+
    from re import _constants as _c  # type: ignore[attr-defined]
    from re import _parser as _p  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

# letters that re.IGNORECASE matches to an ASCII letter, or whose str.lower() is not
# one letter; a text with one of them is searched whole
CASE_ODD = "\u0130\u0131\u017f\u212a"
# digits other than 0-9 (a pattern's \\d matches them; its openings count only 0-9)
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")
_CAP = 4  # characters of a match's opening looked at
_RUN = re.compile(r"\w+")
_WORDCHAR = re.compile(r"\w")
# non-ASCII letters a case-insensitive key may hold: those whose case partners are
# their own upper and lower case (Latin-1 letters, less µ, ß and ÿ)
_PLAIN_LATIN1 = frozenset(chr(c) for c in range(0xC0, 0x100)) - {"\xd7", "\xf7", "\xdf", "\xff"}


def _expand(items: list[Any], cur: str, out: set[str], budget: list[int]) -> None:
    """Every literal opening (up to _CAP characters) a match of `items` may begin
    with; stopping early anywhere is safe (a shorter opening is a weaker filter)."""
    budget[0] -= 1
    if budget[0] < 0:
        raise OverflowError
    if len(cur) >= _CAP or not items:
        out.add(cur[:_CAP])
        return
    op, av = items[0]
    rest = list(items[1:])
    if op is _c.LITERAL:
        _expand(rest, cur + chr(av), out, budget)
    elif op is _c.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        if add_flags or del_flags:
            out.add(cur)
        else:
            _expand(list(sub) + rest, cur, out, budget)
    elif op is _c.BRANCH:
        for alt in av[1]:
            _expand(list(alt) + rest, cur, out, budget)
    elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        lo, hi, sub = av
        if lo == 0:
            _expand(rest, cur, out, budget)
        # one repetition, then the rest when that is all there can be
        _expand(list(sub) + (rest if (lo, hi) in ((0, 1), (1, 1)) else []), cur, out, budget)
    elif op is _c.IN and (chars := _class_chars(av)) is not None:
        for ch in chars:
            _expand(rest, cur + ch, out, budget)
    elif op in (_c.ASSERT, _c.ASSERT_NOT):
        _expand(rest, cur, out, budget)  # an assertion consumes nothing
    else:
        out.add(cur)


def _class_chars(av: list[Any]) -> list[str] | None:
    """The characters of a small class ([ab], [0-9], \\d as ASCII digits: a text with
    other digits is searched whole), or None."""
    chars: list[str] = []
    for o, a in av:
        if o is _c.LITERAL:
            chars.append(chr(a))
        elif o is _c.RANGE and a[1] - a[0] < 10:
            chars.extend(chr(c) for c in range(a[0], a[1] + 1))
        elif o is _c.CATEGORY and a is _c.CATEGORY_DIGIT:
            chars.extend("0123456789")
        else:
            return None
    return chars if len(chars) <= 26 else None


def _word_lookbehind(op: Any, av: Any) -> bool:
    """(?<![\\w…]) or \\b: the character before a match is no word character."""
    if op is _c.AT:
        return av is _c.AT_BOUNDARY
    if op is not _c.ASSERT_NOT:
        return False
    direction, sub = av
    sub = list(sub)
    if direction != -1 or len(sub) != 1:
        return False
    sop, sav = sub[0]
    if sop is _c.IN:
        return any(o is _c.CATEGORY and a is _c.CATEGORY_WORD for o, a in sav) and not any(
            o is _c.NEGATE for o, _ in sav
        )
    return sop is _c.CATEGORY and sav is _c.CATEGORY_WORD


def openings(rx: re.Pattern[str]) -> frozenset[str] | None:
    """Strings (one to four characters; lowercase when the pattern ignores case) one
    of which every match begins with; a match opening with a word character starts
    where a word starts. None when the pattern cannot be read so."""
    if not isinstance(rx.pattern, str) or rx.flags & (re.VERBOSE | re.LOCALE | re.ASCII):
        return None
    try:
        tree = list(_p.parse(rx.pattern, rx.flags))
    except Exception:  # pragma: no cover - it compiled, so it parses
        return None
    # one opening, or alternatives that each open so ("\\b(?:as|per) X|\\bX(?=…)")
    alts = [tree]
    if len(tree) == 1 and tree[0][0] is _c.BRANCH:
        alts = [list(a) for a in tree[0][1][1]]
    out: set[str] = set()
    for alt in alts:
        if not alt or not _word_lookbehind(*alt[0]):
            return None
        try:
            _expand(alt[1:], "", out, [50_000])
        except (OverflowError, RecursionError):
            return None
    if not out or "" in out or len(out) > 5_000:
        return None
    icase = bool(rx.flags & re.IGNORECASE)
    if icase:
        if any(not (ch.isascii() or ch in _PLAIN_LATIN1) for key in out for ch in key):
            return None
        out = {key.lower() for key in out}
    return frozenset(out)


class _TextIndex(threading.local):
    """Per thread, the last few texts searched: where their words start, by opening."""

    def __init__(self) -> None:
        self.texts: list[tuple[str, dict[Any, Any] | None]] = []


_INDEX = _TextIndex()
_KEEP = 3  # the engine searches the text, its normalised form and a masked copy


def _index(text: str) -> dict[Any, Any] | None:
    texts = _INDEX.texts
    for t, ix in texts:
        if t is text or t == text:
            return ix
    ix = None if any(c in text for c in CASE_ODD) or _OTHER_DIGIT.search(text) else {}
    texts.insert(0, (text, ix))
    del texts[_KEEP:]
    return ix


def forget() -> None:
    """Drop this thread's remembered texts (the engine calls it when it is done)."""
    _INDEX.texts = []


_MANY = 32


def _trimmed(keys: list[str]) -> set[str]:
    """The keys cut to the longest length that leaves at most _MANY of them (digits
    and the like multiply: "0F", "10F", … become "0", "1", …); a shorter key is a
    weaker filter, never a wrong one. A key that is a prefix of another makes it moot."""
    for n in range(_CAP, 0, -1):
        cut = {k[:n] for k in keys}
        if len(cut) <= _MANY or n == 1:
            break
    return {k for k in cut if not any(k != o and k.startswith(o) for o in cut)}


class FastPattern:
    """A compiled pattern whose finditer and search (from a position) try it only
    where a match can start; everything else is the pattern's own."""

    __slots__ = ("raw", "_word_keys", "_other_keys", "_icase")

    def __init__(self, raw: re.Pattern[str], keys: frozenset[str]) -> None:
        self.raw = raw
        self._icase = bool(raw.flags & re.IGNORECASE)
        word = _trimmed([k for k in keys if _WORDCHAR.match(k)])
        by_len: dict[int, set[str]] = {}
        for key in word:
            by_len.setdefault(len(key), set()).add(key)
        self._word_keys = tuple((n, frozenset(ks)) for n, ks in sorted(by_len.items()))
        self._other_keys = tuple(sorted(_trimmed([k for k in keys if not _WORDCHAR.match(k)])))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)

    def __repr__(self) -> str:
        return f"fast({self.raw!r})"

    def _starts(self, text: str) -> list[int] | None:
        ix = _index(text)
        if ix is None:
            return None
        done = ix.get(self)
        if done is not None:
            return done  # type: ignore[no-any-return]
        icase = self._icase
        hay: str = text
        if icase:
            low = ix.get("lower")
            if low is None:
                low = ix["lower"] = text.lower()
            hay = low
        got: list[int] = []
        for n, keys in self._word_keys:
            # where words start, by their first n characters
            by = ix.get((n, icase))
            if by is None:
                runs = ix.get("runs")
                if runs is None:
                    runs = ix["runs"] = [m.start() for m in _RUN.finditer(text)]
                by = {}
                for p in runs:
                    by.setdefault(hay[p : p + n], []).append(p)
                ix[(n, icase)] = by
            for key in by.keys() & keys:
                got.extend(by[key])
        for key in self._other_keys:
            p = hay.find(key)
            while p >= 0:
                got.append(p)
                p = hay.find(key, p + 1)
        # no position twice: a key that is a prefix of another was dropped (_trimmed), word
        # keys start where words start and the others never do
        got.sort()
        ix[self] = got
        return got

    def finditer(self, string: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
        starts = self._starts(string) if endpos is None else None
        if starts is None:
            yield from self.raw.finditer(string, pos) if endpos is None else self.raw.finditer(string, pos, endpos)
            return
        match = self.raw.match
        end = pos
        for p in starts[bisect.bisect_left(starts, pos) :]:
            if p < end:
                continue
            m = match(string, p)
            if m is not None:
                yield m
                end = m.end()

    def search(self, string: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        starts = self._starts(string) if endpos is None else None
        if starts is None:
            return self.raw.search(string, pos) if endpos is None else self.raw.search(string, pos, endpos)
        match = self.raw.match
        for p in starts[bisect.bisect_left(starts, pos) :]:
            m = match(string, p)
            if m is not None:
                return m
        return None

    def findall(self, string: str) -> list[Any]:
        if self.raw.groups:
            return self.raw.findall(string)
        return [m.group() for m in self.finditer(string)]


def fast(rx: re.Pattern[str]) -> re.Pattern[str]:
    """`rx`, tried only where a match can start (see the module docstring)."""
    keys = openings(rx)
    if keys is None:
        return rx
    return FastPattern(rx, keys)  # type: ignore[return-value]
