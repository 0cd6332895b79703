"""Each recogniser with positive and negative cases, including the guide's traps."""

from __future__ import annotations

import pytest

from .conftest import removed_surfaces


def gone(engine, text: str, *surfaces: str) -> None:
    red = engine.redact(text).text
    for s in surfaces:
        assert s not in red, f"{s!r} survived in {red!r}"


def kept(engine, text: str, *surfaces: str) -> None:
    red = engine.redact(text).text
    for s in surfaces:
        assert s in red, f"{s!r} was removed from {text!r} -> {red!r}"


# ---- names -------------------------------------------------------------
@pytest.mark.parametrize(
    "text,name",
    [
        ("My client Tomasz cancelled again.", "Tomasz"),
        ("pt jess asked for a hug", "jess"),
        ("client grace offered to clean my house", "grace"),
        ("his name is kwame, first time in recovery", "kwame"),
        ("Dr. Okafor referred her to me.", "Okafor"),
        ("Mrs K asked about the fees", "K"),
        ("I saw T.J. at the gym", "T.J."),
        ("Her son Nico is struggling.", "Nico"),
        ("A client, Yuki Tanaka-Brooks, sent me a link.", "Yanaka-Brooks".replace("Y", "T")),
        ("My client Pádraig Ó Súilleabháin agreed.", "Súilleabháin"),
        ("Rhodri ap Gwilym is the landlord", "Gwilym"),
        ("He goes by Big Mike at work.", "Big Mike"),
        ("I'm Noor btw, LMHC.", "Noor"),
    ],
)
def test_names_found(engine, text, name):
    gone(engine, text, name)


@pytest.mark.parametrize(
    "text,word",
    [
        ("My client Will says he will only come if I disclose.", "he will only"),
        ("I hope this isn't a dumb question.", "I hope"),
        ("It has been a weird summer with her.", "weird summer"),
        ("He can't pay his bill this month.", "his bill"),
        ("Should I mark it in my notes?", "mark it"),
        ("i have faith she'd understand", "have faith"),
    ],
)
def test_common_words_that_are_names_stay_as_words(engine, text, word):
    kept(engine, text, word)


@pytest.mark.parametrize(
    "text,name",
    [
        ("My pt Summer venmo'd me $40.", "Summer"),
        ("Her dad Bill died last year.", "Bill"),
        ("I've been seeing Grace weekly for months.", "Grace"),
        ("My supervisor Mark Feld says no.", "Mark Feld"),
        ("Ex-client Hope Castellanos wants to be friends.", "Hope"),
    ],
)
def test_word_names_when_they_name_a_person(engine, text, name):
    gone(engine, text, name)


def test_titles_stay_outside_the_name(engine):
    spans = removed_surfaces(engine, "Mrs. Delgado and Dr. Kim both called.")
    assert "Delgado" in spans and "Kim" in spans
    assert not any(s.startswith(("Mrs", "Dr")) for s in spans)


def test_public_figures_and_safe_terms_stay(engine):
    text = (
        "As Yalom writes, transparency helps. We do CBT and EMDR, she found me on Instagram, "
        "we meet on Zoom every Monday, and the APA and NASW codes are silent. It happened at Christmas."
    )
    assert engine.redact(text).text == text


# ---- ages ----------------------------------------------------------------
@pytest.mark.parametrize(
    "text,age",
    [
        ("a 33-year-old engineer", "33-year-old"),
        ("pt jess (29) sent me", "29"),
        ("Moyo, 27yo, been coming a year", "27yo"),
        ("34 y/o client", "34 y/o"),
        ("Client Bill Tremblay, aged 71, can't pay", "71"),
        ("she's sixty-two and would be crushed", "sixty-two"),
        ("he's 15. should i respond", "15"),
        ("I'm 38, recently divorced", "38"),
    ],
)
def test_ages_found(engine, text, age):
    assert age in removed_surfaces(engine, text)


@pytest.mark.parametrize(
    "text",
    [
        "A client in her 40s offered to do my bookkeeping.",
        "She's a teenager and in her thirties her mother left.",
        "I've been sober 12 yrs and seeing him for six months.",
        "We met weekly since 2019, fifty minutes each.",
    ],
)
def test_relative_ages_durations_and_years_stay(engine, text):
    assert not [s for s in engine.redact(text).spans if s.label in ("AGE", "DATE")]


def test_age_becomes_a_band(engine):
    r = engine.redact("Client is a 44-year-old nurse")
    assert "[40s]" in r.text


# ---- dates -----------------------------------------------------------------
@pytest.mark.parametrize(
    "text,date",
    [
        ("died on Oct. 9 and", "Oct. 9"),
        ("the wedding is on June 14th", "June 14th"),
        ("we ended on Feb. 2, 2023.", "Feb. 2, 2023"),
        ("admitted on 2024-05-01", "2024-05-01"),
        ("DOB 07/19/1986", "07/19/1986"),
        ("finished on 14/02/2024", "14/02/2024"),
        ("discharged on 3rd of March", "3rd of March"),
        ("since our session on the 21st", "the 21st"),
        ("see you Tues 4/2", "4/2"),
        ("ended in August 2022", "August 2022"),
    ],
)
def test_dates_found(engine, text, date):
    assert date in removed_surfaces(engine, text)


