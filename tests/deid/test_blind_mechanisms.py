"""Mechanisms added after the blind corpus (b2-*): names that are words,
particles, initials, bare and written ages, acronym organisations, Irish
addresses, regions and cited theorists. Sentences are new, not the corpus's."""

from __future__ import annotations

import pytest

from .test_recognizers import gone, kept


@pytest.mark.parametrize(
    "text,surfaces",
    [
        ("Her name's Summer and she wants to be friends.", ["Summer"]),
        ("I ran into Dawn at the pharmacy yesterday.", ["Dawn"]),
        ("find a new gym? Will seemed thrilled to see me there.", ["Will"]),
        ("Amber from my Thursday group messaged me.", ["Amber"]),
        ("Rich (my client, 61) keeps bringing me plants.", ["Rich", "61"]),
        ("Pat came to session late again and apologised.", ["Pat"]),
        ("Jo and I were at school together.", ["Jo"]),
        ("my client sandy wants to friend me", ["sandy"]),
        ("her son will turned up at my office", ["will"]),
        ("I had coffee with pat after group.", ["pat"]),
        ("saw my client joy at the pub on friday", ["joy"]),
        ("A client, Johannes van der Merwe, owns the vineyard.", ["Johannes", "van der Merwe"]),
        ("Client Ana Lucía de la Fuente asked for a letter.", ["de la Fuente"]),
        ("The client, Khalid bin Rashid, is a surgeon.", ["bin Rashid"]),
        ("client rajendra kumar asked for a discount", ["rajendra", "kumar"]),
        ("her form tutor, mr pemberton, messaged her", ["pemberton"]),
        ("she was referred by dr iyer last week.", ["iyer"]),
        ("how TJ is doing at school. TJ is 15 and shy.", ["TJ", "15"]),
        ("My client KC asked for my number.", ["KC"]),
        ("Bec asked if she could bring her dog.", ["Bec"]),
    ],
)
def test_names(engine, text, surfaces):
    gone(engine, text, *surfaces)


@pytest.mark.parametrize(
    "text,kept_words",
    [
        ("Will you all weigh in? Will it ever end?", ["Will you", "Will it"]),
        (
            "Summer is a slow season. This Summer I'm on leave. In Summer 2023 too.",
            ["Summer is", "This Summer", "Summer 2023"],
        ),
        ("Grace periods for late fees: how long? Rich clients offer gifts.", ["Grace", "Rich"]),
        ("My client's daughter drew me a picture; a client rang my mobile at one.", ["drew", "rang", "one"]),
        ("Please see the referance letter from my client attached.", ["referance"]),
        ("with grace and dignity, said the client", ["grace"]),
        ("many clients are from Aotearoa and Ontario", ["are", "Aotearoa", "Ontario"]),
        ("He drives a Kia; she drives a Toyota. Kia ora koutou.", ["Kia", "Toyota"]),
        ("She verified her Aadhaar and booked on Practo.", ["Aadhaar", "Practo"]),
        ("I'd been rereading Carl Rogers on congruence; Bessel van der Kolk too.", ["Carl Rogers", "van der Kolk"]),
        ("She was referred to CAMHS and I told the LADO; she sees a GP.", ["CAMHS", "LADO", "GP"]),
        ("We moved from New South Wales to Tamil Nadu.", ["New South Wales", "Tamil Nadu"]),
        ("The fee is 40. The room, 12.", ["40", "12"]),
    ],
)
def test_left_alone(engine, text, kept_words):
    kept(engine, text, *kept_words)


@pytest.mark.parametrize(
    "text,surfaces",
    [
        ("client is Mere, 29. she wants", ["29"]),
        ("my client sandy is 34.", ["34"]),
        ("her daughter is twenty-six and pregnant.", ["twenty-six"]),
        ("a fourteen-year-old client disclosed", ["fourteen-year-old"]),
        ("she turned 16 in March.", ["16"]),
    ],
)
def test_ages(engine, text, surfaces):
    gone(engine, text, *surfaces)


@pytest.mark.parametrize(
    "text,surfaces",
    [
        ("She did her placement at CAMH and now works at NIMHANS.", ["CAMH", "NIMHANS"]),
        ("He volunteers at Mind in Salford on weekends.", ["Mind", "Salford"]),
        ("Her kids go to Scoil Mhuire and St Ciarán's NS.", ["Ciarán's NS"]),
        ("He went to Belvedere CBS before university.", ["Belvedere CBS"]),
        ("My client is a detective with Police Scotland.", ["Police Scotland"]),
        ("He runs Punjab Sweets & Chaat on the corner.", ["Punjab Sweets"]),
    ],
)
def test_orgs(engine, text, surfaces):
    gone(engine, text, *surfaces)


@pytest.mark.parametrize(
    "text,surfaces",
    [
        ("She lives at 4 Main Street, Castlebar, County Mayo, F23 X5K2.", ["Castlebar", "Mayo", "F23 X5K2"]),
        ("The Eircode is D02 AF30.", ["D02 AF30"]),
        ("home at 88 rue Saint-Jean, Québec G1R 1P6.", ["Québec", "G1R 1P6"]),
        ("He lives in Khayelitsha, Cape Town 7784.", ["7784"]),
        ("Address is 14 MG Road, PIN 560001.", ["560001"]),
    ],
)
def test_addresses(engine, text, surfaces):
    gone(engine, text, *surfaces)


@pytest.mark.parametrize(
    "text,surfaces",
    [
        ("Her partner, fifty-one, is unwell.", ["fifty-one"]),
        ("Dawn on the front desk at the surgery told me she knows my client.", ["Dawn"]),
        ("pt jess - she keeps texting", ["jess"]),
    ],
)
def test_more_found(engine, text, surfaces):
    gone(engine, text, *surfaces)


@pytest.mark.parametrize(
    "text,kept_words",
    [
        ("Hope in the face of despair, as Frankl said, is everything.", ["Hope"]),
        ("Mark on the calendar when she said yes.", ["Mark"]),
        ("Numbers followed by units are not ages. Clients referred by GPs wait.", ["Numbers", "Clients"]),
        ("The API answers GET and POST on one PORT.", ["API", "GET", "POST", "PORT"]),
    ],
)
def test_more_left_alone(engine, text, kept_words):
    kept(engine, text, *kept_words)


@pytest.mark.parametrize(
    "text,surfaces",
    [
        ("k.m. (my client) sent a long email", ["k.m."]),
        ("the client - twenty-six, married - wants to stop", ["twenty-six"]),
        ("He lives at 5 Church View, Ennis.", ["Church View"]),
        ("He works in Koramangala, Bangalore.", ["Bangalore"]),
        ("Blessing, 19, is a new client.", ["Blessing", "19"]),
    ],
)
def test_held_out_look_one_gaps(engine, text, surfaces):
    gone(engine, text, *surfaces)


def test_region_after_town_stays(engine):
    kept(engine, "I work in Sligo, Ireland, on Tuesdays.", "Ireland", "Tuesdays")
