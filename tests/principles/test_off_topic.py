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
