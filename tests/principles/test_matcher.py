"""Ranking on questions written for these tests (not the dev set)."""

from __future__ import annotations

import pytest

from bot.principles import get_matcher


def keys(q: str) -> list[str]:
    return [m.key for m in get_matcher().answer(q).principles]


@pytest.mark.parametrize(
    "q,first,also,situation",
    [
        (
            "my pt added me on insta last night, ignore it?",
            "dual_relationship",
            "confidentiality",
            "social_media_request",
        ),
        ("Client Sent Me A Frend Request On FB", "dual_relationship", None, "social_media_request"),
        (
            "patient brought me a jar of homemade jam before the holidays",
            "caring_within_boundaries",
            "power",
            "small_gift",
        ),
        ("client tried to hand me $500 cash as a thank you", "power", "objectivity", "large_gift"),
        (
            "a client who is a plumber offered to fix my sink instead of paying his bill",
            "dual_relationship",
            "power",
            None,
        ),
        (
            "my client asked me to come to her daughter's bat mitzvah",
            "dual_relationship",
            "caring_within_boundaries",
            "invitation_celebration",
        ),
        (
            "bumped into a cl at the pharmacy with her kids, did I handle it right by waving",
            "confidentiality",
            None,
            "running_into_client",
        ),
        ("ex-client from 2019 wants to meet up for drinks as friends", "dual_relationship", "power", None),
        (
            "a former patient asked me out on a date, therapy ended 4 yrs ago",
            "power",
            "transference",
            "former_client_romance",
        ),
        (
            "my client confessed she has a crush on me",
            "transference",
            "caring_within_boundaries",
            "client_attraction_to_you",
        ),
        ("i keep daydreaming about a client, i think i have feelings for him", "transference", "consultation", None),
        (
            "client asks whether I have kids, should I tell her",
            "transference",
            "objectivity",
            "personal_questions",
        ),
        ("is it ok to hug a teenage client who is crying", "caring_within_boundaries", "power", "hugs_and_touch"),
        (
            "the guy who runs our only grocery store in this rural area wants to start tx",
            "dual_relationship",
            None,
            None,
        ),
        ("my neighbor next door asked if I'd be her therapist", "dual_relationship", "objectivity", None),
        (
            "my client's wife keeps emailing me asking what he talks about",
            "confidentiality",
            None,
            "family_asks_about_client",
        ),
        (
            "received a subpoena for a client's records from her ex's attorney",
            "confidentiality",
            "consultation",
            "subpoena_court",
        ),
        (
            "one of my interns asked if I could see her for therapy",
            "dual_relationship",
            "power",
            "supervisee_or_student",
        ),
        (
            "I'm so angry at a client who keeps missing sessions",
            "transference",
            "objectivity",
            "countertransference_feelings",
        ),
        ("a client texted me at 2am saying she can't go on", "caring_within_boundaries", None, "after_hours_contact"),
        (
            "my colleague gossips about her clients at the front desk",
            "confidentiality",
            "consultation",
            "colleague_breach",
        ),
        ("client left a 1-star google review, can I respond?", "confidentiality", None, "online_review"),
        ("client offered me a job at his company", "dual_relationship", "power", "hiring_client"),
        (
            "is it wrong to google a new client before the first session",
            "confidentiality",
            None,
            "searching_client_online",
        ),
    ],
)
def test_ranking(q, first, also, situation):
    a = get_matcher().answer(q)
    got = [m.key for m in a.principles]
    assert not a.off_topic
    assert 1 <= len(got) <= 3
    assert got[0] == first, got
    if also:
        assert also in got, got
    if situation:
        assert offered(a) == situation, (a.situation, a.closest)


def offered(a):
    """The situation an answer leads with: its card when the match is clear, else the closest one."""
    if a.situation is not None:
        return a.situation.key
    return a.closest[0].key if a.closest else None


@pytest.mark.parametrize(
    "q,key",
    [
        ("countertransference", "transference"),
        ("privacy", "confidentiality"),
        ("impartiality", "objectivity"),
        ("supervision", "consultation"),
        ("power imbalance", "power"),
        ("Dual relationships", "dual_relationship"),
        ("transferance", "transference"),
    ],
)
def test_bare_principle_name_comes_first(q, key):
    assert keys(q)[0] == key


