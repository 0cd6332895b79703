"""Tokenising and light stemming shared by the catalog lookup and the matcher.

Both the YAML vocabulary and the user's question go through the same
`normalize`, so plural/tense variants meet without a real stemmer.
"""

from __future__ import annotations

import re
from functools import lru_cache

_TOKEN = re.compile(r"\$|[a-z0-9]+(?:['’][a-z]+)?")
# short function words that merely end in "s"; stripping would make "this" -> "thi"
_KEEP = frozenset(
    "this his hers its is was has does yes us bus gas plus thus news always perhaps across less ours yours theirs".split()
)
_DOUBLE = re.compile(r"([bdfgmnprt])\1$")
# British spellings meet American ones: behaviour/behavior, realise/realize, analyse/analyze.
# Both the vocabulary and the question are normalised, so the rewrite only has to be consistent.
_BRITISH = (
    (re.compile(r"^([a-z]{3,})our(s|ed|ing|ite|ites|able)?$"), r"\1or\2"),
    (re.compile(r"^([a-z]{3,})is(e|es|ed|ing|ation|ations)$"), r"\1iz\2"),
    (re.compile(r"^([a-z]{3,})ys(e|es|ed|ing)$"), r"\1yz\2"),
)


# irregular verb forms the suffix rules can't reach: "gave me", "brought", "held her hand"
_IRREGULAR = {
    "gave": "give",
    "given": "give",
    "brought": "bring",
    "took": "take",
    "taken": "take",
    "saw": "see",
    "seen": "see",
    "met": "meet",
    "wrote": "write",
    "written": "write",
    "sent": "send",
    "bought": "buy",
    "told": "tell",
    "ran": "run",
    "went": "go",
    "gone": "go",
    "held": "hold",
    "felt": "feel",
    "paid": "pay",
    "lent": "lend",
    "came": "come",
    "kept": "keep",
    "left": "leave",
    "made": "make",
    "said": "say",
    "thought": "think",
    "found": "find",
    "got": "get",
    "gotten": "get",
    "knew": "know",
    "known": "know",
    "fell": "fall",
    "began": "begin",
    "begun": "begin",
    "drove": "drive",
    "driven": "drive",
    "hugged": "hug",
    "sold": "sell",
    "spoke": "speak",
    "spoken": "speak",
    "slept": "sleep",
    "swore": "swear",
    "hit": "hit",
    "caught": "catch",
    "taught": "teach",
    "fought": "fight",
    "sought": "seek",
    "stole": "steal",
    "wore": "wear",
    "kissed": "kiss",
    "loved": "love",
    "dated": "date",
    "invited": "invite",
}


_CONTRACTION = re.compile(r"'(?:d|ll|ve|re)$")


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """Light stemming of one word, memoised: the same words recur in every question,
    and the bound keeps never-seen words from growing memory."""
    return _stem(word)


def _stem(word: str) -> str:
    w = word.replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    # "we'd", "you'll", "they've", "we're": the pronoun is the word; dropping the
    # apostrophe would make "we'd" the stem of "wedding" and "we'll" "well"
    w = _CONTRACTION.sub("", w)
    w = w.replace("'", "")
    w = _IRREGULAR.get(w, w)
    for pattern, repl in _BRITISH:
        w = pattern.sub(repl, w)
    if len(w) <= 3 or w in _KEEP:
        return w
    for suffix, repl, min_len in (
        ("ies", "y", 5),
        ("sses", "ss", 5),
        ("ing", "", 6),
        ("ied", "y", 5),
        ("ed", "", 5),
        ("es", "", 5),
        ("s", "", 4),
    ):
        if w.endswith(suffix) and len(w) >= min_len and not (suffix == "s" and w.endswith("ss")):
            w = w[: len(w) - len(suffix)] + repl
            if suffix in ("ing", "ed"):
                w = _DOUBLE.sub(r"\1", w)
            break
    # "date"/"dating"/"dated" and "invite"/"invited" must meet on one form
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    return w


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().replace("’", "'"))


def normalize(text: str, synonyms: dict[str, str] | None = None, fix=None) -> list[str]:
    """Lower-case tokens, shorthand expanded, stemmed; `fix` may correct a typed word before stemming."""
    out: list[str] = []
    raw = text.lower().replace("’", "'")
    if synonyms:
        # multi-word shorthand ("ex-client", "ex pt") is split by the tokenizer, so replace it first
        for short, full in synonyms.items():
            if ("-" in short or " " in short) and short in raw:
                raw = re.sub(rf"(?<![a-z0-9]){re.escape(short)}(?![a-z0-9])", full, raw)
    for tok in tokens(raw):
        # possessives take the same shorthand: "pt's", "patient's", "counsellor's"
        base = tok[:-2] if tok.endswith("'s") else tok
        if "'" in base and synonyms:
            # shorthand made into a verb: "tx'ing", "dm'd", "txt'd"
            short, _, suffix = base.partition("'")
            if short in synonyms and suffix in ("ing", "ed", "d", "s"):
                base = short
        if synonyms and base in synonyms:
            out.extend(stem(t) for t in tokens(synonyms[base]))
        else:
            out.append(stem(fix(tok) if fix else tok))
    return out
