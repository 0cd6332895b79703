"""The trained ranker, the risk lead and the stricter cards and off-topic admin (issue 10 items 3-4)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.principles import get_catalog, get_matcher
from bot.principles.matcher import Matcher, Ranking, choose, combine
from bot.principles.ranker import Ranker, features

REPO = Path(__file__).resolve().parents[2]


def keys(q: str, risk: str | None = None) -> list[str]:
    return [m.key for m in get_matcher().answer(q, risk=risk).principles]


def test_the_training_script_reproduces_the_shipped_weights():
    run = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "train_ask_ranker.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_ranker_gives_one_probability_per_principle():
    ranker = Ranker.load()
    r = get_matcher().rank("a client gave me an expensive watch for christmas")
    assert r is not None and r.features
    probs = ranker.probabilities(r.features)
    assert set(probs) == set(get_catalog().principles) and all(0.0 < p < 1.0 for p in probs.values())


def test_features_are_words_pairs_cues_and_triggers():
    got = features(["client", "gift"], ["power:gifts"], ["small_gift"], "small_gift")
    assert got == {"w:client", "w:gift", "b:client gift", "c:power:gifts", "s:small_gift", "t:small_gift"}


def test_the_ranker_moves_a_near_tie_but_not_a_clear_lead():
    r = Ranking(
        scores={"power": 10.0, "objectivity": 9.8, "consultation": 2.0},
        whys={"power": "p", "objectivity": "o"},
        keep=(),
        named_here=(),
        card=None,
        closest=(),
        language=None,
        features=frozenset(),
    )
    probs = {k: 0.1 for k in get_catalog().principles} | {"objectivity": 0.9}
    assert choose(r, combine(r.scores, probs, 0.15), probs, None)[:2] == ["objectivity", "power"]
    clear = Ranking(**{**r.__dict__, "scores": {"power": 10.0, "objectivity": 5.0}})
    assert choose(clear, combine(clear.scores, probs, 0.15), probs, None)[0] == "power"
    # shown: only principles with evidence of their own (consultation's score is too weak, no cue)
    assert "consultation" not in choose(r, combine(r.scores, probs, 0.15), probs, None)


def _ranking(**kw) -> Ranking:
    base = dict(
        scores={"power": 10.0, "dual_relationship": 8.0, "confidentiality": 7.0, "objectivity": 6.0},
        whys={"power": "p", "dual_relationship": "d", "confidentiality": "c", "objectivity": "o"},
        keep=(),
        named_here=(),
        card=None,
        closest=(),
        language=None,
        features=frozenset(),
    )
    return Ranking(**{**base, **kw})


def test_the_ranker_orders_the_candidates_after_the_first():
    r = _ranking()
    probs = {k: 0.1 for k in get_catalog().principles} | {"objectivity": 0.95, "confidentiality": 0.9}
    first = combine(r.scores, probs, 0.15)
    second = combine(r.scores, probs, 4.0)
    assert choose(r, first, probs, None) == ["power", "confidentiality", "dual_relationship"]
    # the first stays the vocabulary's; the ranker picks which candidates go with it
    assert choose(r, first, probs, None, second) == ["power", "objectivity", "confidentiality"]
    # never a principle without evidence of its own, whatever the ranker says
    weak = _ranking(scores={"power": 10.0, "objectivity": 1.0}, whys={"power": "p"})
    assert choose(weak, combine(weak.scores, probs, 0.5), probs, None, combine(weak.scores, probs, 4.0)) == ["power"]


def test_a_shown_card_keeps_its_principles_an_unclear_situation_does_not():
    cat = get_catalog()
    sit = cat.situations["small_gift"]
    probs = {k: 0.1 for k in cat.principles} | {"objectivity": 0.95, "confidentiality": 0.9}
    keep = tuple(k for k in sit.principles if k != "power")[:1]
    for card, kept in ((sit, True), (None, False)):
        r = _ranking(
            keep=keep,
            card=card,
            scores={"power": 10.0, keep[0]: 3.5, "confidentiality": 7.0, "objectivity": 6.0},
            whys={"power": "p", "confidentiality": "c", "objectivity": "o"},
        )
        got = choose(r, combine(r.scores, probs, 0.15), probs, None, combine(r.scores, probs, 4.0))
        assert (keep[0] in got) == kept, (card, got)


def test_the_vocabulary_alone_still_answers():
    m = Matcher(get_catalog())
    a = m.answer("a client sent me a friend request on facebook")
    assert a.principles and a.principles[0].key == "dual_relationship"


@pytest.mark.parametrize(
    "q,kind,lead",
    [
        (
            "my client told me she has pills saved up and a date in mind",
            "self_harm",
            ["consultation", "confidentiality"],
        ),
        ("he said he will hurt his neighbour tonight", "harm_to_others", ["consultation", "confidentiality"]),
        ("client is drunk and about to drive her kids home", "crisis_now", ["consultation"]),
        ("a client said he knows where I live", "threat_to_practitioner", ["consultation"]),
    ],
)
def test_a_risk_answer_leads_with_consultation_and_shows_no_card(q, kind, lead):
    a = get_matcher().answer(q, risk=kind)
    assert [m.key for m in a.principles][: len(lead)] == lead
    assert not a.off_topic and a.situation is None and a.closest == ()
    assert 1 <= len(a.principles) <= 3


def test_without_a_risk_the_answer_is_the_matchers_own():
    q = "a client gave me a small box of chocolates"
    assert keys(q) == keys(q, risk=None) and keys(q)[0] != "consultation"


@pytest.mark.parametrize(
    "q",
    [
        "do I need to charge VAT on my counselling sessions",
        "what is the evidence base for DBT with adolescents",
        "how do I get credentialed with insurance panels before I go solo with my clients",
        "a client asked me to explain the difference between CBT and schema therapy, any good handouts?",
        "is professional indemnity insurance worth it for a part-time therapist",
    ],
)
def test_practice_business_and_clinical_knowledge_are_off_topic(q):
    assert get_matcher().answer(q).off_topic


@pytest.mark.parametrize(
    "q",
    [
        "a client offered to do my taxes for free, should I accept?",
        "my client is also my landlord, is that a problem?",
    ],
)
def test_a_relational_question_about_money_stays_on_topic(q):
    assert not get_matcher().answer(q).off_topic


@pytest.mark.parametrize(
    "q",
    [
        # one trigger word in a longer question names a topic, not the situation
        "My supervisee asked me today how she should respond when a client keeps arriving twenty minutes late",
        "I have been reading a lot about burnout lately and wonder how to pace my week with a heavy caseload",
    ],
)
def test_one_trigger_in_a_long_question_gives_closest_situations_not_a_card(q):
    a = get_matcher().answer(q)
    assert not a.off_topic and a.situation is None


def test_a_principle_named_as_a_guess_does_not_override_the_evidence():
    a = get_matcher().answer("my client asked me out on a date, is this about consultation?")
    got = [m.key for m in a.principles]
    assert got[0] != "consultation" and "consultation" in got
