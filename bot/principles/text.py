"""Tokenising and light stemming shared by the catalog lookup and the matcher.

Both the YAML vocabulary and the user's question go through the same
`normalize`, so plural/tense variants meet without a real stemmer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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


def normalize(text: str, synonyms: dict[str, str] | None = None, fix: Callable[[str], str] | None = None) -> list[str]:
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


# Negation of a noun phrase ("nothing romantic", "not a gift", "no money changed hands"):
# the words it negates must not count as evidence, nor explain why a principle applies.
# Verb negation ("didn't accept the gift") keeps its topic, so only these negators count.
_NEGATORS = frozenset("not no nothing none nor isn't wasn't aren't weren't isnt wasnt arent werent".split())
# words that end the negated phrase (or, first, show it is not one: "no longer", "not sure if")
_SCOPE_END = frozenset(
    """
    if whether to that what how why when who whom which i i'm im she he they we you it just but only and or so
    because though although really about longer more less one even yet sure anymore than though however
    """.split()
)
_SKIP = frozenset("a an the my her his their any of at all".split())
_NEG_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?|[.,;:!?()\"“”]")
NEGATED = "negatedword"
NEG_SCOPE = 3


def _past_form(word: str) -> bool:
    """A past participle or past tense ("given", "told", "accepted"), after "never"."""
    return word in _IRREGULAR or (len(word) > 4 and word.endswith(("ed", "en")))


def mask_negated(text: str, keep: frozenset[str] | set[str] = frozenset()) -> str:
    """`text` with the content words of negated noun phrases replaced by NEGATED.

    Up to NEG_SCOPE words after a negator, stopping at punctuation or a word of
    _SCOPE_END; determiners are passed over; words in `keep` (practice words such as
    "client") are never masked. "whether or not" is not a negation.
    """
    toks = [m.group(0) for m in _NEG_WORD.finditer(text.lower().replace("’", "'"))]
    out, i = [], 0
    while i < len(toks):
        tok = toks[i]
        out.append(tok)
        i += 1
        if tok == "never" and i < len(toks) and _past_form(toks[i]):
            pass  # "I've never given him my address": the event did not happen
        elif tok not in _NEGATORS or (len(out) > 1 and out[-2] == "or"):
            continue
        taken = 0
        while i < len(toks) and taken < NEG_SCOPE:
            w = toks[i]
            if not w[0].isalnum() or w in _SCOPE_END or w in _NEGATORS:
                break
            if w in _SKIP:
                out.append(w)
            else:
                out.append(w if stem(w) in keep or w in keep else NEGATED)
                taken += 1
            i += 1
    return " ".join(out)
