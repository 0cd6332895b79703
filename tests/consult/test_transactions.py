"""What one intake step and one click cost the database: one transaction (the
store's counter), and the workspace's settings read once per request (the SQL
statements that reach the settings table)."""

from __future__ import annotations

from collections.abc import Awaitable

import pytest
from sqlalchemy import event

from bot import outgoing as out
from bot.consult.conversation import PENDING_PROMPTS, Shown, value
from bot.consult.intake import StepId
from bot.consult.model import IntakeState
from tests.conftest import CONSULT, PRACTITIONER, TEAM
from tests.consult.conftest import WORKSPACE, Domain, make_domain
from tests.consult.test_conversation import SITUATION, last_dm, ref_of


class Cost:
    """Transactions, reads of the settings table and SQL statements during one call."""

    def __init__(self, domain: Domain):
        self.store = domain.store
        self.settings_reads = 0
        self.statements = 0

        def count(conn, cursor, statement, parameters, context, executemany):
            self.statements += 1
            if statement.lstrip().upper().startswith("SELECT") and " settings" in statement:
                self.settings_reads += 1

        event.listen(self.store.engine.sync_engine, "before_cursor_execute", count)

    async def of(self, call: Awaitable[object]) -> tuple[int, int]:
        before, reads = self.store.transactions, self.settings_reads
        await call
        return self.store.transactions - before, self.settings_reads - reads


async def state_of(domain: Domain) -> IntakeState:
    intake = await domain.store.open_intake(TEAM, domain.services.identity.author_hashes(TEAM, PRACTITIONER))
    assert intake is not None
    return IntakeState.from_json(intake.state)


async def test_every_step_kind_and_click_is_one_transaction_reading_the_settings_once(domain):
    c, cost = domain.services.conversation, Cost(domain)
    say = lambda typed: c.on_text(WORKSPACE, PRACTITIONER, "D1", typed)  # noqa: E731

    assert await cost.of(c.start(WORKSPACE, PRACTITIONER)) == (1, 1)
    ref = await ref_of(domain)
    click = lambda kind, step, choice="": c.on_click(WORKSPACE, PRACTITIONER, "D1", kind, value(ref, step, choice))  # noqa: E731
    steps = [
        ("a wrong answer, asked again", lambda: say("banana")),
        ("a choice by button", lambda: click("choose", StepId.RELATIONSHIP, "former")),
        ("back by button", lambda: click("back", "time_since")),
        ("a choice typed", lambda: say("former")),
        ("a duration typed", lambda: say("3")),
        ("skip by button", lambda: click("skip", "setting")),
        ("a text step typed", lambda: say(SITUATION)),
        ("back typed", lambda: say("back")),
    ]
    for label, call in steps:
        assert await cost.of(call()) == (1, 1), label
    assert last_dm(domain).step_id == StepId.SITUATION  # back at it

    # the private form: opening it reads (one transaction), submitting it is a step
    assert (await cost.of(c.form_for(WORKSPACE, PRACTITIONER, "text", value(ref, StepId.SITUATION))))[0] == 1
    submit = c.on_form(WORKSPACE, PRACTITIONER, "text", value(ref, StepId.SITUATION), {"answer": SITUATION})
    assert await cost.of(submit) == (1, 1)
    for label, typed in [
        ("an optional text skipped", "skip"),
        ("the principles accepted", "ok"),
        ("the question, to the preview (de-identified)", "How do I say no kindly?"),
    ]:
        assert await cost.of(say(typed)) == (1, 1), label
    assert isinstance(last_dm(domain), out.PreviewPrompt)

    # a stale button (the preview shown again) and the form of the preview's Edit
    assert await cost.of(click("choose", StepId.RELATIONSHIP, "current")) == (1, 1)
    digest = (await state_of(domain)).preview.digest()
    # Post: the step's transaction records the post (and closes the intake), and one
    # more marks it sent once Slack answered: exactly once needs a write on each side.
    assert await cost.of(click("post", StepId.PREVIEW, digest)) == (2, 1)
    assert len(domain.gateway.live(CONSULT)) == 1


async def test_an_intake_step_is_three_statements(domain):
    """Read the intake (with its key), read the workspace, save the intake: one statement each."""
    c, cost = domain.services.conversation, Cost(domain)
    await c.start(WORKSPACE, PRACTITIONER)
    ref = await ref_of(domain)
    for call in (
        lambda: c.on_click(WORKSPACE, PRACTITIONER, "D1", "choose", value(ref, StepId.RELATIONSHIP, "former")),
        lambda: c.on_text(WORKSPACE, PRACTITIONER, "D1", "3"),
        lambda: c.on_text(WORKSPACE, PRACTITIONER, "D1", "skip"),
    ):
        before = cost.statements
        await call()
        assert cost.statements - before == 3


