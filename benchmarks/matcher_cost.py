#!/usr/bin/env python3
"""Cost of the `/boundary <question>` matcher: build time, answer latency with and
without never-seen words, and memory over many never-seen words.

    python benchmarks/matcher_cost.py [--words 10000]

Baseline in the same run: the same questions made only of words the matcher
knows. Never-seen words are random letter strings, so each one is new to the
typo cache; memory is traced with tracemalloc after every 2,000 of them, for the
matcher alone and then with the risk check that `/boundary` runs first (its own
closest-word cache).
"""

from __future__ import annotations

import argparse
import random
import statistics
import string
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUESTIONS = [
    "a former client wants to be friends on facebook",
    "my client gave me an expensive gift, can I keep it",
    "I ran into a client at the gym, what should I say",
    "a client asked me out for coffee after our last session",
    "my supervisee is texting a client late at night",
]


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]


def new_word(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(6, 11)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--words", type=int, default=10_000)
    a = ap.parse_args()
    rng = random.Random(7)

    started = time.perf_counter()
    from bot.principles import get_matcher

    matcher = get_matcher()
    print(f"import + build: {(time.perf_counter() - started) * 1000:.0f} ms")
    for q in QUESTIONS:
        matcher.answer(q)  # warm

    known, unseen = [], []
    for i in range(600):  # alternate the two kinds so drift hits both alike
        q = QUESTIONS[i % len(QUESTIONS)]
        t = time.perf_counter()
        matcher.answer(q)
        known.append((time.perf_counter() - t) * 1000)
        q2 = f"{q} {new_word(rng)} {new_word(rng)}"
        t = time.perf_counter()
        matcher.answer(q2)
        unseen.append((time.perf_counter() - t) * 1000)
    print(f"known words   p50 {statistics.median(known):.2f} ms  p99 {pct(known, 0.99):.2f} ms  (baseline)")
    print(f"2 unseen words p50 {statistics.median(unseen):.2f} ms  p99 {pct(unseen, 0.99):.2f} ms")

    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    line = []
    for n in range(1, a.words + 1):
        matcher.answer(f"{QUESTIONS[n % len(QUESTIONS)]} {new_word(rng)}")
        if n % 2000 == 0:
            line.append(f"{n}: {(tracemalloc.get_traced_memory()[0] - base) / 1024:.0f} KB")
    print("memory growth over never-seen words: " + ", ".join(line))

    # what `/boundary <question>` does with each question: the risk check, then the matcher
    from bot.risk import assess

    assess(QUESTIONS[0])
    base = tracemalloc.get_traced_memory()[0]
    line = []
    for n in range(1, a.words + 1):
        q = f"{QUESTIONS[n % len(QUESTIONS)]} {new_word(rng)}"
        assess(q)
        matcher.answer(q)
        if n % 2000 == 0:
            line.append(f"{n}: {(tracemalloc.get_traced_memory()[0] - base) / 1024:.0f} KB")
    print("with the risk check too:             " + ", ".join(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
