"""The trained risk model (bot/risk/model.py): its mechanisms, its file, and its training."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bot.risk import KINDS
from bot.risk.model import WEIGHTS, RiskModel, features, get_model, segments
from bot.risk.recognizer import MODEL_FAMILY, Recognizer, get_recognizer

REPO = Path(__file__).resolve().parents[2]

NEUTRAL = [
    "We have met weekly for about a year.",
    "She works in retail and has two cats.",
    "The sessions are on Zoom because of the distance.",
    "I have a supervisor I can ask on Thursday.",
    "He pays through his insurance and is always on time.",
    "My practice is small and mostly adults.",
]


def toy_model(weights: dict[str, list[float]], threshold: float = 0.5) -> RiskModel:
    classes = ["none", *KINDS]
    return RiskModel(classes, [2.0] + [0.0] * len(KINDS), weights, threshold)


def test_the_shipped_model_loads_is_small_and_knows_every_kind():
    model = get_model()
    assert model.classes == ["none", *KINDS]
    assert 0.0 < model.threshold < 1.0
    assert WEIGHTS.stat().st_size < 512_000
    assert all(len(w) == len(model.classes) for w in model.weights.values())


def test_words_in_a_negation_s_reach_are_marked_as_negated():
    assert "w:plan" in features("she has a plan")
    assert "n:plan" in features("she denies any plan") and "w:plan" not in features("she denies any plan")
    # the reach ends: a later word counts again
    assert "w:pills" in features("no contact with her dad since march, and she is hoarding pills")


@given(st.lists(st.sampled_from(NEUTRAL), max_size=8), st.lists(st.sampled_from(NEUTRAL), max_size=8))
def test_a_risky_sentence_counts_as_much_buried_in_a_long_story_as_alone(before, after):
    risky = "Yesterday she told me she has been saving her pills to end her life."
    model = get_model()
    alone = model.predict(risky).p_risk
    buried = model.predict(" ".join([*before, risky, *after])).p_risk
    assert buried >= alone - 1e-9


def test_sentences_are_scored_on_their_own_and_the_whole_text_too():
    text = "First sentence here today. Second one is here too."
    assert list(segments(text)) == [text, "First sentence here today.", "Second one is here too."]
    assert list(segments("Help.")) == ["Help."]


def test_the_recognizer_asks_the_model_only_when_no_cue_fires():
    data = get_recognizer()
    model = toy_model({"w:zebra": [0.0, 5.0, 0.0, 0.0, 0.0, 0.0]})
    rec = Recognizer(_cue_data(), data.english, model)
    found = rec.assess("my client keeps talking about the zebra")
    assert found.kind == KINDS[0] and found.cues[-1].family == MODEL_FAMILY
    assert not rec.assess("my client keeps talking about the giraffe")
    without = Recognizer(_cue_data(), data.english, None)
    assert not without.assess("my client keeps talking about the zebra")


def _stacked(weights: dict[str, list[float]], cue_weight: float) -> RiskModel:
    """A toy model with a combining classifier: risk when the model's whole-text logit plus
    cue_weight (when a cue fired) reaches 0. With no features, P(risk) = 5 / (e^2 + 5), a logit
    of about -0.39."""
    classes = ["none", *KINDS]
    stack = {"bias": 0.0, "model:whole": 1.0, "model:max": 0.0, "cue:any": cue_weight}
    return RiskModel(classes, [2.0] + [0.0] * len(KINDS), weights, 0.5, None, stack, 0.5)


def test_with_a_combining_classifier_a_cue_is_evidence_not_a_verdict():
    data = get_recognizer()
    cue_text = "my client has a plan to kill herself tonight"
    assert Recognizer(_cue_data(), data.english, None).assess(cue_text).kind == "self_harm"
    # the model reads no risk (P(none) high) and the cue's weight is too small to outweigh it
    doubtful = Recognizer(_cue_data(), data.english, _stacked({}, 0.2))
    found = doubtful.assess(cue_text)
    assert found.kind is None and found.cues  # the cues are still shown
    # a heavier cue weight tips it, and the cue families name the kind
    trusting = Recognizer(_cue_data(), data.english, _stacked({}, 3.0))
    assert trusting.assess(cue_text).kind == "self_harm"
    # without a cue, the model's own reading decides and names its best kind
    zebra = Recognizer(_cue_data(), data.english, _stacked({"w:zebra": [0.0, 0.0, 0.0, 6.0, 0.0, 0.0]}, 1.0))
    found = zebra.assess("my client keeps talking about the zebra")
    assert found.kind == KINDS[2] and found.cues[-1].family == MODEL_FAMILY
    assert not zebra.assess("my client keeps talking about the giraffe")


def test_the_shipped_combining_classifier_counts_both_readings_and_cues_as_evidence_of_risk():
    model = get_model()
    assert model.stack is not None
    assert model.stack["model:whole"] > 0 and model.stack["model:max"] >= 0
    # a cue counts for more in a short text and in one without any look-alike scope
    assert model.stack["cue:short"] > 0 and model.stack["cue:plain"] > 0
    assert 0.0 < model.stack_threshold < 1.0 and 0.0 < model.stack_threshold_other_language < 1.0


def test_a_model_below_its_threshold_reports_no_risk_but_its_best_guess():
    model = toy_model({"w:zebra": [0.0, 0.0, 2.0, 0.0, 0.0, 0.0]}, threshold=0.9)
    pred = model.predict("zebra")
    assert pred.kind is None and pred.best == KINDS[1] and 0.0 < pred.p_risk < 0.9


def test_the_training_script_reproduces_the_shipped_weights():
    run = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "train_risk_model.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def _cue_data():
    import yaml

    from bot.risk.recognizer import DATA

    return yaml.safe_load(DATA.read_text(encoding="utf-8"))
