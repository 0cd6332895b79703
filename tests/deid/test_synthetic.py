"""The synthetic adversarial generator (tests/deid/synthetic.py), fixed seeds.

Per category the leak rate must stay at or under 1 % and the false-positive
rate low. The categories that leaked most before the robustness pass
(lowercase names, particle and hyphenated surnames, organisations with
ordinary-word names, ages in prose, months as names, clean traps) are also
pinned sentence by sentence below.
"""

from __future__ import annotations

import pytest

from .synthetic import evaluate, generate
from .test_recognizers import gone, kept

# categories whose sentences must all stay whole (no gold): FP rate ceiling
_FP_CEILING = {"clean": 0.02, "wordname:as_word": 0.02, "age:not_an_age": 0.0}


@pytest.fixture(scope="module")
def table(engine):
    return evaluate(engine, generate(seed=0, per_category=40))


def test_every_category_leaks_at_most_one_percent(table):
    worst = {c: r["leak_rate"] for c, r in table.items() if r["entities"] and r["leak_rate"] > 0.01}
    assert not worst, {c: (round(v, 3), table[c]["leaks"][:3]) for c, v in worst.items()}


def test_false_positive_rates_stay_low(table):
    for cat, row in table.items():
        ceiling = _FP_CEILING.get(cat, 0.02)
        assert row["fp_rate"] <= ceiling, (cat, row["fp_rate"], row["fps"][:3])


def test_generator_is_deterministic():
    a = [(s.category, s.text) for s in generate(seed=7, per_category=5)]
    b = [(s.category, s.text) for s in generate(seed=7, per_category=5)]
    assert a == b and len(a) > 1000


@pytest.mark.parametrize(
    "text,surfaces",
    [
        # lowercase names where a person goes
        ("ran into xiuying at the shops", ["xiuying"]),
        ("so chukwuemeka said she wants to stop", ["chukwuemeka"]),
        ("adebayo asked if i could see her partner too", ["adebayo"]),
        ("my client ngozi wants to friend me", ["ngozi"]),
        # hyphenated given names whose syllables are words
        ("Chun-kit brought her baby to session.", ["Chun-kit"]),
        ("Last week Man-yee said she wants to stop.", ["Man-yee"]),
        # particles: after a title, on a second mention, after a name the net found
        ("Mrs de la Fuente called twice.", ["de la Fuente"]),
        ("Mrs al-Rashid called twice.", ["al-Rashid"]),
        (
            "I met Nizhoni van den Berg at intake. Later van den Berg emailed me.",
            ["Nizhoni van den Berg", "van den Berg"],
        ),
        ("My client Aroha Mac an tSaoir wants a letter.", ["Aroha Mac an tSaoir"]),
        # a surname that is a word, on a second mention or after Mr
        ("I met Yanaba Hill at intake. Later Hill emailed me.", ["Yanaba Hill", "Hill"]),
        ("Mr Bishop wants a report.", ["Bishop"]),
        ("Thiago Rice has been my client for two years.", ["Thiago Rice"]),
        ("Arnab has been my client for two years.", ["Arnab"]),
        # months as names
        ("I ran into April's husband at the gym.", ["April"]),
        ("After session June told me he is moving.", ["June"]),
        ("May and I agreed to pause for a month.", ["May"]),
        ("Auntie June raised her.", ["June"]),
        # organisations named with ordinary words
        ("He was fired from Hearth last month.", ["Hearth"]),
        ("my client volunteers with Green Apple", ["Green Apple"]),
        ("She does shifts at Oak and Ivy on weekends.", ["Oak and Ivy"]),
        ("I got a referral from Rainbow Bridge yesterday.", ["Rainbow Bridge"]),
        # ages in prose
        ("She was 14 when the abuse started.", ["14"]),
        ("Client M - 38 - wants a hug at the end of sessions.", ["38"]),
    ],
)
def test_worst_categories_removed(engine, text, surfaces):
    gone(engine, text, *surfaces)


@pytest.mark.parametrize(
    "text,kept_words",
    [
        (
            "Does Sertraline cover this? She takes Mirtazapine and Quetiapine.",
            ["Sertraline", "Mirtazapine", "Quetiapine"],
        ),
        ("Does Asperger's cover this? Tourette's came up.", ["Asperger", "Tourette"]),
        ("Her son has Down syndrome and Crohn's disease.", ["Down", "Crohn"]),
        ("The NHS is slow. The NHS came up again.", ["NHS"]),
        ("It was 5 when we finished. The fee was 40 when I started.", ["5", "40"]),
        ("I have faith in the process; in May I will see.", ["faith", "May"]),
        ("which she has already signed up for. Do I decline?", ["Do I"]),
        ("he texted from MRN 00482913 at midnight", ["MRN"]),
        ("I had coffee with Mark and Sandy.", ["coffee"]),
        ("i am struggling with countertransference.", ["countertransference"]),
        ("Follow-up is booked. Check-in went well.", ["Follow-up", "Check-in"]),
    ],
)
def test_traps_left_alone(engine, text, kept_words):
    kept(engine, text, *kept_words)


def test_eponym_with_a_title_is_a_person(engine):
    gone(engine, "Mrs Parkinson's car was outside.", "Parkinson")
    gone(engine, "Parkinson's mum called me.", "Parkinson")
