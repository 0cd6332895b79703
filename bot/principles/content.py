"""A second, content-based signal for the matcher: BM25 over what the catalog says.

The cue lexicon in prompts/principles.yaml fires on words someone listed; the long
tail of wordings misses it. Each principle also comes with prose — explanation,
why it matters, self-check questions, typical situations, code gists — and every
situation in prompts/situations.yaml (title, triggers, what to consider, options)
names the principles it involves. Those texts, stemmed with the same `normalize`,
form one weighted document per principle; a question is scored against them with
BM25. Situation text is credited to its principles by rank (first 1.0, then less).

Stdlib only; built once when the matcher loads (a few milliseconds).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable

from .catalog import Catalog
from .text import normalize

# a weighted bag of stems: stem -> weight
Bag = defaultdict[str, float]

# function words and question scaffolding: they carry no topic and would otherwise
# tie every question to the longest document
STOPWORDS = frozenset(
    """
a about above after again against all also am an and any are aren't as at be because been before being below
between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each
even ever every few for from further get got had hadn't has hasn't have haven't having he he'd he'll he's her
here here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself
just let's like ll me might more most much must mustn't my myself no nor not now of off on once one only or
other ought our ours ourselves out over own quite rather re really same say shall shan't she she'd she'll
she's should shouldn't so some still such than that that's the their theirs them themselves then there
there's these they they'd they'll they're they've this those though through thus to too under until up upon
us very via was wasn't way we we'd we'll we're we've were weren't what what's when when's where where's
whether which while who who's whom why why's will with won't would wouldn't yet you you'd you'll you're
you've your yours yourself yourselves
ok okay yes yeah hi hey please thanks thank lol just also anyway any anything something someone somebody
think know want wants wanted go going gonna wanna thing things stuff kind sort lot lots bit maybe
should ask asked asking question tell said say says
""".split()
)

# credit of situation text to the situation's principles, by rank
SITUATION_RANK_WEIGHT = (1.0, 0.6, 0.35)
# trigger phrases are short lists of the very words the cue lexicon scores: they count
# half, so the content signal adds what the prose says rather than repeating the cues
TRIGGER_WEIGHT = 0.5
K1, B = 1.2, 0.75


def content_terms(text: str, synonyms: dict[str, str] | None, fix: Callable[[str], str] | None = None) -> list[str]:
    """Stemmed content words of `text` (stopwords and bare numbers removed)."""
    return drop_stopwords(normalize(text, synonyms, fix=fix))


def drop_stopwords(stems: list[str]) -> list[str]:
    return [w for w in stems if len(w) >= 2 and not w.isdigit() and w not in _STOP_STEMS]


_STOP_STEMS = frozenset(s for w in STOPWORDS for s in normalize(w)) | STOPWORDS


def principle_documents(catalog: Catalog) -> dict[str, Bag]:
    """principle key -> weighted bag of stems built from the catalog's own text."""
    syn = catalog.synonyms
    docs: dict[str, Bag] = {k: defaultdict(float) for k in catalog.principles}

    def add(key: str, text: str, weight: float = 1.0) -> None:
        for t in content_terms(text, syn):
            docs[key][t] += weight

    for key, p in catalog.principles.items():
        for text in (
            p.title,
            p.summary,
            p.explanation,
            p.why_it_matters,
            p.crossing_vs_violation or "",
            *p.self_check,
            *p.typical_situations,
            *p.aliases,
        ):
            add(key, text)
        for r in p.code_refs:
            add(key, f"{r.title}. {r.gist}")
        # the key itself ("dual_relationship") and the aliases once more: they name it
        add(key, key.replace("_", " "), 2.0)
        for a in p.aliases:
            add(key, a)
    for s in catalog.situations.values():
        trig = " . ".join(c.label for c in catalog.situation_triggers.get(s.key, []))
        text = " . ".join([s.title, *s.consider, *s.options])
        for rank, key in enumerate(s.principles):
            w = SITUATION_RANK_WEIGHT[min(rank, len(SITUATION_RANK_WEIGHT) - 1)]
            add(key, text, w)
            add(key, trig, w * TRIGGER_WEIGHT)
    return docs


class BM25Index:
    """Okapi BM25 over a handful of weighted documents."""

    def __init__(self, docs: dict[str, Bag], k1: float = K1, b: float = B) -> None:
        self.keys = list(docs)
        self.docs = docs
        self.k1, self.b = k1, b
        self.len = {k: sum(d.values()) for k, d in docs.items()}
        self.avg = sum(self.len.values()) / max(1, len(docs))
        n = len(docs)
        df = Counter(t for d in docs.values() for t in d)
        self.idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}

    def scores(self, terms: list[str]) -> dict[str, float]:
        out = dict.fromkeys(self.keys, 0.0)
        for t in Counter(terms):
            idf = self.idf.get(t)
            if idf is None:
                continue
            for k in self.keys:
                tf = self.docs[k].get(t)
                if tf:
                    norm = self.k1 * (1 - self.b + self.b * self.len[k] / self.avg)
                    out[k] += idf * tf * (self.k1 + 1) / (tf + norm)
        return out

    def known(self, terms: list[str]) -> list[str]:
        return [t for t in terms if t in self.idf]
