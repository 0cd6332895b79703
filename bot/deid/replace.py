"""Placeholders that keep the dilemma readable.

People become [Person A], [Person B] — the same person keeps one letter
across every text of a submission — exact ages become a band, everything else
a typed placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

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
    r"\[(?:Person [A-Z]{1,2}(?:(?:, | or )[A-Z]{1,2})*|Person|under 10|teens|\d0s|100s|age|email|link|handle|phone|ID|address|postcode|"
    r"place|school|hospital|clinic|place of worship|team|workplace|redacted|date|organisation|contact)\]"
)
NUMBER_WORDS = {  # number words up to ages, read as numbers (also by review_spans)
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
        total += NUMBER_WORDS.get(w, 0)
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


_TITLES = frozenset("mr mrs ms mx miss dr prof sir dame mister madam mme mlle herr frau sr sra srta".split())
_SUFFIXES = frozenset("jr jnr sr snr ii iii iv".split())
# [Person A], and for a bare family name two people share: [Person A or B], [Person A, B or C]
PERSON_PLACEHOLDER_RE = re.compile(r"\[Person ([A-Z]{1,2}(?:(?:, | or )[A-Z]{1,2})*)\]")


def either_placeholder(letters: list[str]) -> str:
    """The honest placeholder for a family name that more than one person bears:
    the reader is told it is one of them, not which."""
    if len(letters) == 1:
        return f"[Person {letters[0]}]"
    return f"[Person {', '.join(letters[:-1])} or {letters[-1]}]"


class _Person:
    __slots__ = ("idx", "given", "family", "bare")

    def __init__(self, idx: int) -> None:
        self.idx = idx
        self.given: set[str] = set()  # given names (and their initials' forms)
        self.family: str | None = None
        self.bare: set[str] = set()  # single words seen alone: given or family, unknown


class PersonBook:
    """Gives each distinct person one letter. 'Sharon Pruitt' then 'Sharon'
    (or 'Pruitt') is the same person; case, titles and suffixes don't matter.
    Two people who share a family name keep two letters ('Linda Okafor' and her
    daughter 'Grace Okafor'); the family name alone is then either of them, and
    says so ('[Person A or B]') rather than picking one."""

    def __init__(self, taken: set[int] | None = None) -> None:
        self._full: dict[str, str] = {}
        self._people: list[_Person] = []
        # letters already standing in the text (re-redacting an edited preview):
        # a newly named person must not become someone else's [Person A]
        self._taken = set(taken or ())

    @classmethod
    def for_texts(cls, texts: Iterable[str | None]) -> PersonBook:
        taken: set[int] = set()
        for text in texts:
            for m in PERSON_PLACEHOLDER_RE.finditer(text or ""):
                for letters in re.findall(r"[A-Z]{1,2}", m.group(1)):
                    taken.add(letter_index(letters))
        return cls(taken)

    def _new(self) -> _Person:
        used = {p.idx for p in self._people} | self._taken
        idx = next(i for i in range(len(used) + 1) if i not in used)
        person = _Person(idx)
        self._people.append(person)
        return person

    def _one(self, people: list[_Person]) -> _Person | None:
        return people[0] if len(people) == 1 else None

    def letter_for(self, surface: str) -> str:
        words = re.findall(r"[^\W\d_]+", surface.casefold())
        titled = bool(words) and words[0] in _TITLES
        parts = [w for w in words if w not in _SUFFIXES and not (titled and w in _TITLES)]
        key = " ".join(parts)
        hit = self._full.get(key)
        if hit is not None:
            return hit
        names = [w for w in parts if len(w) > 1]  # an initial identifies nobody alone
        initials = [w for w in parts if len(w) == 1]
        if len(names) == 1 and initials and parts.index(initials[0]) < parts.index(names[0]):
            ph = self._initialled(initials, names[0])
        else:
            ph = self._place(names, titled, " ".join(initials))
        if key:
            self._full[key] = ph
        return ph

    def _initialled(self, initials: list[str], family: str) -> str:
        """'R. Okafor', 'T.J. Baker': the same person as 'Rosalind Okafor' or 'T.J.'."""
        same_family = [p for p in self._people if p.family == family]
        person = (
            self._one([p for p in same_family if any(g[0] == initials[0] for g in p.given)])
            or self._one([p for p in same_family if not p.given])
            or (None if same_family else self._one([p for p in self._people if " ".join(initials) in p.bare]))
            or self._new()
        )
        person.family = family
        person.given.add(initials[0])
        return self._letter(person)

    def _place(self, names: list[str], titled: bool, initials: str = "") -> str:
        people = self._people
        person: _Person | None
        if not names:
            person = self._new()
            if initials:
                person.bare.add(initials)
            return self._letter(person)
        if len(names) >= 2:
            given, family = names[0], names[-1]
            same_family = [p for p in people if p.family == family]
            person = (
                self._one([p for p in same_family if given in p.given])
                or self._one([p for p in same_family if not p.given])
                or (
                    None
                    if same_family
                    else self._one([p for p in people if p.family is None and (given in p.bare or given in p.given)])
                )
                or (None if same_family else self._one([p for p in people if family in p.bare and not p.given]))
            )
            if person is None:
                person = self._new()
            person.given.update(names[:-1])
            person.family = family
            return self._letter(person)
        w = names[0]
        by_family = [p for p in people if p.family == w]
        by_given = [p for p in people if w in p.given]
        by_bare = [p for p in people if w in p.bare]
        if titled:  # "Mrs Okafor": a family name
            found = by_family or by_bare
        else:  # a word alone is how people are called by their given name first
            found = by_given or by_family or by_bare
        if len(found) > 1:
            return either_placeholder(sorted((person_letter(p.idx) for p in found), key=letter_index))
        person = found[0] if found else self._new()
        if not found:
            if titled:
                person.family = w
            else:
                person.bare.add(w)
        return self._letter(person)

    @staticmethod
    def _letter(person: _Person) -> str:
        return f"[Person {person_letter(person.idx)}]"
