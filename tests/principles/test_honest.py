"""Honest answers: a situation card only for a clear match, no padding, no reasons drawn from negated words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.principles import get_catalog, get_matcher
from bot.principles.matcher import SITUATION_CLEAR, SITUATION_MARGIN, Matcher
from bot.principles.text import NEGATED, mask_negated

OWN = Path(__file__).parent / "data" / "situations_own.jsonl"


def card(q: str) -> str | None:
    a = get_matcher().answer(q)
    assert not a.off_topic, q
    return a.situation.key if a.situation else None


# ---- negation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q,masked,kept",
    [
        ("nothing romantic, just a lift home", ["romantic"], ["lift", "home"]),
        ("it's not a gift, it's a payment", ["gift"], ["payment"]),
        ("no money changed hands", ["money", "changed", "hands"], []),
        ("whether or not to accept the gift", [], ["gift"]),
        ("she can no longer afford sessions", [], ["afford"]),
        ("not sure if I should hug her", [], ["hug"]),
        ("she isn't my client anymore", [], ["client"]),
        ("I didn't accept the gift", [], ["gift"]),  # verb negation keeps its topic
    ],
)
def test_negated_noun_phrases_are_masked(q, masked, kept):
    out = mask_negated(q, {"client"}).split()
    assert all(w not in out for w in masked) and out.count(NEGATED) == len(masked)
    assert all(w in out for w in kept)


@pytest.mark.parametrize(
    "q",
    [
        "my client offered me a lift home after group, nothing romantic, just kind",
        "client wants to meet for coffee, it's not a date, she just wants advice",
        "a client hugged me at the end, nothing sexual about it, should I mention it",
        "my client paid for my parking, not a gift really, is that ok",
    ],
)
def test_no_why_line_from_a_negated_cue(q):
    m = get_matcher()
    cat = m.catalog
    a = m.answer(q)
    assert not a.off_topic

    def fired_whys(text):
        fired = m._cue_index.fired(m.tokens(text))
        return {cat.principle_cues[k][i].why for k, idx in fired.items() for i in idx}

    only_negated = fired_whys(q) - fired_whys(mask_negated(q, m._practice_words))
    assert only_negated, "the negated word should be a cue, or the test proves nothing"
    assert not {p.why for p in a.principles} & only_negated, a.principles


# ---- no padding ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        "confidentiality",
        "objectivity",
        "is it appropriate to eat in front of a client",
        "pt asked me to pray with them at the end of session",
        "my client gave me a lift home",
    ],
)
def test_never_padded_with_generic_reasons(q):
    m = get_matcher()
    a = m.answer(q)
    assert 1 <= len(a.principles) <= 3
    fallback = m.catalog.fallback_why
    situation_keys = set(a.situation.principles) if a.situation else set()
    # a generic reason only for a principle the matched situation itself lists, or the one top principle
    generic = [p for p in a.principles[1:] if p.why == fallback[p.key] and p.key not in situation_keys]
    assert not generic, a.principles


def test_a_named_principle_is_answered_alone():
    a = get_matcher().answer("transference")
    assert a.named and [p.key for p in a.principles] == ["transference"]


# ---- honest situation cards ------------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        "my client has a plan to kill herself this weekend, what do I do",
        "client says he wants to take his own life and has the pills",
        "my client has been thinking about suicide a lot lately",
        "client's sister died by suicide years ago and the anniversary is coming",
        "my client's father died of cancer last month and she wants me at the funeral",
    ],
)
def test_client_has_died_card_only_for_a_client_death_that_happened(q):
    a = get_matcher().answer(q)
    assert a.situation is None or a.situation.key != "client_death"


@pytest.mark.parametrize(
    "q",
    [
        "my client died last week and I can't stop thinking about it",
        "one of my clients passed away, should I go to the funeral",
        "I lost a client to suicide and I'm not sure I can keep working",
    ],
)
def test_client_has_died_card_for_a_death(q):
    a = get_matcher().answer(q)
    assert a.situation is not None and a.situation.key == "client_death" or "client_death" in [s.key for s in a.closest]


@pytest.mark.parametrize(
    "q,want",
    [
        ("client brought me a box of homemade cookies", "small_gift"),
        ("a client knitted me a scarf for christmas", "small_gift"),
        ("client gave me a designer handbag, must be worth hundreds", "large_gift"),
        ("my client wants to give me a $300 gift card", "large_gift"),
        ("client bought me an expensive watch for christmas", "large_gift"),
    ],
)
def test_the_value_decides_which_gift_card(q, want):
    a = get_matcher().answer(q)
    got = a.situation.key if a.situation else (a.closest[0].key if a.closest else None)
    assert got == want
    assert "small_gift" not in {a.situation.key if a.situation else None} or want == "small_gift"


@pytest.mark.parametrize(
    "q",
    [
        "she proposed we write something together",  # one ambiguous word
        "the receptionist said a client was rude to her",
        "I feel unsure about this client",
    ],
)
def test_one_ambiguous_word_gives_no_card(q):
    a = get_matcher().answer(q)
    assert a.situation is None


def test_unclear_questions_offer_closest_situations_to_pick_from():
    a = get_matcher().answer("gifts")
    assert a.situation is None and {"small_gift", "large_gift"} <= {s.key for s in a.closest}
    # picking one by its title gives its card
    title = get_catalog().situations["large_gift"].title
    b = get_matcher().answer(title)
    assert b.situation is not None and b.situation.key == "large_gift"


def test_threshold_on_own_labelled_questions():
    """SITUATION_CLEAR / SITUATION_MARGIN were chosen on these (and the dev sets): few wrong cards."""
    rows = [json.loads(ln) for ln in OWN.read_text(encoding="utf-8").splitlines() if ln.strip()]
    m = Matcher(get_catalog(), situation_clear=SITUATION_CLEAR, situation_margin=SITUATION_MARGIN)
    wrong = right = 0
    for r in rows:
        a = m.answer(r["q"])
        got = a.situation.key if a.situation else None
        right += got == r["situation"]
        wrong += got is not None and got != r["situation"]
    assert wrong <= 0.05 * len(rows) and right >= 0.8 * len(rows)


@pytest.mark.parametrize(
    "q",
    [
        "a client told me she has been cutting again and begged me not to tell her parents",
        "do I have a duty to warn if my client threatened to hurt his neighbour",
        "my client said he has a gun at home and thinks about using it on himself",
        "a child I see in play therapy has bruises and says dad hits her, do I call CPS",
    ],
)
def test_safety_questions_get_the_confidentiality_limits_card(q):
    a = get_matcher().answer(q)
    assert not a.off_topic and a.principles
    shown = a.situation.key if a.situation else (a.closest[0].key if a.closest else None)
    assert shown == "safety_and_confidentiality"  # its card, or first among the closest
    assert a.principles[0].key in ("confidentiality", "consultation", "caring_within_boundaries")


@pytest.mark.parametrize(
    "q",
    [
        "for my exam prep, what does tarasoff say about a duty to warn",
        "I'm writing a thesis on how counsellors handle self-harm disclosures",
        "my client works in child protection and vents about abuse cases at work",
        "a client wants to discuss the true crime documentary about a murder",
    ],
)
def test_safety_look_alikes_do_not_get_that_card(q):
    a = get_matcher().answer(q)
    assert a.situation is None or a.situation.key != "safety_and_confidentiality"


@pytest.mark.parametrize(
    "q",
    [
        "my client is on the phone with me right now saying she swallowed her pills, what do I do",
        "a client is shouting in reception right now and says he'll hurt someone, do I call the police",
        "client texted me that she's on the bridge, should I call 999 or keep texting",
    ],
)
def test_danger_now_brings_consultation_with_acting_now(q):
    a = get_matcher().answer(q)
    consult = [p for p in a.principles if p.key == "consultation"]
    assert not a.off_topic and consult, a.principles
    assert "action now" in consult[0].why


@pytest.mark.parametrize(
    "q,masked",
    [
        ("I've never given him my address", "given"),
        ("she has never told anyone where I live", "told"),
        ("I never accepted anything from her", "accepted"),
    ],
)
def test_never_before_a_past_form_negates_the_event(q, masked):
    assert masked not in mask_negated(q).split()


def test_never_before_a_present_form_keeps_the_topic():
    assert "gifts" in mask_negated("I never accept gifts but this one is handmade").split()


@pytest.mark.parametrize("word", ["ringing", "crash", "parking", "wrecked"])
def test_typo_fixing_keeps_the_first_letter(word):
    fixed = get_matcher()._fix_typo(word)
    assert fixed == word or fixed[0] == word[0]


@pytest.mark.parametrize(
    "q",
    [
        "her dad brings the 7 year old to every session and is very chatty in the waiting room",
        "a 9 year old's mum drops him off at every session, he seems tired lately",
    ],
)
def test_a_parent_in_the_story_is_not_the_parent_asking_card(q):
    a = get_matcher().answer(q)
    assert a.situation is None or a.situation.key != "parents_of_minor"


@pytest.mark.parametrize(
    "q",
    [
        "the mum of my 15 year old client wants a copy of my notes",
        "a father wants to know what his son has been saying in therapy and to be kept in the loop",
    ],
)
def test_a_parent_asking_about_a_minor_gets_that_card(q):
    a = get_matcher().answer(q)
    shown = a.situation.key if a.situation else (a.closest[0].key if a.closest else None)
    assert shown == "parents_of_minor"
    refs = {f"{r.code} {r.section}" for r in get_catalog().situations["parents_of_minor"].code_refs}
    assert {"ACA B.5", "ACA B.5.b"} <= refs


FILLER = (
    " We have worked together for about two years, mostly on her anxiety and her sleep, and she has"
    " made steady progress with the exercises between sessions."
)


@pytest.mark.parametrize(
    "short",
    [
        "My client invited me to her wedding next month, should I go?",
        "a client sent me a friend request on facebook",
        "my client asked me if I am married",
    ],
)
def test_a_long_question_needs_denser_triggers_for_a_card(short):
    """The same trigger that makes a short question's card is, inside a long case note, one
    detail among many: the card becomes one of the closest situations to pick from."""
    m = get_matcher()
    card = m.answer(short).situation
    assert card is not None, short
    long_answer = m.answer(short + FILLER * 4)
    assert long_answer.situation is None
    assert card in long_answer.closest


def test_the_card_threshold_grows_with_length():
    m = get_matcher()
    needs = [m.card_threshold(n) for n in (5, 12, 13, 24, 48, 96, 192)]
    assert needs[0] == needs[1] == SITUATION_CLEAR
    assert needs == sorted(needs) and needs[-1] > needs[3] + 3