@pytest.mark.parametrize(
    "text",
    [
        "We meet on Monday and Thursdays.",
        "She's been in therapy since 2019.",
        "He joined in January and it's 24/7 stress.",
        "APA 3.05 and NASW 1.06 apply here.",
        "About 3/4 of my caseload.",
        "in the 21st century",
    ],
)
def test_non_dates_stay(engine, text):
    assert not [s for s in engine.redact(text).spans if s.label == "DATE"]


# ---- locations ---------------------------------------------------------------
@pytest.mark.parametrize(
    "text,place",
    [
        ("the only LPC in Roundup, MT", "Roundup"),
        ("a tow to Billings", "Billings"),
        ("their house, 418 Maple Ct, is", "418 Maple Ct"),
        ("at 88 Hudson St, Apt 12C in Hoboken", "Apt 12C"),
        ("Our zip is 53704.", "53704"),
        ("at 14 Banksia Crescent, Morningside QLD 4170.", "4170"),
        ("the office on Hollis Ave", "Hollis Ave"),
        ("in Saratoga Springs", "Saratoga Springs"),
        ("moved to Boise, ID", "Boise"),
        ("near SW1A 1AA", "SW1A 1AA"),
        ("postal code K1A 0B1", "K1A 0B1"),
        ("I practise in Ballinamore, Co. Leitrim.", "Leitrim"),
        ("lives out past Toowoomba", "Toowoomba"),
        ("a recital in mt albert", "albert"),
    ],
)
def test_locations_found(engine, text, place):
    gone(engine, text, place)


def test_countries_and_states_stay(engine):
    kept(engine, "She's Korean American and grew up in Texas and Nigeria.", "Korean American", "Texas", "Nigeria")


# ---- organisations -------------------------------------------------------------
@pytest.mark.parametrize(
    "text,org,kind",
    [
        ("a counselor at Lincoln Elementary this year", "Lincoln Elementary", "school"),
        ("a meeting at St. Mary's on Sundays", "St. Mary's", "church"),
        ("my class at Harbor Lights Yoga", "Harbor Lights Yoga", "workplace"),
        ("admitted to Mercy Hospital in", "Mercy Hospital", "hospital"),
        ("front desk at Harbor View Counseling emailed", "Harbor View Counseling", "clinic"),
        ("she studies at the University of Northern Vermont.", "University of Northern Vermont", "school"),
        ("he bartends at The Rusty Anchor on weekends", "The Rusty Anchor", "workplace"),
    ],
)
def test_orgs_found_and_typed(engine, text, org, kind):
    r = engine.redact(text)
    hit = [s for s in r.spans if text[s.start : s.end] == org]
    assert hit, [text[s.start : s.end] for s in r.spans]
    assert hit[0].kind == kind
    assert f"[{'place of worship' if kind == 'church' else kind}]" in r.text


def test_generic_institutions_stay(engine):
    kept(
        engine,
        "The Family Court asked for a report under her Mental Health Care Plan.",
        "Family Court",
        "Mental Health Care Plan",
    )


# ---- contacts and IDs ------------------------------------------------------------
@pytest.mark.parametrize(
    "text,value",
    [
        ("my cell (915-555-0187) got out", "915-555-0187"),
        ("call +44 7700 900123 please", "+44 7700 900123"),
        ("her mobile, 0412 345 678, saying", "0412 345 678"),
        ("front desk line 208-555-0142 ext. 3 asking", "208-555-0142 ext. 3"),
        ("emailed from will.okonkwo@example.com.", "will.okonkwo@example.com"),
        ("my page instagram.com/breathewithnoor. I'm", "instagram.com/breathewithnoor"),
        ("her blog www.yukiwrites.blog where", "www.yukiwrites.blog"),
        ("from @jess.rides.bikes last night", "@jess.rides.bikes"),
    ],
)
def test_contacts_found(engine, text, value):
    assert value in removed_surfaces(engine, text)


@pytest.mark.parametrize(
    "text,value",
    [
        ("SSN 512-44-8309 and all", "512-44-8309"),
        ("MRN 00739215, was admitted", "00739215"),
        ("NHS no. 401 023 2137, case", "401 023 2137"),
        ("docket 2024-DR-01187, hearing", "2024-DR-01187"),
        ("her blue civic (plate 7KLM294) is", "7KLM294"),
        ("file number BRC 4412 of 2023.", "BRC 4412 of 2023"),
    ],
)
def test_ids_found(engine, text, value):
    assert value in removed_surfaces(engine, text)


def test_ids_need_digits(engine):
    assert not removed_surfaces(engine, "The case was hard and the record is sealed. COVID-19 was rough.")


# ---- workspace terms -----------------------------------------------------------------
def test_workspace_terms_whole_word_case_insensitive(engine):
    text = "I work at maple grove clinic near the Roundup; roundups are fun."
    r = engine.redact(text, terms=("Maple Grove Clinic", "Roundup"))
    assert "maple grove" not in r.text.lower()
    assert "Roundup;" not in r.text
    assert "roundups" in r.text  # whole words only


