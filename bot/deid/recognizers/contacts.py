"""CONTACT: emails, URLs, social handles and phone numbers."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

import phonenumbers

from ..fastre import fast
from ..model import Candidate
from .base import Doc, Intervals

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_TLD = (
    r"(?:com|org|net|edu|gov|io|co|me|info|biz|blog|app|dev|site|online|us|uk|ca|au|nz|ie|de|fr|page|link|ly|tv"
    r"|xyz|health|care|life|studio|art|shop|store|fm|za|sg|hk|ph|pk|ng|ke|nl|dk|fi|pl|gr|il|jp|kr|cn"
    r"|tw|br|mx|news|media|network|club|live|world|email|social|pro)"
)
URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"')\]]+"
    r"|(?<![\w@.-])(?:[A-Za-z0-9-]+\.)+" + _TLD + r"(?:\.[a-z]{2})?(?:/[^\s<>\"')\]]*)?(?![\w@-])",
    re.IGNORECASE,
)
HANDLE = fast(re.compile(r"(?<![\w@./])@[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?"))
# a handle written without its @, after the words that introduce one:
# "his username is ayaan.xo", "WeChat ID: zyx_1999_cd", "her snap is lil.mo"
CUED_HANDLE = fast(
    re.compile(
        r"\b(?:user ?names?|handles?|screen ?names?|gamertags?|(?:wechat|snap(?:chat)?|insta(?:gram)?|ig|tiktok|discord|"
        r"telegram|kik|skype|twitter|threads|reddit|twitch|steam|xbox|psn|roblox)(?: id| name| handle)?|"
        # the cue is a whole word: "ignore." is no "ig" handle
        r"(?:wechat|line|skype|discord) ?id)(?![\w])\s*(?:is|was|=|:|-)?\s*"
        # a handle has a letter and a digit, dot or underscore: "ayaan.xo", "zyx_1999_cd"
        r"(?P<h>(?=[A-Za-z0-9_.-]*[A-Za-z])(?=[A-Za-z0-9_.-]*[\d_.])[A-Za-z0-9_][A-Za-z0-9_.-]{2,29}[A-Za-z0-9_])(?![\w@])",
        re.IGNORECASE,
    )
)
# a run of digits with the separators people type; phonenumbers decides
PHONE = fast(
    re.compile(
        r"(?<![\w+/.-])(?:\+|00)?\(?\d[\d \t().\-]{5,18}\d(?:[ \t]*(?:ext\.?|x|extension|#)[ \t]*\d{1,5})?(?![\w/])",
        re.IGNORECASE,
    )
)
_LAST_GROUP = re.compile(r"[\s.\-()]+[^\s.\-()]*$")
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
    taken = Intervals()
    for m in EMAIL.finditer(text):
        s, e = _strip(m.group(), m.start())
        taken.add(s, e)
        yield Candidate(s, e, "CONTACT", "email", 95, "contact")
    for m in URL.finditer(text):
        if taken.has_point(m.start()):
            continue
        s, e = _strip(m.group(), m.start())
        if text[s:e].lower() in _SAFE_DOMAINS:
            continue
        taken.add(s, e)
        yield Candidate(s, e, "CONTACT", "url", 95, "contact")
    for m in HANDLE.finditer(text):
        if taken.has_point(m.start()):
            continue
        s, e = _strip(m.group(), m.start())
        if e - s > 1:
            yield Candidate(s, e, "CONTACT", "handle", 95, "contact")
    for m in CUED_HANDLE.finditer(text):
        if taken.has_point(m.start("h")):
            continue
        s, e = _strip(m.group("h"), m.start("h"))
        taken.add(s, e)
        yield Candidate(s, e, "CONTACT", "handle", 90, "contact")
    yield from _phones(doc, taken)


def _phones(doc: Doc, taken: Intervals) -> Iterator[Candidate]:
    text = doc.text
    pos = 0
    while True:
        m = PHONE.search(text, pos)
        if m is None:
            return
        s = m.start()
        raw = m.group().rstrip(" .-(")
        if raw.startswith("(") and ")" not in raw:
            raw, s = raw[1:].lstrip(), s + 1 + (len(raw) - 1 - len(raw[1:].lstrip()))
        found = None
        if not taken.has_point(s) and not _looks_like_date(raw):
            found = _longest_number(raw)
        if found:
            yield Candidate(s, s + found, "CONTACT", "phone", 85, "contact")
            pos = s + found
        else:
            # the pattern is greedy: what it swallowed gets its own look from
            # the next group on, exactly as a second pass over our output would
            nxt = re.search(r"[\s.\-)]+\(?(?=\d)", raw)
            pos = s + nxt.end() if nxt else m.end()
        pos = max(pos, s + 1)


def _longest_number(raw: str) -> int:
    """Length of the longest prefix of raw that can be a phone number, or 0."""
    while raw:
        digits = sum(c.isdigit() for c in raw)
        if digits < 7:
            return 0
        if digits <= 15 and _possible(raw):
            return len(raw)
        last = _LAST_GROUP.search(raw)
        if last is None or last.start() == 0:
            return 0
        raw = raw[: last.start()]
    return 0


def _looks_like_date(raw: str) -> bool:
    raw = raw.strip()
    # 3/14/2024-style dates and "2019-2020" year ranges are not numbers to call
    return bool(re.fullmatch(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|(?:19|20)\d\d\s*[-–]\s*(?:19|20)?\d\d", raw))


@functools.lru_cache(maxsize=4096)
def _possible(raw: str) -> bool:
    for region in _REGIONS:
        try:
            num = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(num):
            return True
    return False
