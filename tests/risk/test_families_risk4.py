"""Families added in risk4, each tested with inputs written for the test (not from any corpus).

The cue families are rules and can promise each sentence; the model's features (the
glossary of other languages' risk words, negation that ends at a clause's end) are tested
as features.
"""

import pytest

from bot.risk.model import features, gloss
from bot.risk.recognizer import cue_recognizer


def cues(q: str):
    return cue_recognizer().assess(q)


# A young child left without an adult: in a car, alone at home, minding a baby.
CHILD_LEFT = [
    "she leaves her 2 year old sleeping in the car while she does the shopping",
    "my client left her toddler alone at home all evening to go to the pub",
    "the kids are often left in the van while dad is at the bookies",
    "dad leaves the little ones on their own after school till 9",
    "Una madre deja solos a sus hijos pequeños toda la noche",
    "Le père laisse ses deux enfants seuls à la maison le week-end",
    "Ela deixa os filhos pequenos sozinhos em casa",
    "Lascia i bambini soli in casa tutto il giorno",
]
CHILD_CARED_FOR = [
    "mum left the kids with grandma for the weekend, is it ok to see her on saturday?",
    "my client drops her son at football practice with the coach before our session",
    "she left the car in the car park and walked to my office",
]


@pytest.mark.parametrize("q", CHILD_LEFT)
def test_a_young_child_left_without_an_adult_is_neglect(q):
    assert cues(q).kind == "abuse_neglect", cues(q).cues


@pytest.mark.parametrize("q", CHILD_CARED_FOR)
def test_a_child_left_with_an_adult_is_not(q):
    assert "abuse_neglect" not in cues(q).kinds, cues(q).cues


# A partner's control of money, messages, movements and permission: two signs make a kind.
CONTROL = [
    "her husband keeps her bank card and she needs his permission to see her friends",
    "he reads all her messages and she has to ask for his ok before she goes out",
    "her partner holds her passport and tracks her location all day",
]
NOT_CONTROL = [
    "my teen client isn't allowed to go out on school nights, is that normal parenting?",
    "she keeps her bank card in her phone case and forgot it today, can she pay next week?",
    "she needs her supervisor's approval to change our session time",
]


@pytest.mark.parametrize("q", CONTROL)
def test_control_of_a_partners_means_and_movements_is_abuse(q):
    assert cues(q).kind == "abuse_neglect", cues(q).cues


@pytest.mark.parametrize("q", NOT_CONTROL)
def test_one_sign_or_ordinary_rules_are_not(q):
    assert "abuse_neglect" not in cues(q).kinds, cues(q).cues


# The practitioner followed or watched at home, in the other languages; following online is not.
FOLLOWED = [
    "Un paciente me sigue por la calle cuando salgo de la consulta",
    "Un ancien client sait où j'habite et m'attend le soir",
    "Ein Klient verfolgt mich nach der Arbeit",
    "Um ex-cliente descobriu onde eu moro",
    "Un ex paziente mi aspetta sotto casa",
]
FOLLOWED_ONLINE = [
    "Mi cliente me sigue en Instagram desde hace un mes, ¿la bloqueo?",
    "Un client me suit sur Instagram depuis des mois, dois-je l'accepter ?",
    "Ein Klient verfolgt mich auf Instagram, soll ich ihn blockieren?",
    "Uma cliente me segue no Instagram. Devo seguir de volta?",
]


@pytest.mark.parametrize("q", FOLLOWED)
def test_being_followed_home_is_a_threat_in_other_languages(q):
    assert cues(q).kind == "threat_to_practitioner", cues(q).cues


@pytest.mark.parametrize("q", FOLLOWED_ONLINE)
def test_being_followed_online_is_not(q):
    assert "threat_to_practitioner" not in cues(q).kinds, cues(q).cues


DENIED_CARE = [
    "Su nieto no le da de comer si no le firma los cheques",
    "Sa fille ne lui donne pas à manger quand elle se plaint",
    "O filho não a deixa comer quando ela reclama",
    "La nuora non le dà da mangiare la sera",
]


@pytest.mark.parametrize("q", DENIED_CARE)
def test_an_adult_denied_food_is_abuse_in_other_languages(q):
    assert cues(q).kind == "abuse_neglect", cues(q).cues


def test_affairs_put_in_order_are_a_sign_of_self_harm_not_a_verdict_alone():
    for q in (
        "she wants everything in order soon and has cancelled her plans",
        "he asked me to be the executor of his will",
        "she has been tying up all her loose ends this month",
    ):
        assert any(c.family == "affairs_in_order" for c in cues(q).cues), q
    assert not any(c.family == "affairs_in_order" for c in cues("my client is a solicitor and an executor").cues)


def test_other_languages_risk_words_count_as_the_english_word():
    assert gloss("pastillas") == gloss("comprimidos") == "pills"
    assert gloss("suicidarse") == gloss("selbstmordgedanken") == "suicide"
    assert gloss("l'empeche") is None and gloss("client") is None and gloss("house") is None
    f = features("ella guarda pastillas en el cajon")
    assert "w:pills" in f and "w:pastillas" in f
    # a negation reaches the glossed word as it reaches the word
    assert "n:pills" in features("no tiene pastillas en casa")


def test_a_negation_ends_at_the_end_of_its_clause():
    f = features("No threats at all, just rage about the hearing")
    assert "n:threats" in f and "w:rage" in f and "n:rage" not in f
    # and reaches further inside it
    assert "n:harming" in features("she is not having thoughts of harming herself")


def test_a_short_question_in_another_language_is_read_as_one_though_its_words_are_in_the_english_list():
    from bot.risk.model import is_other_language
    from bot.risk.recognizer import _english

    english = _english()
    for q in (
        "Mi cliente quiere ser mi amiga en Facebook. ¿Qué hago?",
        "Mon client veut être mon ami sur Facebook. Que faire ?",
        "Mein Klient möchte mein Freund auf Facebook sein. Was tun?",
        "Meu cliente quer ser meu amigo no Facebook. O que faço?",
    ):
        assert is_other_language(q, english), q
    for q in (
        "my client wants to be my friend on Facebook, what do I do?",
        "client in detox says hes seeing spiders, shaking, sweating, day 3 no alcohol",
        "Kia ora, my client asked me to come to her koro's tangi at the marae",
    ):
        assert not is_other_language(q, english), q
