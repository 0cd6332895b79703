"""Word lists loaded once per process (see scripts/build_deid_lexicons.py)."""

from __future__ import annotations

import gzip
import re
import threading
from collections.abc import Iterable
from pathlib import Path

from bot.deid.fastre import fast
from bot.deid.wordset import load_words, strip_accents, with_folded

DATA = Path(__file__).resolve().parent / "data"


def _read_gz_lines(name: str) -> list[str]:
    with gzip.open(DATA / f"{name}.txt.gz", "rt", encoding="utf-8") as fh:
        return [line for line in fh.read().split("\n") if line]


def _with_folded(words: Iterable[str]) -> frozenset[str]:
    return frozenset(with_folded(words))


def _read_allowlist() -> tuple[frozenset[str], frozenset[str]]:
    """(safe words in any case, acronyms safe only when not Title-cased)."""
    words: set[str] = set()
    acronyms: set[str] = set()
    for line in (DATA / "allowlist.txt").read_text(encoding="utf-8").splitlines():
        for w in line.split("#", 1)[0].split():
            (acronyms if w.isupper() else words).add(w.lower())
    return _with_folded(words), _with_folded(acronyms)


def _read_words(name: str) -> frozenset[str]:
    """Whitespace-separated lowercase words; '#' starts a comment."""
    out: set[str] = set()
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        out.update(w.lower() for w in line.split("#", 1)[0].split())
    return frozenset(out)


def _read_list(name: str) -> frozenset[str]:
    out = set()
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip().lower()
        if line:
            out.add(line)
    return _with_folded(out)


# the parts of a hyphenated word that make it a word whatever stands beside them
_PREFIXES = frozenset(
    "co re pre non anti ex step self post multi semi sub inter intra over under pseudo quasi neo mid cross "
    "counter trans bi tri un de dis mis hyper hypo meta micro macro mini tele half".split()
)
_DESCRIPTORS = frozenset(
    "ish esque style like type based informed oriented focused adjacent inspired leaning friendly heavy lite "
    "centred centered led driven aware sensitive specific related flavoured flavored adjacent approved certified "
    "trained".split()
)


