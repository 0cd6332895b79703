"""The recogniser's closest-cue-word cache stays bounded however many never-seen words arrive."""

from __future__ import annotations

import random
import string

from bot.risk import assess
from bot.risk.recognizer import CLOSE_CACHE_SIZE, _close


def never_seen(rng: random.Random, n: int) -> list[str]:
    return ["".join(rng.choice(string.ascii_lowercase) for _ in range(9)) for _ in range(n)]


def test_the_risk_typo_cache_is_bounded():
    assert _close.cache_info().maxsize == CLOSE_CACHE_SIZE
    assess("my client said " + " ".join(never_seen(random.Random(4), 200)))
    assert 0 < _close.cache_info().currsize <= CLOSE_CACHE_SIZE