async def test_cancel_and_restart_are_one_transaction(domain):
    c, cost = domain.services.conversation, Cost(domain)
    await c.start(WORKSPACE, PRACTITIONER)
    assert await cost.of(c.start(WORKSPACE, PRACTITIONER, force_new=True)) == (1, 1)
    ref = await ref_of(domain)
    assert await cost.of(c.on_click(WORKSPACE, PRACTITIONER, "D1", "cancel", value(ref, StepId.RELATIONSHIP))) == (
        1,
        0,
    )
    assert await domain.store.open_intake(TEAM, domain.services.identity.author_hashes(TEAM, PRACTITIONER)) is None


async def test_with_approval_the_post_click_reads_the_settings_once(tmp_path):
    d = await make_domain(tmp_path, approval=True, review_channel="G0REVIEW")
    try:
        c, cost = d.services.conversation, Cost(d)
        await c.start(WORKSPACE, PRACTITIONER)
        for typed in ("former", "3", "skip", SITUATION, "skip", "ok", "What now?"):
            await c.on_text(WORKSPACE, PRACTITIONER, "D1", typed)
        digest = (await state_of(d)).preview.digest()
        post = c.on_click(WORKSPACE, PRACTITIONER, "D1", "post", value(await ref_of(d), StepId.PREVIEW, digest))
        # the step's transaction records the post; one more keeps where its review request went
        assert await cost.of(post) == (2, 1)
        assert isinstance(d.gateway.to("G0REVIEW")[-1], out.ApprovalRequest)
    finally:
        await d.services.close()


def updated(domain: Domain) -> list[str]:
    return [s.ts for s in domain.gateway.sent if s.kind == "update"]


def prompt_ts(domain: Domain, step: str) -> str:
    return next(
        s.ts
        for s in reversed(domain.gateway.sent)
        if s.kind == "dm" and isinstance(s.value, out.StepPrompt) and s.value.step_id == step
    )


async def test_the_newest_prompt_loses_its_buttons_at_the_next_step_and_after_a_restart(tmp_path):
    d = await make_domain(tmp_path)
    await d.services.conversation.start(WORKSPACE, PRACTITIONER)
    first = prompt_ts(d, StepId.RELATIONSHIP)
    await d.services.conversation.on_text(WORKSPACE, PRACTITIONER, "D1", "former")
    assert updated(d) == [first]  # the first prompt lost its buttons when the second came
    newest = prompt_ts(d, "time_since")
    await d.services.close()  # a clean stop writes where the newest prompt went

    again = await make_domain(tmp_path)
    try:
        await again.services.conversation.on_text(WORKSPACE, PRACTITIONER, "D1", "3")
        assert updated(again) == [newest]
    finally:
        await again.services.close()


def test_the_prompts_remembered_in_memory_are_bounded(domain):
    c = domain.services.conversation
    for i in range(PENDING_PROMPTS + 50):
        c._remember_prompt(f"ref{i}", Shown("D1", f"{i}.0", StepId.RELATIONSHIP))
    assert len(c._prompts) == PENDING_PROMPTS
    assert "ref0" not in c._prompts and f"ref{PENDING_PROMPTS + 49}" in c._prompts


@pytest.mark.parametrize("typed", ["skip", "cancel"])
async def test_typed_commands_are_one_transaction(domain, typed):
    c, cost = domain.services.conversation, Cost(domain)
    await c.start(WORKSPACE, PRACTITIONER)
    await c.on_text(WORKSPACE, PRACTITIONER, "D1", "current")  # to the optional setting
    assert (await cost.of(c.on_text(WORKSPACE, PRACTITIONER, "D1", typed)))[0] == 1


async def test_a_dm_claims_its_event_in_the_steps_transaction_and_a_redelivery_does_nothing(domain):
    c, cost = domain.services.conversation, Cost(domain)
    await c.start(WORKSPACE, PRACTITIONER)
    assert (await cost.of(c.on_text(WORKSPACE, PRACTITIONER, "D1", "former", claim="event:Ev1")))[0] == 1
    sent = len(domain.gateway.sent)
    assert (await cost.of(c.on_text(WORKSPACE, PRACTITIONER, "D1", "former", claim="event:Ev1")))[0] == 1
    assert len(domain.gateway.sent) == sent  # nothing sent, nothing changed
    assert last_dm(domain).step_id == "time_since"
    assert await domain.store.claim_key("event:Ev1") is False


async def test_a_step_another_process_handles_after_a_worker_tick_takes_the_buttons_away(tmp_path):
    """Two processes on one database: the first sends a prompt; its worker's tick saves where
    that prompt went, so the second, handling the next step, updates it."""
    from bot.worker import Worker

    first = await make_domain(tmp_path)
    second = await make_domain(tmp_path)
    try:
        await first.services.conversation.start(WORKSPACE, PRACTITIONER)
        await first.services.conversation.on_text(WORKSPACE, PRACTITIONER, "D1", "former")
        newest = prompt_ts(first, "time_since")
        await Worker(first.services).tick()
        await second.services.conversation.on_text(WORKSPACE, PRACTITIONER, "D1", "3")
        assert updated(second) == [newest]
    finally:
        await first.services.close()
        await second.services.close()
