"""Word tokens with the facts the recognisers keep asking about."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# letters/digits joined by inner hyphens or apostrophes: O'Brien, Tanaka-Brooks
WORD_RE = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)
# what may sit between a sentence boundary and the first word of the sentence
MASK = "\u25a1"  # the engine's stand-in for its own placeholders
# "al-Rashid", "el-Amin", "bin-Laden", "d'Souza", "tSaoir", "nGallchóir": a
# capitalised name led by lowercase letters (not "iPhone", "mRNA", "eBay")
_LOWER_LED_NAME = re.compile(
    r"(?:(?:al|el|ad|as|ash|ar|at|az|bin|ben|abu|da|de|di|du|d|l|o)[-'’]|[tnhbgdm])[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]{2}"
)
_LEAD = " \t\"'“‘([*•·>-–—"


@dataclass(slots=True)
class Token:
    """One word and the facts about its letters, computed once (the recognisers ask
    each of them several times per word).

    is_cap: capitalised like a proper noun: Title, CamelCase, or a lone capital;
    also a name behind a lowercase particle or Irish mutation ("al-Rashid",
    "d'Souza", "tSaoir", "hÓgáin"). is_upper, is_lower: str.isupper/islower of the
    text. is_alpha: letters only, inner hyphens and apostrophes aside."""

    i: int
    start: int
    end: int  # possessive 's excluded
    text: str
    lower: str
    possessive: bool
    sent_start: bool
    after_mask: bool = False
    is_cap: bool = field(init=False)
    is_upper: bool = field(init=False)
    is_lower: bool = field(init=False)
    is_alpha: bool = field(init=False)

    def __post_init__(self) -> None:
        t = self.text
        up = t.isupper()
        self.is_upper = up
        self.is_lower = t.islower()
        self.is_alpha = t.replace("-", "").replace("'", "").replace("’", "").isalpha()
        if not t[0].isupper():
            self.is_cap = not self.is_lower and bool(_LOWER_LED_NAME.match(t))
        else:
            self.is_cap = len(t) == 1 or not up or len(t) > 6 and t.isalpha()

    @property
    def head(self) -> str:
        """Last hyphen part, lowercased: 'Ex-client' -> 'client'."""
        return self.lower.rsplit("-", 1)[-1]


def tokenize(text: str) -> list[Token]:
    out: list[Token] = []
    prev_end = 0
    for m in WORD_RE.finditer(text):
        s, e = m.start(), m.end()
        word = m.group()
        poss = False
        pm = _POSSESSIVE.search(word)
        if pm and len(word) > 2:
            e -= 2
            word = word[:-2]
            poss = True
        gap = text[prev_end:s]
        if word in ("s", "S") and not poss and gap[-1:] in ("'", "’") and gap[:-1].endswith(MASK):
            # "[Person A]'s" on a second pass: the possessive belongs to the placeholder,
            # as "Kwame's" was one word on the first pass; it is no word of its own
            continue
        after_mask = MASK in gap
        # right after one of our placeholders we can't tell whether a sentence
        # started (the punctuation may have gone with the redacted span), so
        # count it as a start: the rules that need mid-sentence evidence then
        # stay quiet, and a second pass finds nothing the first did not
        sent = after_mask or not out or _is_boundary(gap)
        out.append(Token(len(out), s, e, word, word.lower(), poss, sent, after_mask))
        prev_end = m.end()
    return out


def _is_boundary(gap: str) -> bool:
    g = gap.rstrip(_LEAD)
    if "\n" in gap:
        return True
    if not g:
        return False
    return g[-1] in ".!?:;…"
