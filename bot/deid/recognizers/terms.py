"""Workspace terms: words a workspace's moderators always want removed."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import Candidate
from .base import Doc


def compile_terms(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    cleaned = sorted({" ".join(t.split()) for t in terms if t and t.strip()}, key=len, reverse=True)
    if not cleaned:
        return None
    # whole word, case-insensitive, any run of whitespace between the words
    alts = "|".join(r"\s+".join(re.escape(w) for w in t.split(" ")) for t in cleaned)
    return re.compile(r"(?<![\w])(?:" + alts + r")(?![\w])", re.IGNORECASE)


def find(doc: Doc) -> Iterator[Candidate]:
    rx = compile_terms(doc.terms)
    if rx is None:
        return
    for m in rx.finditer(doc.text):
        yield Candidate(m.start(), m.end(), "ORG", "term", 99, "terms")