# ---- normalisation ---------------------------------------------------------------------
def test_zero_width_and_soft_hyphen_do_not_hide_a_name(engine):
    text = "My client Ro\u200bsalind Pem\u00adberton called."
    r = engine.redact(text)
    assert "Ro" not in r.text and "berton" not in r.text
    assert r.text == "My client [Person A] called."


def test_fullwidth_letters_fold(engine):
    r = engine.redact("my client Ｍａｒｉｓｏｌ (２９) called")
    assert "Ｍａｒｉｓｏｌ" not in r.text and "[20s]" in r.text


# ---- note-style and venue forms ------------------------------------------------
def test_form_fields_in_notes(engine):
    text = "- Client: Magdalena Wiśniewska, 39\n- Employer: Northern Rail\n- Address: 17 Albion Road, Leeds LS6 1AB"
    red = engine.redact(text).text
    for s in ("Magdalena", "Wiśniewska", "39", "Northern Rail", "Albion", "Leeds", "LS6 1AB"):
        assert s not in red, red
    assert red.startswith("- Client: [Person A], [30s]\n- Employer: [workplace]")


def test_capital_the_mid_sentence_opens_a_venue(engine):
    r = engine.redact("the bar where my client Colm works, The Brazen Head, is loud")
    assert "Brazen" not in r.text and "[workplace]" in r.text


@pytest.mark.parametrize("text", ["We celebrated Tết and Diwali.", "She was off for Eid and Hanukkah."])
def test_holidays_of_many_traditions_stay(engine, text):
    assert engine.redact(text).text == text


def test_names_of_many_origins(engine):
    text = "Clients this week: Oluwadamilare, Siobhán, Thiago, Zeynep, Aarav, Mihai and Nguyễn Thị Lan."
    red = engine.redact(text).text
    for n in ("Oluwadamilare", "Siobhán", "Thiago", "Zeynep", "Aarav", "Mihai", "Nguyễn", "Lan"):
        assert n not in red, red


def test_non_contacts_stay(engine):
    text = "We meet on Doxy.me at 11pm; she paid $150 in 2019-2020 and owes 3 sessions, call it 50/50."
    assert not [s for s in engine.redact(text).spans if s.label in ("CONTACT", "ID")]


def test_review_warnings_are_short_sentences(engine):
    r = engine.redact(
        "I'm the only therapist within 60 miles and my client, the town's only pharmacist, "
        "was on the news last week. Her husband died on March 3rd."
    )
    assert len(r.warnings) >= 3
    assert all(len(w) < 200 and w[0].isupper() and w.endswith(".") for w in r.warnings)
    assert not any("pharmacist" in w or "March" in w for w in r.warnings)  # warnings never quote the text


@pytest.mark.parametrize(
    "text",
    [
        "I use Motivational Interviewing and Acceptance and Commitment Therapy with most clients.",
        "She found my Substack. I'm a Christian counselor; my client, a Black woman in her 50s, asked why.",
        "Per the ACA Code of Ethics A.5.c, is a Facebook friendship with a former client acceptable?",
        "During Ramadan my client wants to reschedule to after iftar on Google Meet.",
    ],
)
def test_clean_dilemmas_stay_clean(engine, text):
    assert engine.redact(text).text == text


@pytest.mark.parametrize(
    "text,gone_",
    [
        ("my cl summer (19) keeps asking about my summer class", "cl summer"),
        ("grace (pt, 26yo) follows my tiktok", "grace (pt"),
        ("hey all its ciarán from the galway group", "ciarán"),
        ("hey all its ciarán from the galway group", "galway"),
        ("pt Hyun-woo Park 27 texted me", "27"),
        ("a handwritten card to 88 rue Saint-Jean, app. 3, Québec G1R 1P6", "Saint-Jean"),
        ("my home address (27 Chandler St, apt 2R) was found", "2R"),
        ("he's a trainer at F45 Clontarf now", "F45"),
        ("she's at VA Puget Sound every week", "VA Puget"),
        ("he runs Punjab Sweets & Chaat on Scott Rd", "Chaat"),
        ("free cuts at Shear Bliss in Kitsilano", "Shear Bliss"),
        ('a note signed "X." on my doorstep', '"X."'),
        ("Client Sigrún (sixty-one) asked me", "sixty-one"),
    ],
)
def test_texting_and_venue_forms(engine, text, gone_):
    assert gone_ not in engine.redact(text).text


@pytest.mark.parametrize(
    "text",
    [
        "Rogers wrote about unconditional positive regard; as Beck argued, thoughts matter.",
        "CPT 90837 for most sessions, F33.1 on the claim.",
        "Her garden is all ivy and roses and he joined a startup.",
        "He prays Jummah on Fridays, keeps Shabbat, and takes Vyvanse.",
    ],
)
def test_more_safe_terms(engine, text):
    assert engine.redact(text).text == text
