"""Mechanisms added after reading misses on unseen wording (risk2): each family in our own words."""

import pytest

from bot.risk import assess

# A young person's own cuts are self-harm; the child + injury + worry combination must not
# turn them into abuse when self-harm is recognised directly.
SELF_INFLICTED = [
    "a 15 year old I see at school has new cuts on his forearm and I'm worried, should I tell anyone?",
    "my teen client showed me fresh cuts on her thighs and asked me not to tell her dad",
    "student client, 14, has deep cuts on her wrists again today, what do I do",
]

# Fear for the relationship ("terrified of losing her trust") is not fear for one's safety.
FEAR_NOT_THREAT = [
    "I'm terrified of losing her trust if I bring this up",
    "I'm scared to tell my supervisor I made a mistake with the invoice",
    "honestly I'm afraid of getting this wrong, can I give a client a lift?",
]


@pytest.mark.parametrize("q", SELF_INFLICTED)
def test_self_inflicted_injury_is_self_harm_not_abuse(q):
    assert assess(q).kind == "self_harm", assess(q).cues


@pytest.mark.parametrize("q", FEAR_NOT_THREAT)
def test_fear_for_the_relationship_is_not_a_threat(q):
    assert "threat_to_practitioner" not in assess(q).kinds, assess(q).cues


def test_fear_for_safety_still_counts():
    assert assess("I'm terrified of him, he threatened to hurt me after the session").kind == "threat_to_practitioner"
