"""Placeholders that keep the dilemma readable.

People become [Person A], [Person B] — the same person keeps one letter
across every text of a submission — exact ages become a band, everything else
a typed placeholder.
"""

from __future__ import annotations

import re

_PLACEHOLDER_BY_KIND = {
    "email": "[email]",
    "url": "[link]",
    "handle": "[handle]",
    "phone": "[phone]",
    "ssn": "[ID]",
    "record": "[ID]",
    "number": "[ID]",
    "address": "[address]",
    "postcode": "[postcode]",
    "town": "[place]",
    "place": "[place]",
    "school": "[school]",
    "hospital": "[hospital]",
    "clinic": "[clinic]",
    "church": "[place of worship]",
    "team": "[team]",
    "workplace": "[workplace]",
    "term": "[redacted]",
    "date": "[date]",
}
_BY_LABEL = {
    "NAME": "[Person]",
    "AGE": "[age]",
    "DATE": "[date]",
    "LOCATION": "[place]",
    "ORG": "[organisation]",
    "CONTACT": "[contact]",
    "ID": "[ID]",
}
# what the engine itself writes; never re-detected on a second pass
PLACEHOLDER_RE = re.compile(
    r"\[(?:Person [A-Z]{1,2}|Person|under 10|teens|\d0s|100s|age|email|link|handle|phone|ID|address|postcode|"
    r"place|school|hospital|clinic|place of worship|team|workplace|redacted|date|organisation|contact)\]"
)
_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}


def age_band(surface: str) -> str:
    n = _age_value(surface)
    if n is None:
        return "[age]"
    if n < 10:
        return "[under 10]"
    if n < 20:
        return "[teens]"
    return f"[{min(n, 100) // 10 * 10}s]"


def _age_value(surface: str) -> int | None:
    m = re.search(r"\d+", surface)
    if m:
        return int(m.group())
    total = 0
    for w in re.findall(r"[a-z]+", surface.lower()):
        total += _WORDS.get(w, 0)
    return total or None


def placeholder(label: str, kind: str, surface: str) -> str:
    if label == "AGE":
        return age_band(surface)
    return _PLACEHOLDER_BY_KIND.get(kind) or _BY_LABEL.get(label, "[redacted]")


def person_letter(n: int) -> str:
    letters = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def letter_index(letters: str) -> int:
    """The inverse of person_letter: A -> 0, Z -> 25, AA -> 26."""
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


class PersonBook:
    """Gives each distinct person one letter. 'Sharon Pruitt' then 'Sharon'
    (or 'Pruitt') is the same person; case and titles don't matter."""

    def __init__(self, taken: set[int] | None = None) -> None:
        self._full: dict[str, int] = {}
        self._part: dict[str, int] = {}
        # letters already standing in the text (re-redacting an edited preview):
        # a newly named person must not become someone else's [Person A]
        self._taken = set(taken or ())

    @classmethod
    def for_texts(cls, texts) -> PersonBook:
        taken = set()
        for text in texts:
            for m in re.finditer(r"\[Person ([A-Z]{1,2})\]", text or ""):
                taken.add(letter_index(m.group(1)))
        return cls(taken)

    def letter_for(self, surface: str) -> str:
        key = " ".join(re.findall(r"[^\W\d_]+", surface.casefold()))
        parts = key.split()
        idx = self._full.get(key)
        if idx is None:
            for p in parts:
                if len(p) > 1 and p in self._part:
                    idx = self._part[p]
                    break
        if idx is None:
            used = set(self._full.values()) | set(self._part.values()) | self._taken
            idx = next(i for i in range(len(used) + 1) if i not in used)
        self._full[key] = idx
        for p in parts:
            if len(p) > 1:
                self._part.setdefault(p, idx)
        return f"[Person {person_letter(idx)}]"