@pytest.mark.parametrize(
    "q",
    [
        "what's the weather like tomorrow",
        "best pizza in town",
        "how do I reset my password",
        "recommend a CBT workbook",
        "how do I submit a superbill",
        "which telehealth platform is HIPAA friendly and cheap",
        "what time is the staff meeting",
        "good podcast for the commute?",
        "what should I wear to my cousin's wedding",
    ],
)
def test_off_topic(q):
    a = get_matcher().answer(q)
    assert a.off_topic and a.principles == [] and a.situation is None


def test_why_sentences_are_specific():
    a = get_matcher().answer("a client gave me a gift card")
    assert all(m.why for m in a.principles)
    assert any("gift" in m.why for m in a.principles)
    assert [m.score for m in a.principles] == sorted((m.score for m in a.principles), reverse=True)


@pytest.mark.parametrize(
    "q,situation",
    [
        ("ex pt asked to be friends on fb", "former_client_friendship"),
        ("my cl wants me at her bday party", "invitation_celebration"),
        ("social media", "social_media_request"),
        ("gifts", "small_gift"),
    ],
)
def test_shorthand_and_bare_topics(q, situation):
    assert offered(get_matcher().answer(q)) == situation


def test_typo_fixing_leaves_real_words_alone():
    # "policy" is one letter from the stem of "police"; it must not pull in the court situation
    a = get_matcher().answer("my client sells insurance and wants to sell me a policy")
    assert offered(a) == "business_with_client"


@pytest.mark.parametrize(
    "q",
    [
        "client sent me a friend request on fb",
        "can i keep a $50 gift card from a pt",
        "boundaries crossing vs violation",
        "privacy",
    ],
)
def test_on_topic_answers_show_one_to_three_principles_each_with_a_why(q):
    a = get_matcher().answer(q)
    assert 1 <= len(a.principles) <= 3 and len({m.key for m in a.principles}) == len(a.principles)
    assert all(m.why.strip() for m in a.principles)


@pytest.mark.parametrize(
    "q,first,situation",
    [
        # possessive shorthand and "asking if" count as someone asking about a client
        (
            "my patient's wife messaged me on facebook asking if he's been coming",
            "confidentiality",
            "family_asks_about_client",
        ),
        # British spelling and money words; "a lady I counsel" places it in practice
        ("a lady I counsel asked if she could borrow 50 quid till payday", "power", "lending_money"),
        ("my client's behaviour towards me has become quite sexual", "transference", "client_attraction_to_you"),
        # "custody hearing" contains "custody" and "hearing": counted once, the letter wins
        ("a cl asked me to write a letter to the court for her custody hearing", "dual_relationship", "forensic_role"),
        ("matched with a current pt on hinge", "power", "sexual_contact_current_client"),
        ("parent of my 14 yo pt wants to know everything she says", "confidentiality", "parents_of_minor"),
        ("ran into someone I treat at an AA meeting", "confidentiality", "shared_support_group"),
        ("should i tell my clients i'm pregnant", "caring_within_boundaries", "self_disclosure"),
    ],
)
def test_new_wordings(q, first, situation):
    a = get_matcher().answer(q)
    assert not a.off_topic
    assert a.principles[0].key == first, [m.key for m in a.principles]
    assert a.situation is not None and a.situation.key == situation


@pytest.mark.parametrize(
    "q",
    [
        "template for SOAP notes for my clients",
        "when is the CEU deadline for license renewal",
        "how many supervised hours do I need for licensure",
        "how do I bill insurance for a client session",
        "my cousin wants to borrow money",
    ],
)
def test_admin_and_private_life_stay_off_topic(q):
    assert get_matcher().answer(q).off_topic


def test_own_questions_floor():
    """Questions written in new wordings for tuning (tests/principles/data); guards against regressions."""
    import json
    from pathlib import Path

    rows = [
        json.loads(ln)
        for ln in (Path(__file__).parent / "data" / "questions_own.jsonl").read_text().splitlines()
        if ln.strip()
    ]
    found = total = off_ok = off = 0
    for r in rows:
        got = [m.key for m in get_matcher().answer(r["q"]).principles]
        if not r["principles"]:
            off += 1
            off_ok += not got
            continue
        total += len(r["principles"])
        found += len(set(r["principles"]) & set(got[:3]))
    assert off_ok == off
    assert found / total >= 0.9


