"""What every recogniser receives, and the small shape they all share."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

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
    # first-pass names from context, fed back by the engine so that a later
    # pass can find the same person's other mentions ("Tom ... Tom really")
    known_names: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        if not self.tokens:
            self.tokens = tokenize(self.text)
        self._by_start = {t.start: t for t in self.tokens}

    def prev(self, tok: Token, n: int = 1) -> Token | None:
        j = tok.i - n
        return self.tokens[j] if j >= 0 else None

    def next(self, tok: Token, n: int = 1) -> Token | None:
        j = tok.i + n
        return self.tokens[j] if j < len(self.tokens) else None

    def gap(self, a: Token, b: Token) -> str:
        """Text between two tokens (a before b), possessive included."""
        return self.text[a.end : b.start]

    def token_at(self, start: int) -> Token | None:
        return self._by_start.get(start)


Recognizer = Callable[[Doc], Iterable[Candidate]]
