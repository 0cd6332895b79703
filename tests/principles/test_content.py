"""The content signal (BM25 over the catalog's own text) and what it is for."""

from __future__ import annotations

import pytest

from bot.principles import get_catalog, get_matcher
from bot.principles.content import BM25Index, content_terms, principle_documents


def keys(q: str) -> list[str]:
    a = get_matcher().answer(q)
    assert not a.off_topic, q
    return [m.key for m in a.principles]


def test_every_principle_has_a_document_and_stopwords_are_gone():
    docs = principle_documents(get_catalog())
    assert set(docs) == set(get_catalog().principles)
    assert all(sum(d.values()) > 200 for d in docs.values())
    assert not {"the", "and", "my", "is", "should"} & set().union(*docs.values())
    assert content_terms("Should I tell the client?", {}) == ["client"]


def test_bm25_prefers_the_document_that_uses_the_words():
    ix = BM25Index({"a": {"gift": 3.0, "client": 1.0}, "b": {"court": 2.0, "client": 1.0}})
    s = ix.scores(["gift", "client"])
    assert s["a"] > s["b"] > 0
    assert ix.scores(["unknown"]) == {"a": 0.0, "b": 0.0}


@pytest.mark.parametrize(
    "q,first",
    [
        ("what do i need to tell clients at intake about the limits of confidentiality", "confidentiality"),
        ("how do I protect my objectivity with a client I really like", "objectivity"),
        ("is a dual relationship ever ok in a small town", "dual_relationship"),
        ("how do I work with transference in a long-term client", "transference"),
    ],
)
def test_a_principle_named_inside_a_question_comes_first(q, first):
    assert keys(q)[0] == first


@pytest.mark.parametrize(
    "q,first",
    [
        ("my client sees me as a mother figure", "transference"),
        ("this client reminds me of my dad and I get irritated", "transference"),
        ("I have strong feelings toward a client", "transference"),
        ("is it ok to pray with a client", "caring_within_boundaries"),
        ("tx'ing a cop who arrested my brother last yr", "objectivity"),
    ],
)
def test_long_tail_wordings(q, first):
    assert keys(q)[0] == first


@pytest.mark.parametrize(
    "q,among",
    [
        ("a new referral is the man who hurt my sister years ago", "objectivity"),
        ("client on video can see my kids in the background", "confidentiality"),
        # "her mum" also reads as a relative (a second role): dual relationship and
        # transference are within a few points, and the trained ranker puts dual first
        ("my client sees me as her mum", "transference"),
    ],
)
def test_long_tail_wordings_in_top_three(q, among):
    assert among in keys(q)


@pytest.mark.parametrize(
    "q",
    [
        "best billing software for a small practice",
        "when is my CEU deadline",
        "SOAP note template",
        "banana bread recipe",
        "weather tomorrow",
        "tell me a joke",
        "how do I change my slack settings",
        "how many hours do I need for licensure",
        "is it ok to lend my brother money",
        "what should I cook for my family tonight",
    ],
)
def test_content_signal_keeps_off_topic_questions_off(q):
    assert get_matcher().answer(q).off_topic


def test_principles_picked_on_content_alone_give_their_fallback_why():
    m = get_matcher()
    cat = m.catalog
    a = m.answer("is it ok to pray with a client")
    cue_whys = {c.why for cues in cat.principle_cues.values() for c in cues}
    for p in a.principles:
        assert p.why == cat.fallback_why[p.key] or p.why in cue_whys or "by name" in p.why
