"""CONTACT: emails, URLs, social handles and phone numbers."""
from __future__ import annotations

import re
from typing import Iterator

import phonenumbers

from ..model import Candidate
from .base import Doc

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_TLD = r"(?:com|org|net|edu|gov|io|co|me|info|biz|blog|app|dev|site|online|us|uk|ca|au|nz|ie|de|fr|page|link|ly|tv|xyz|health|care|life|studio|art|shop|store)"
URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"')\]]+"
    r"|(?<![\w@.-])(?:[A-Za-z0-9-]+\.)+" + _TLD + r"(?:\.[a-z]{2})?(?:/[^\s<>\"')\]]*)?(?![\w@-])",
    re.IGNORECASE,
)
HANDLE = re.compile(r"(?<![\w@./])@[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?")
# a run of digits with the separators people type; phonenumbers decides
PHONE = re.compile(
    r"(?<![\w+/.-])(?:\+|00)?\(?\d[\d\s().\-]{5,18}\d(?:\s*(?:ext\.?|x|extension|#)\s*\d{1,5})?(?![\w/])",
    re.IGNORECASE,
)
_REGIONS = ("US", "GB", "AU", "NZ", "IE", "CA")
_SAFE_DOMAINS = {"doxy.me", "psychologytoday.com"}
_TRAIL = ".,;:!?"


def _strip(s: str, start: int) -> tuple[int, int]:
    end = start + len(s)
    while end > start and s[end - start - 1] in _TRAIL:
        end -= 1
    return start, end


def find(doc: Doc) -> Iterator[Candidate]:
    text = doc.text
    taken: list[tuple[int, int]] = []
    for m in EMAIL.finditer(text):
        s, e = _strip(m.group(), m.start())
        taken.append((s, e))
        yield Candidate(s, e, "CONTACT", "email", 95, "contact")
    for m in URL.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        s, e = _strip(m.group(), m.start())
        if text[s:e].lower() in _SAFE_DOMAINS:
            continue
        taken.append((s, e))
        yield Candidate(s, e, "CONTACT", "url", 95, "contact")
    for m in HANDLE.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        s, e = _strip(m.group(), m.start())
        if e - s > 1:
            yield Candidate(s, e, "CONTACT", "handle", 95, "contact")
    yield from _phones(doc, taken)


def _phones(doc: Doc, taken: list[tuple[int, int]]) -> Iterator[Candidate]:
    text = doc.text
    for m in PHONE.finditer(text):
        raw = m.group().rstrip(" .-(")
        s = m.start()
        if raw.startswith("(") and ")" not in raw:
            raw, s = raw[1:].lstrip(), s + 1 + (len(raw) - 1 - len(raw[1:].lstrip()))
        digits = sum(c.isdigit() for c in raw)
        if digits < 7 or digits > 15 or any(a <= s < b for a, b in taken):
            continue
        if _looks_like_date(raw):
            continue
        if _possible(raw):
            yield Candidate(s, s + len(raw), "CONTACT", "phone", 85, "contact")


def _looks_like_date(raw: str) -> bool:
    return bool(re.fullmatch(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}", raw.strip()))


def _possible(raw: str) -> bool:
    for region in _REGIONS:
        try:
            num = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(num):
            return True
    return False
