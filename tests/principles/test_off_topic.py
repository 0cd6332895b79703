"""Off-topic: running a practice and small talk are not boundary questions, even when they
mention a client or a session — unless they ask an ethical or relational question."""

from __future__ import annotations

import pytest

from bot.principles import get_matcher


@pytest.mark.parametrize(
    "q",
    [
        # money, billing, paperwork
        "what's the best way to send receipts to clients for their insurance rebate",
        "how do I fill in the insurer's claim form for a client's extra sessions",
        "my clients want itemised invoices, does anyone have a template",
        "which spreadsheet do you use to track session payments",
        # tools and software
        "does anyone know a good booking system that lets clients reschedule online",
        "our scheduling tool keeps sending clients the wrong session reminder",
        "what software do people here use for session notes",
        "how do I export my client calendar to outlook",
        # professional training, CPD, registration
        "how many CPD hours do I need this year and do webinars count",
        "is the registration renewal fee due in march for counsellors",
        "can anyone recommend a continuing education course on couples work",
        # equipment and the office
        "can anyone recommend a headset for long days of video sessions",
        "looking for an ergonomic setup, my back hurts after a day of sessions",
        # small talk
        "morning all, anyone else's office freezing today?",
        "happy friday everyone, any plans for the weekend?",
        "what's a good podcast for the commute",
    ],
)
def test_practice_admin_and_small_talk_are_off_topic(q):
    assert get_matcher().answer(q).off_topic, q


@pytest.mark.parametrize(
    "q",
    [
        # the same topics, asking an ethical or relational question about a client
        "is it ok to waive the fee for a client who lost her job",
        "is it appropriate to text clients from my personal phone for scheduling",
        "a client offered to do my bookkeeping instead of paying fees",
        "is it unethical to use a client's review on my website",
        "my client threw a chair at me in session, what now",
        "a client found me on a dating app",
        "my client on zoom could see my bedroom behind me, does that matter",
        "the scheduling app showed a client another client's name, is that a problem",
    ],
)
def test_admin_words_with_a_boundary_question_stay_on_topic(q):
    assert not get_matcher().answer(q).off_topic, q


@pytest.mark.parametrize(
    "q",
    [
        # a money or paperwork word inside a clear boundary situation
        "the father pays the bills and insists on a full rundown of what his 14 year old tells me in sessions",
        "my client filled in her insurance form and then asked me out on a date, she has a crush on me",
    ],
)
def test_an_incidental_admin_word_does_not_hide_a_clear_boundary_situation(q):
    assert not get_matcher().answer(q).off_topic, q


@pytest.mark.parametrize(
    "q",
    [
        "a client offered to do my bookkeeping in lieu of fees",
        "she can no longer afford therapy and wants to clean my office instead of paying",
        "client suggested repairing my roof in return for sessions",
    ],
)
def test_barter_wordings_find_the_bartering_situation(q):
    a = get_matcher().answer(q)
    shown = a.situation.key if a.situation else (a.closest[0].key if a.closest else None)
    assert shown == "bartering", (a.situation, a.closest)


# Families of inputs: topics of running a practice and small talk that no test above and no
# read question set words this way, each in frames that mention a client or a session. The
# mechanism (bot/principles/matcher.py _admin_on_topic, the domain lexicons admin_topics in
# prompts/principles.yaml) must hold for the whole family, not for the sentences it was tuned on.
ADMIN_TOPICS = [
    "claim my home office as a business expense",
    "work out my hourly rate for next year",
    "find a CE webinar on trauma",
    "renew my malpractice insurance",
    "set up online booking",
    "choose an outcome measure for anxiety",
    "get the wifi fixed in our shared suite",
    "write a SOAP note faster",
    "get credentialed with an insurance panel",
    "log my supervised hours for licensure",
    "pick a good podcast for the commute",
    "make a decent lasagna for the potluck",
    "back up my laptop",
    "export my calendar",
    "sort out my tax return",
]
ADMIN_FRAMES = [
    "quick q, a client mentioned it in session: how do I {t}?",
    "my clients keep asking, what's the best way to {t}?",
    "between clients today I tried to {t}. any tips?",
    "morning all! anyone know how to {t}? my 3pm client cancelled so i have time lol",
    "As a counsellor in private practice I need to {t}. Could someone explain the steps?",
]


@pytest.mark.parametrize("frame", ADMIN_FRAMES)
@pytest.mark.parametrize("topic", ADMIN_TOPICS)
def test_a_family_of_admin_and_small_talk_questions_mentioning_a_client_is_off_topic(topic, frame):
    q = frame.format(t=topic)
    assert get_matcher().answer(q).off_topic, q


# ... and the same kinds of task, when the question is about a client doing them for you
BOUNDARY_FRAMES = [
    "a client offered to {t} for me for free. can I accept?",
    "my client wants to {t} for me in exchange for sessions",
    "a client who is an IT consultant offered to {t}, would that be a dual relationship?",
    "is it ok to let a client {t} for me?",
]
CLIENT_FAVOURS = [
    "set up my website",
    "do my tax return",
    "fix my laptop",
    "build my booking system",
    "do my bookkeeping",
    "redesign my logo",
]


@pytest.mark.parametrize("frame", BOUNDARY_FRAMES)
@pytest.mark.parametrize("task", CLIENT_FAVOURS)
def test_the_same_tasks_as_a_client_favour_stay_on_topic(task, frame):
    q = frame.format(t=task)
    assert not get_matcher().answer(q).off_topic, q


@pytest.mark.parametrize(
    "q",
    [
        # the codes' own subjects, asked as exam revision or training
        "For my licensing exam: what does Tarasoff require of a therapist?",
        "revising for the EPPP, can someone explain the difference between duty to warn and duty to protect?",
        # background mentions a friend and clients following me; the question asked is admin
        "I'm going solo next year and a friend said credentialing took her months. Some clients want to follow me."
        " How long does insurance panel credentialing usually take?",
    ],
)
def test_the_subject_and_the_asking_sentence_decide(q):
    a = get_matcher().answer(q)
    assert a.off_topic == q.startswith("I'm going solo"), q
