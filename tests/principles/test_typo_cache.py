"""The matcher's typo cache stays bounded however many never-seen words arrive
(benchmarks/matcher_cost.py measures the memory; here, the bound itself)."""

from __future__ import annotations

import random
import string

from bot.principles import get_catalog
from bot.principles import matcher as matcher_module


def never_seen(rng: random.Random, n: int) -> list[str]:
    return ["".join(rng.choice(string.ascii_lowercase) for _ in range(9)) for _ in range(n)]


def test_the_typo_cache_keeps_at_most_its_size_and_the_newest_words(monkeypatch):
    monkeypatch.setattr(matcher_module, "TYPO_CACHE_SIZE", 50)
    matcher = matcher_module.Matcher(get_catalog())  # its own cache, empty
    before = matcher.answer("a former client wants to be friends on facebook").principles
    words = never_seen(random.Random(3), 300)
    for i in range(0, len(words), 10):
        matcher.answer("a client gave me a gift " + " ".join(words[i : i + 10]))
    assert len(matcher._fix_cache) <= 50
    assert words[-1] in matcher._fix_cache and words[0] not in matcher._fix_cache
    # what it answers does not depend on what the cache still holds
    assert matcher.answer("a former client wants to be friends on facebook").principles == before
