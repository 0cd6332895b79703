"""The intake's risk note (every kind, every way of answering) and the note an
anonymous reply's writer gets, against an in-memory Slack."""

from __future__ import annotations

import json

import pytest

from bot import outgoing as out
from bot.consult.conversation import value
from bot.consult.intake import StepId
from tests.conftest import CONSULT, PRACTITIONER, TEAM
from tests.consult.conftest import WORKSPACE

KIND_SITUATIONS = {
    "self_harm": "The client told me she has a plan to kill herself this weekend and asked me to keep it quiet.",
    "harm_to_others": "He is going to kill his ex-wife's new boyfriend this weekend, he told me in session.",
    "abuse_neglect": "A 6 year old client disclosed that her uncle touches her private parts.",
    "crisis_now": "The client is drunk in my waiting room and about to drive home with her kids.",
    "threat_to_practitioner": "The client said he'd kill me if I report him, and he knows where I live.",
}
CALM = "A former client asked me to coffee after we ended two years ago."


def last_dm(domain):
    return domain.gateway.to(PRACTITIONER, "dm")[-1]


async def ref_of(domain) -> str:
    intake = await domain.store.open_intake(TEAM, domain.services.identity.author_hashes(TEAM, PRACTITIONER))
    return intake.ref


async def preview_with(domain, situation: str, question: str = "What would you do?") -> out.PreviewPrompt:
    c = domain.services.conversation
    assert await c.start(WORKSPACE, PRACTITIONER) == "started"
    for typed in ("current", "skip", situation, "skip", "ok", question):
        await c.on_text(WORKSPACE, PRACTITIONER, "D1", typed)
    preview = last_dm(domain)
    assert isinstance(preview, out.PreviewPrompt), preview
    return preview


def rendered(domain, preview) -> str:
    return json.dumps(domain.services.renderer.message(preview).blocks, ensure_ascii=False)


@pytest.mark.parametrize("kind", list(KIND_SITUATIONS))
async def test_the_preview_note_covers_every_kind_and_posting_stays_allowed(domain, kind):
    preview = await preview_with(domain, KIND_SITUATIONS[kind])
    assert preview.content.risk and preview.content.risk_kind == kind
    shown = rendered(domain, preview)
    assert "not a crisis service" in shown
    assert "supervisor or clinical lead now" in shown
    assert "vary by jurisdiction" in shown
    assert "intake_post" in shown  # the Post anonymously button is still there
    await domain.services.conversation.on_click(
        WORKSPACE, PRACTITIONER, "D1", "post", value(await ref_of(domain), StepId.PREVIEW)
    )
    assert domain.gateway.to(CONSULT), "the consult is posted"


async def test_no_note_without_risk(domain):
    preview = await preview_with(domain, CALM)
    assert not preview.content.risk and preview.content.risk_kind is None
    assert "not a crisis service" not in rendered(domain, preview)


async def test_the_question_step_counts_too(domain):
    preview = await preview_with(
        domain, CALM, "He said he'd strangle his wife if she leaves. Do I have a duty to warn?"
    )
    assert preview.content.risk_kind == "harm_to_others"


async def test_a_private_form_answer_counts(domain):
    c = domain.services.conversation
    await c.start(WORKSPACE, PRACTITIONER)
    for typed in ("current", "skip", CALM):
        await c.on_text(WORKSPACE, PRACTITIONER, "D1", typed)
    ref = await ref_of(domain)
    # "what you are considering", answered in the private form
    await c.on_form(
        WORKSPACE,
        PRACTITIONER,
        "text",
        value(ref, StepId.CONSIDERING),
        {"answer": "Calling CPS, because she said her boyfriend hits her toddler."},
    )
    for typed in ("ok", "What would you do?"):
        await c.on_text(WORKSPACE, PRACTITIONER, "D1", typed)
    preview = last_dm(domain)
    assert isinstance(preview, out.PreviewPrompt)
    assert preview.content.risk_kind == "abuse_neglect"


async def test_an_edit_adds_or_removes_the_note(domain):
    preview = await preview_with(domain, CALM)
    assert not preview.content.risk
    c = domain.services.conversation
    ref = await ref_of(domain)
    edited = {
        "situation": CALM + " She has been giving away her things and says everyone would be better off without her."
    }
    await c.on_form(WORKSPACE, PRACTITIONER, "edit", value(ref, StepId.PREVIEW), {**edited, "question": "What now?"})
    preview = last_dm(domain)
    assert isinstance(preview, out.PreviewPrompt) and preview.content.risk_kind == "self_harm"
    await c.on_form(WORKSPACE, PRACTITIONER, "edit", value(ref, StepId.PREVIEW), {"situation": CALM, "question": "Hm?"})
    preview = last_dm(domain)
    assert isinstance(preview, out.PreviewPrompt) and not preview.content.risk


async def test_the_note_shows_the_workspace_resources(domain):
    await domain.services.workspace.set_risk_resources(TEAM, {"on_call": "<@U0ONCALL>", "emergency": "112"})
    preview = await preview_with(domain, KIND_SITUATIONS["crisis_now"])
    shown = rendered(domain, preview)
    assert "<@U0ONCALL>" in shown and "(112)" in shown
