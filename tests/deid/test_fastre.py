"""bot.deid.fastre: a pattern tried only where a match can start finds exactly what
the pattern finds everywhere (finditer, the recognisers' overlapping scan, search
from a position), for every pattern the engine wraps, on the readable corpora and on
generated texts built from each pattern's own openings, other words, digits,
punctuation, mixed case and letters outside ASCII."""

from __future__ import annotations

import importlib
import pkgutil
import random
import re
import sys
from pathlib import Path

import pytest

import bot.deid.recognizers as recognizers
from bot.deid.fastre import CASE_ODD, FastPattern, fast, openings
from bot.deid.lexicons import get_lexicons
from bot.deid.recognizers.base import scan

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import deid_snapshot  # noqa: E402

_MODULES = [f"bot.deid.recognizers.{m.name}" for m in pkgutil.iter_modules(recognizers.__path__)] + [
    "bot.deid.engine",
    "bot.deid.tails",
    "bot.deid.review",
    "bot.deid.review_spans",
]


def _wrapped() -> list[tuple[str, FastPattern]]:
    out: list[tuple[str, FastPattern]] = [("lexicons.region_phrases", get_lexicons().region_phrases)]  # type: ignore[list-item]
    for name in _MODULES:
        mod = importlib.import_module(name)
        for attr, v in vars(mod).items():
            items = v if isinstance(v, (list, tuple)) else [v]
            out += [(f"{name}.{attr}", x) for x in items if isinstance(x, FastPattern)]
    return out


WRAPPED = _wrapped()
_NOISE = ["the", "St.", "Mr", "x", "é", "Ünal", "’s", "(", ")", "/", "-", ".", ",", "\n", "  ", "#", "@", "+", "İ", "٣"]


def _texts(p: FastPattern, rnd: random.Random, n: int) -> list[str]:
    keys = [k for _, ks in p._word_keys for k in sorted(ks)] + list(p._other_keys)
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rnd.randint(1, 12)):
            c = rnd.random()
            if c < 0.4:
                k = rnd.choice(keys)
                parts.append(k.upper() if rnd.random() < 0.3 else k.title() if rnd.random() < 0.3 else k)
            elif c < 0.6:
                parts.append(str(rnd.randint(0, 99999)))
            elif c < 0.8:
                parts.append(rnd.choice(_NOISE))
            else:
                parts.append("".join(rnd.choice("abcxyzABC019 .,-/'") for _ in range(rnd.randint(1, 6))))
        out.append(("" if rnd.random() < 0.3 else " ").join(parts))
    return out


def test_the_engine_wraps_its_whole_text_patterns() -> None:
    assert len(WRAPPED) >= 40


@pytest.mark.parametrize("name,p", WRAPPED, ids=[n for n, _ in WRAPPED])
def test_same_matches_as_the_pattern(name: str, p: FastPattern) -> None:
    rnd = random.Random(name)
    corpus = [t for _, _, t in deid_snapshot.records()]
    for t in corpus[::7] + _texts(p, rnd, 200):
        raw = p.raw
        assert [m.span() for m in p.finditer(t)] == [m.span() for m in raw.finditer(t)], t
        assert [m.span() for m in scan(p, t)] == [m.span() for m in scan(raw, t)], t  # type: ignore[arg-type]
        pos = rnd.randint(0, len(t))
        a, b = p.search(t, pos), raw.search(t, pos)
        assert (a and a.span()) == (b and b.span()), (t, pos)


def test_what_cannot_be_read_is_left_as_it_is() -> None:
    for rx in (re.compile(r"\d+"), re.compile(r"(?<=x)y"), re.compile(r"(?<![\w])[a-z]+\b"), re.compile(r"a|b")):
        assert fast(rx) is rx
    assert openings(re.compile(r"(?<![\w])(?:MRN|nhs)\s", re.I)) == frozenset({"mrn", "nhs"})
    assert openings(re.compile(r"\b(?:Dr|Mrs?)\b")) == frozenset({"Dr", "Mr", "Mrs"})


def test_odd_letters_and_other_digits_search_the_whole_text() -> None:
    p = fast(re.compile(r"(?<![\w])(?:kin|sis)\s+\d", re.I))
    assert isinstance(p, FastPattern)
    for odd in CASE_ODD:
        t = f"my {odd}in 3 and sis 4"
        assert [m.span() for m in p.finditer(t)] == [m.span() for m in p.raw.finditer(t)]  # type: ignore[attr-defined]
    t = "sis \u0663 and kin 4"
    assert [m.span() for m in p.finditer(t)] == [m.span() for m in p.raw.finditer(t)]  # type: ignore[attr-defined]