@pytest.mark.parametrize(
    "q,on_topic",
    [
        ("is it appropriate to eat in front of a client", True),  # ethical wording + practice context
        ("is it weird that a service user knows where I live", True),
        ("is it ok to text my friend late at night", False),  # ethical wording, private life
        ("is it ok to borrow money from my cousin", False),
    ],
)
def test_ethical_wording_needs_practice_context(q, on_topic):
    a = get_matcher().answer(q)
    assert a.off_topic is not on_topic
    if on_topic:
        assert 1 <= len(a.principles) <= 3 and all(m.why for m in a.principles)


def test_term_index_finds_exactly_what_a_full_scan_finds():
    """The first-token index is an optimisation only: same fired cues as testing every term."""
    import json
    from pathlib import Path

    from bot.principles.matcher import TermIndex, _contains

    m = get_matcher()
    cat = m.catalog
    root = Path(__file__).resolve().parents[2]
    qs = [
        json.loads(ln)["q"]
        for f in ("benchmarks/data/questions_dev.jsonl", "benchmarks/data/questions_extra.jsonl")
        for ln in (root / f).read_text().splitlines()
        if ln.strip()
    ]
    qs += ["custody hearing custody hearing", "ex pt ex pt asked to be friends", ""]
    for groups in (cat.principle_cues, cat.situation_triggers):
        index = TermIndex(groups)
        for q in qs:
            toks = m.tokens(q)
            scan = {
                g: {i for i, c in enumerate(cues) if any(_contains(toks, t) for t in c.terms)}
                for g, cues in groups.items()
            }
            assert index.fired(toks) == {g: s for g, s in scan.items() if s}, q


@pytest.mark.parametrize(
    "q,first,also,situation",
    [
        # incidental encounters in services and public places: confidentiality first
        (
            "the taxi driver last night was one of my clients",
            "confidentiality",
            "caring_within_boundaries",
            "running_into_client",
        ),
        ("a client was in the steam room at my gym", "confidentiality", None, "running_into_client"),
        (
            "my barista turned out to be a pt, she served me this morning",
            "confidentiality",
            None,
            "running_into_client",
        ),
        # ongoing overlaps: the second role
        ("my new client is my personal trainer", "dual_relationship", "objectivity", "client_in_another_role"),
        ("a fellow therapist wants to become my client", "dual_relationship", None, None),
        # the therapist giving: care, power, second role
        (
            "can I donate my old winter coat to a client who is homeless",
            "caring_within_boundaries",
            "power",
            "giving_to_client",
        ),
        # group, couple and family work
        (
            "a member of my group keeps contacting another group member outside the group",
            "confidentiality",
            "objectivity",
            "group_couple_family",
        ),
        (
            "in couples counselling one partner wants me to keep it secret from the other",
            "confidentiality",
            "objectivity",
            "group_couple_family",
        ),
        # asking whom to tell
        ("should i tell my supervisor that a client hugged me", "consultation", "caring_within_boundaries", None),
    ],
)
def test_concepts(q, first, also, situation):
    a = get_matcher().answer(q)
    got = [m.key for m in a.principles]
    assert 1 <= len(got) <= 3 and all(m.why for m in a.principles), got
    assert got[0] == first, got
    if also:
        assert also in got, got
    if situation:
        assert offered(a) == situation


def test_a_named_principle_makes_a_longer_question_on_topic():
    assert keys("is this really about objectivity?")[0] == "objectivity"
    assert keys("what does role blurring mean")[0] == "dual_relationship"


def test_contractions_keep_their_pronoun():
    from bot.principles.text import normalize

    assert normalize("we'd") == ["we"] and normalize("they'll") == ["they"]
    assert "wed" not in normalize("we'd be colleagues")


def test_typo_fixes_stay_within_a_letter_of_length():
    m = get_matcher()
    assert "colleagu" not in m.tokens("a former client enrolled at the college")
    assert "client" in m.tokens("my clent")