class Lexicons:
    def __init__(self) -> None:
        self._first_cache: dict[str, bool] = {}
        self._surname_cache: dict[str, bool] = {}
        self._place_cache: dict[str, bool] = {}
        self._place_prefix_cache: dict[str, bool] = {}
        self.first_names = load_words("first_names")
        self.surnames = load_words("surnames")
        self.places = load_words("places")
        self.words = load_words("english_words")
        # small lists stay frozensets: they are iterated, joined and matched as phrases
        self.common_words = _with_folded(_read_gz_lines("common_words"))
        self.regions = _with_folded(_read_gz_lines("regions")) | _read_list("regions_extra.txt")
        # multi-word regions as phrases ("New South Wales", "Tamil Nadu"):
        # the engine keeps name and gazetteer guesses off them
        multi = sorted((r for r in self.regions if " " in r or "-" in r), key=len, reverse=True)
        self.region_phrases = fast(
            re.compile(
                r"(?<![\w])(?:" + "|".join(re.escape(r).replace(r"\ ", r"\s+") for r in multi) + r")(?![\w])",
                re.IGNORECASE,
            )
        )
        self.rare_words = load_words("rare_words")
        self.allow, self.acronyms = _read_allowlist()
        # chat spellings ("hasnt", "sesh", "appt") are words, unless a name list has them too ("ty")
        self.chat_words = frozenset(
            w for w in _read_words("chat_words.txt") if not (self.is_first(w) or self.is_surname(w)) or w in self.words
        )
        self._word_cache: dict[str, bool] = {}
        self._lock = threading.Lock()

    def is_word(self, lower: str) -> bool:
        """True if `lower` is an ordinary English word (or a form of one)."""
        hit = self._word_cache.get(lower)
        if hit is not None:
            return hit
        hit = self._is_word(lower)
        if len(self._word_cache) < 50_000:  # bounded: a hostile text can't grow it forever
            self._word_cache[lower] = hit
        return hit

    def _is_word(self, w: str) -> bool:
        if w in self.words or w in self.allow or w in self.chat_words:
            return True
        if "-" in w:
            parts = [p for p in w.split("-") if p]
            # "chun-kit", "man-yee", "min-jun": two given-name syllables are
            # a name even when each is also a word ("check-in" is a word:
            # "in" is common, and no name)
            if len(parts) == 2 and parts[0] in _PREFIXES and self._is_word(parts[1]):
                return True  # "co-parenting", "self-harm": a prefix, never a given name
            if (
                len(parts) == 2
                and parts[0] != parts[1]
                and all(self.is_first(p) for p in parts)
                and parts[1] not in self.common_words
                and "".join(parts) not in self.words
            ):
                return False
            if not parts:
                return False
            # "CBT-ish", "trauma-informed", "EMDR-adjacent", "Rogerian-ish": a descriptor
            if parts[-1] in _DESCRIPTORS and len(parts) == 2:
                return True
            # "Co-parenting", "Step-parenting", "DBT-informed", "non-CBT": prefixes and acronyms are words here
            return all(
                p.isdigit() or self._is_word(p) or p in self.acronyms or (k < len(parts) - 1 and p in _PREFIXES)
                for k, p in enumerate(parts)
            )
        a = strip_accents(w)
        if a != w and a in self.words:
            return True
        # inflections the frequency list may lack in its filtered form
        for suf, rep in (
            ("'s", ""),
            ("’s", ""),
            ("ies", "y"),
            ("es", ""),
            ("s", ""),
            ("ed", ""),
            ("ed", "e"),
            ("ing", ""),
            ("ing", "e"),
            ("ly", ""),
            ("er", ""),
            ("ers", ""),
            ("ness", ""),
            ("ful", ""),
        ):
            if w.endswith(suf) and len(w) - len(suf) >= 3:
                base = w[: len(w) - len(suf)] + rep
                if base in self.words:
                    return True
        return False

    def near_word(self, lower: str) -> bool:
        """One edit (a letter dropped, added, changed or swapped) from a
        common English word: a misspelling ("referance", "recieved") rather
        than an unlisted name. Only asked about lowercase words that no
        list knows, so it is rare and may be slowish."""
        w = lower
        if len(w) < 6 or not w.isalpha():
            return False
        letters = "abcdefghijklmnopqrstuvwxyz"
        words = self.words
        for i in range(len(w) + 1):
            a, b = w[:i], w[i:]
            if b and a + b[1:] in words:
                return True
            if len(b) > 1 and a + b[1] + b[0] + b[2:] in words:
                return True
            for c in letters:
                if b and a + c + b[1:] in words or a + c + b in words:
                    return True
        return False

    def is_rare_word(self, lower: str) -> bool:
        """Seen in English text but unproven as a word; excuses a capital only
        where every word is capitalised anyway (a sentence start)."""
        return lower in self.rare_words

    # the name and place lists are tries (a lookup encodes the word and folds its
    # accents); the recognisers ask about the same few hundred words many times a text,
    # so the answers are kept, bounded like the word cache
    def is_first(self, lower: str) -> bool:
        hit = self._first_cache.get(lower)
        if hit is None:
            hit = lower in self.first_names or strip_accents(lower) in self.first_names
            if len(self._first_cache) < 50_000:
                self._first_cache[lower] = hit
        return hit

    def is_surname(self, lower: str) -> bool:
        hit = self._surname_cache.get(lower)
        if hit is None:
            hit = lower in self.surnames or strip_accents(lower) in self.surnames
            if len(self._surname_cache) < 50_000:
                self._surname_cache[lower] = hit
        return hit

    def is_place(self, lower: str) -> bool:
        hit = self._place_cache.get(lower)
        if hit is None:
            hit = lower in self.places or strip_accents(lower) in self.places
            if len(self._place_cache) < 50_000:
                self._place_cache[lower] = hit
        return hit

    def place_prefix(self, lower: str) -> bool:
        """Some listed place of several words starts with this word ("saratoga" for
        "saratoga springs"); asked before building the longer keys."""
        hit = self._place_prefix_cache.get(lower)
        if hit is None:
            places = self.places
            hit = any(True for _ in places.iterkeys(lower + " ")) or any(
                True for _ in places.iterkeys(strip_accents(lower) + " ")
            )
            if len(self._place_prefix_cache) < 50_000:
                self._place_prefix_cache[lower] = hit
        return hit


_LEX: Lexicons | None = None
_LEX_LOCK = threading.Lock()


def get_lexicons() -> Lexicons:
    global _LEX
    if _LEX is None:
        with _LEX_LOCK:
            if _LEX is None:
                _LEX = Lexicons()
    return _LEX
