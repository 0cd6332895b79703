"""Words the writer checks and removes before posting: the de-identifier's
review spans as words to show, and the words the writer chose, parsed.

Used by the intake preview and by the anonymous reply form alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from bot.deid.normalize import normalize

# a checkbox group holds at most 10 options (Slack's limit)
MAX_REVIEW_WORDS = 10
# what one submission may add, and in all
MAX_CHOSEN = 30
MAX_WORD_CHARS = 100
# the label under which words the writer chose are counted in "What I removed"
CHOSEN = "CHOSEN"
_SPLIT = re.compile(r"[,;\n]+")
_HAS_WORD = re.compile(r"[^\W_]")


def word_key(word: str) -> str:
    """How two spellings of a word are the same word: case, spacing and
    invisible characters aside."""
    return " ".join(normalize(word).text.casefold().split())


def review_words(texts: Sequence[str], results: Sequence[Any], limit: int = MAX_REVIEW_WORDS) -> tuple[str, ...]:
    """The distinct words the de-identifier pointed out, in order of appearance."""
    out: list[str] = []
    seen: set[str] = set()
    for text, r in zip(texts, results, strict=True):
        for v in getattr(r, "review", ()):
            word = " ".join(normalize(text[v.start : v.end]).text.split())
            key = word.casefold()
            if word and key not in seen:
                seen.add(key)
                out.append(word)
    return tuple(out[:limit])


def chosen_words(checked: Iterable[str] | None, typed: str | None) -> list[str]:
    """The ticked words plus the typed ones (separated by commas, semicolons or
    lines), each once; pieces without a letter or digit are dropped."""
    out: list[str] = []
    seen: set[str] = set()
    pieces = [str(w) for w in (checked or [])] + _SPLIT.split(typed or "")
    for piece in pieces:
        word = " ".join(piece.split())[:MAX_WORD_CHARS]
        key = word_key(word)
        if key and _HAS_WORD.search(key) and key not in seen:
            seen.add(key)
            out.append(word)
    return out[:MAX_CHOSEN]


def merge_words(old: Iterable[str], new: Iterable[str]) -> list[str]:
    out = list(old)
    keys = {word_key(w) for w in out}
    for w in new:
        if word_key(w) not in keys:
            keys.add(word_key(w))
            out.append(w)
    return out[-MAX_CHOSEN * 3 :]


def removed_counts(texts: Sequence[str], results: Sequence[Any], chosen: Iterable[str]) -> dict[str, int]:
    """Removed details by label; a workspace-term span that is one of the
    writer's chosen words counts as CHOSEN."""
    keys = {word_key(w) for w in chosen}
    out: dict[str, int] = {}
    for text, r in zip(texts, results, strict=True):
        for s in r.spans:
            label = CHOSEN if keys and s.kind == "term" and word_key(text[s.start : s.end]) in keys else s.label
            out[label] = out.get(label, 0) + 1
    return out
