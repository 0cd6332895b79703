"""The intake conversation in the DM: runs the state machine, persists it after
every step (so a restart resumes there), and says what comes next.

Every entry point reads and writes the database in one transaction and only
then talks to Slack, so a slow Slack never holds the database, and a step that
fails before its messages are sent leaves nothing half-saved.
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from bot.consult.intake import IntakeFlow, Outcome, StepId
from bot.consult.model import Group, IntakeState, PostStatus
from bot.consult.posting import Posting, Submitted
from bot.consult.preview import compose
from bot.consult.words import chosen_words
from bot.deid.offload import off_loop
from bot.gateway import Gateway, GatewayError, Team
from bot.identity import Identity
from bot.logs import log_event
from bot.moderation.workspace import Effective, Workspace
from bot.outgoing import (
    AlreadyOpen,
    EditForm,
    IntakeIntro,
    Notice,
    PreviewPrompt,
    PrinciplesForm,
    RemoveWordsForm,
    StartPrompt,
    StepPrompt,
    TextForm,
)
from bot.storage import models as m
from bot.storage.store import Store

log = logging.getLogger("bot.intake")
# Where the newest prompts went, remembered in memory for their intake's next step to
# write (at most this many intakes, ~0.4 KB each; beyond it the oldest are forgotten, and
# those prompts keep their buttons). A clean stop writes the rest.
PENDING_PROMPTS = 2_000


def value(ref: str, step: str, choice: str = "") -> str:
    """A button's value: which intake, which step, which choice."""
    return f"{ref}|{step}|{choice}"


def parse_value(raw: str) -> tuple[str, str, str]:
    ref, _, rest = (raw or "").partition("|")
    step, _, choice = rest.partition("|")
    return ref, step, choice


class _Redelivered(Exception):
    """Rolls back a step whose event was handled already."""


P = ParamSpec("P")
R = TypeVar("R")


def one_request(method: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """An entry point: the workspace's settings are read once for all of it."""

    @functools.wraps(method)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        conversation = args[0]
        assert isinstance(conversation, IntakeConversation)
        with conversation.workspace.request():
            return await method(*args, **kwargs)

    return run


@dataclass(frozen=True)
class Shown:
    """Where a step prompt or preview was sent in the DM."""

    channel: str
    ts: str
    step: str


@dataclass
class Step:
    """What one step of the conversation came to: messages for the DM and,
    after a Post, the recorded post to send once the transaction is over."""

    messages: list[object] = field(default_factory=list)
    recorded: m.Post | None = None
    status: str = ""
    # The intake whose newest prompt to remember (None once it is closed), and the
    # earlier prompt whose buttons a newer message supersedes.
    ref: str | None = None
    old_prompt: dict[str, str] | None = None
    closing: str | None = None  # what the old prompt says once the intake is closed


class IntakeConversation:
    def __init__(
        self,
        *,
        store: Store,
        identity: Identity,
        flow: IntakeFlow,
        deid: Callable[[], Any],
        workspace: Workspace,
        posting: Posting,
        gateway: Gateway,
    ):
        self.store = store
        self.identity = identity
        self.flow = flow
        self.spec = flow.spec
        self.deid = deid
        self.workspace = workspace
        self.posting = posting
        self.gateway = gateway
        # intake ref -> where its newest prompt went (known only once Slack answered).
        # The next step's own transaction saves it with the state, so a step costs one
        # transaction; the worker's tick saves what is left (every few seconds), so a step
        # that another process handles finds it in the database too. A step faster than
        # that on another process sees the one stored before (the newest prompt then keeps
        # its buttons, whose click gets a clear answer).
        self._prompts: OrderedDict[str, dict[str, str]] = OrderedDict()

    # ---- helpers -----------------------------------------------------------
    def _notice(self, key: str, **fmt: Any) -> Notice:
        return Notice(self.spec.text(key, **fmt))

    async def _send(self, team: Team, user_id: str, channel: str | None, messages: list[object]) -> Shown | None:
        """Sends the messages; returns where the last step prompt or preview went."""
        prompt = None
        for message in messages:
            sent = await self.gateway.dm(team, user_id, message, channel=channel)
            channel = sent.channel
            if isinstance(message, (StepPrompt, PreviewPrompt)):
                prompt = (sent, message)
        if prompt is None:
            return None
        sent, message = prompt
        step = message.step_id if isinstance(message, StepPrompt) else StepId.PREVIEW
        return Shown(sent.channel, sent.ts, step)

    async def _supersede(self, team: Team, old: dict[str, str], closing: str | None) -> None:
        """Takes the buttons off an earlier prompt: a newer one is below, or the intake is closed."""
        if closing:
            said = closing
        elif old.get("step") == StepId.PREVIEW:
            said = self.spec.text("messages.superseded_preview")
        else:
            step = self.spec.by_id.get(old.get("step", ""))
            said = self.spec.text("messages.superseded_step", prompt=step.prompt if step else "")
        try:
            await self.gateway.update(team, old["channel"], old["ts"], Notice(said))
        except GatewayError as exc:  # the old buttons stay; clicking one still gets a clear answer
            log_event(log, "could not update an earlier prompt", logging.INFO, error=exc.code)

    def _remember_prompt(self, ref: str, at: Shown) -> None:
        self._prompts[ref] = {"channel": at.channel, "ts": at.ts, "step": at.step}
        self._prompts.move_to_end(ref)
        while len(self._prompts) > PENDING_PROMPTS:
            self._prompts.popitem(last=False)

    async def save_prompts(self) -> int:
        """Writes the remembered prompt locations (each worker tick, and at a clean stop), in
        one transaction."""
        pending, self._prompts = self._prompts, OrderedDict()
        saved = 0
        if not pending:
            return saved
        async with self.store.transaction():
            for intake in await self.store.intakes_by_ref(list(pending)):
                state = dict(intake.state)
                state["prompt_at"] = pending[intake.ref]
                saved += await self.store.save_intake(
                    intake.id, intake.step, state, expect_step=intake.step, touch=False
                )
        return saved

    async def _intake(self, team: Team, user_id: str) -> m.Intake | None:
        """The open intake, with where its newest prompt went if only this process knows yet
        (its state then carries it, and the step's save writes it)."""
        intake = await self.store.open_intake(team.id, self.identity.author_hashes(team.id, user_id))
        if intake is not None:
            at = self._prompts.get(intake.ref)
            if at is not None:
                intake.state = {**intake.state, "prompt_at": at}
        return intake

    async def _blocked(self, team: Team, user_id: str) -> bool:
        return await self.store.is_blocked(team.id, self.identity.author_hashes(team.id, user_id))

    @staticmethod
    def _target(state: IntakeState) -> Group | None:
        """Where the post goes: the group chosen, or the only one there is."""
        chosen = state.answer(StepId.GROUP)
        if chosen:
            return next((g for g in state.groups if g.id == chosen), None)
        return state.groups[0] if len(state.groups) == 1 else None

    async def _screen(
        self, intake: m.Intake, step_id: str, state: IntakeState, eff: Effective
    ) -> tuple[str, list[object]]:
        """The step to save and the messages that show it. At the preview, the
        groups are checked again and the post is composed (before any write, so
        that de-identification never runs while the transaction holds a lock)."""
        if self.spec.by_id[step_id].kind != "preview":
            return step_id, [StepPrompt(step_id, state, intake.ref)]
        state.groups = eff.groups
        target = self._target(state)
        if target is None:
            # The chosen group was removed (or several exist now): ask again
            # rather than send the dilemma to an audience nobody chose.
            state.answers.pop(StepId.GROUP, None)
            if not state.groups:
                return step_id, [self._notice("messages.no_channel")]
            return StepId.GROUP, [
                self._notice("messages.group_changed"),
                StepPrompt(StepId.GROUP, state, intake.ref),
            ]
        state.target = target
        if state.preview is None:
            # de-identification is CPU work: off the event loop, so other acks go out meanwhile
            state.preview = await off_loop(
                compose, self.spec, state.answers, self.deid(), eff.terms, state.removed_words, state.removed_before
            )
        resources = eff.risk_resources if state.preview.risk else {}
        return step_id, [PreviewPrompt(state.preview, intake.ref, target, resources)]

    async def _show(self, intake: m.Intake, eff: Effective) -> list[object]:
        """The current step again (saving what the preview worked out)."""
        state = IntakeState.from_json(intake.state)
        step_id, messages = await self._screen(intake, intake.step, state, eff)
        if step_id != intake.step or step_id == StepId.PREVIEW:
            await self.store.save_intake(intake.id, step_id, state.to_json())
        return messages

    async def _apply(self, team: Team, user_id: str, intake: m.Intake, outcome: Outcome) -> Step:
        if outcome.finished == "restart":
            # A fresh intake (new reference), so buttons from before stop working.
            return await self._start(team, user_id, force_new=True)
        if outcome.finished == "cancelled":
            await self.store.delete_intake(intake.id)
            log_event(log, "intake cancelled")
            return Step([self._notice("messages.cancelled")], closing=self.spec.text("messages.superseded_cancelled"))
        if outcome.action == "post":
            return await self._post(team, user_id, intake)
        if outcome.action == "edit":
            edit = self.spec.by_id[StepId.PREVIEW].text("edit_button")
            return Step([self._notice("messages.use_edit_button", button=edit)])
        eff = await self.workspace.effective(team.id)
        if outcome.error:
            return Step([Notice(outcome.error), *await self._show(intake, eff)])
        step_id, messages = await self._screen(intake, outcome.step, outcome.state, eff)
        if not await self.store.save_intake(intake.id, step_id, outcome.state.to_json(), expect_step=intake.step):
            # Another click or message moved this intake on first: don't overwrite it.
            return Step([self._notice("validation.stale_button")])
        if outcome.notice:
            messages.insert(0, Notice(outcome.notice))
        return Step(messages)

    async def _start(self, team: Team, user_id: str, *, force_new: bool = False) -> Step:
        if await self._blocked(team, user_id):
            return Step([self._notice("messages.blocked")], status="blocked")
        eff = await self.workspace.effective(team.id)
        if not eff.groups:
            return Step([self._notice("messages.no_channel")], status="no_channel")
        existing = await self._intake(team, user_id)
        if existing is not None and not force_new:
            label = self.spec.by_id[existing.step].field_label or existing.step
            return Step([AlreadyOpen(label)], status="already_open")
        outcome = self.flow.start(eff.groups)
        ref = secrets.token_urlsafe(16)
        author = self.identity.author_hash(team.id, user_id)
        intake = await self.store.create_intake(team.id, author, ref, outcome.step, outcome.state.to_json())
        log_event(log, "intake started")
        opening: list[object] = [self._notice("messages.restarted") if existing is not None else IntakeIntro()]
        old = IntakeState.from_json(existing.state).prompt_at if existing is not None else None
        return Step([*opening, *await self._show(intake, eff)], status="started", ref=intake.ref, old_prompt=old)

    async def _post(self, team: Team, user_id: str, intake: m.Intake) -> Step:
        if await self._blocked(team, user_id):
            return Step([self._notice("messages.blocked")])
        eff = await self.workspace.effective(team.id)
        state = IntakeState.from_json(intake.state)
        shown = state.target
        state.groups = eff.groups
        current = self._target(state)
        if state.preview is None or current is None or shown is None or current.id != shown.id:
            # The groups changed since the preview: show where it would go now.
            intake.step = StepId.PREVIEW
            return Step(await self._show(intake, eff))
        post = await self.posting.record(team, user_id, intake, state.preview, current.id, eff.approval)
        if post is None:  # a double click or a second process posted it already
            return Step()
        return Step(recorded=post)

    async def _finish_post(self, team: Team, post: m.Post) -> list[object]:
        """Sends a recorded post, then says what became of it."""
        result: Submitted = await self.posting.send(team, post)
        if result.status in ("failed", "withdrawn"):  # failed: the poster has been told why
            return []
        if result.status == "posted" and result.post is not None:
            return [self._notice("messages.posted", number=result.post.number, channel=result.post.channel_id)]
        if result.status == PostStatus.AWAITING_APPROVAL:
            return [self._notice("messages.awaiting_approval")]
        return [self._notice("messages.queued")]

    async def _run(self, team: Team, user_id: str, channel: str | None, step: Step) -> str:
        messages = list(step.messages)
        closing = step.closing
        if step.recorded is not None:
            messages += await self._finish_post(team, step.recorded)
            closing = self.spec.text("messages.superseded_posted", number=step.recorded.number)
        new_prompt = any(isinstance(msg, (StepPrompt, PreviewPrompt)) for msg in messages)
        if step.old_prompt and (new_prompt or closing):
            await self._supersede(team, step.old_prompt, closing)
        at = await self._send(team, user_id, channel, messages)
        if at is not None and step.ref and step.recorded is None:
            self._remember_prompt(step.ref, at)
        return step.status

    # ---- entry points ------------------------------------------------------
    @one_request
    async def start(self, team: Team, user_id: str, *, force_new: bool = False) -> str:
        """Starts (or offers to resume) an intake in the DM. Returns a short status
        for the caller's ephemeral reply."""
        async with self.store.transaction():
            step = await self._start(team, user_id, force_new=force_new)
        return await self._run(team, user_id, None, step)

    @staticmethod
    def _tracked(step: Step, intake: m.Intake | None) -> Step:
        """Notes which intake the step belongs to and the prompt it supersedes."""
        if intake is None:
            return step
        if step.old_prompt is None:
            step.old_prompt = IntakeState.from_json(intake.state).prompt_at
        if step.ref is None and step.recorded is None and step.closing is None:
            step.ref = intake.ref
        return step

    @one_request
    async def resume(self, team: Team, user_id: str) -> None:
        async with self.store.transaction():
            intake = await self._intake(team, user_id)
            if intake is None:
                step = Step([StartPrompt()])
            else:
                step = Step(await self._show(intake, await self.workspace.effective(team.id)))
            step = self._tracked(step, intake)
        await self._run(team, user_id, None, step)

    @one_request
    async def on_text(self, team: Team, user_id: str, channel: str, typed: str, *, claim: str | None = None) -> None:
        """A DM typed in the intake. ``claim``: the event's key, claimed in the step's own
        transaction (last, so that no lock is held while the step works): a redelivered
        event, to this process or another, changes and sends nothing."""
        try:
            async with self.store.transaction():
                intake = await self._intake(team, user_id)
                if intake is None:
                    step = Step([StartPrompt()])
                else:
                    outcome = self.flow.handle_text(intake.step, IntakeState.from_json(intake.state), typed)
                    step = self._tracked(await self._apply(team, user_id, intake, outcome), intake)
                if claim is not None and not await self.store.claim_key(claim):
                    raise _Redelivered
        except _Redelivered:
            return
        await self._run(team, user_id, channel, step)

    async def _current(self, team: Team, user_id: str, ref: str, step: str) -> tuple[m.Intake | None, str | None]:
        intake = await self._intake(team, user_id)
        if intake is None or intake.ref != ref:
            return None, "gone"
        if intake.step != step:
            return intake, "stale"
        return intake, None

    async def _gone(self, team: Team, user_id: str, ref: str) -> Step:
        """A button of an intake that is no longer open: say what became of it."""
        post = await self.store.post_by_intake(team.id, ref) if ref else None
        if post is not None and post.author_hash in self.identity.author_hashes(team.id, user_id):
            return Step([self._notice("messages.old_button_posted", number=post.number)])
        current = await self._intake(team, user_id)
        if current is not None:  # a newer intake is open: point at it
            return Step([self._notice("messages.old_button_replaced")])
        return Step([self._notice("messages.old_button_closed"), StartPrompt()])

    @one_request
    async def on_click(self, team: Team, user_id: str, channel: str | None, kind: str, raw_value: str) -> None:
        ref, step_id, choice = parse_value(raw_value)
        async with self.store.transaction():
            intake, problem = await self._current(team, user_id, ref, step_id)
            state = IntakeState.from_json(intake.state) if intake is not None else None
            if intake is None:
                step = await self._gone(team, user_id, ref)
            elif problem == "stale" or kind == "stale":
                eff = await self.workspace.effective(team.id)
                step = Step([self._notice("validation.stale_button"), *await self._show(intake, eff)])
            elif (
                kind == "post"
                and choice
                and (state is None or state.preview is None or state.preview.digest() != choice)
            ):
                # An earlier preview's button: post only what the newest preview shows.
                step = Step([self._notice("messages.superseded_preview")])
            elif kind == "post":
                step = await self._post(team, user_id, intake)
            else:
                state = IntakeState.from_json(intake.state)
                if kind in ("back", "skip", "cancel"):
                    outcome = self.flow.command(intake.step, state, kind)
                else:
                    outcome = self.flow.choose(intake.step, state, choice)
                step = await self._apply(team, user_id, intake, outcome)
            step = self._tracked(step, intake)
        await self._run(team, user_id, channel, step)

    @one_request
    async def form_for(self, team: Team, user_id: str, kind: str, raw_value: str) -> object | None:
        """The modal to open for a private answer, a principle choice or an edit;
        None when the button is no longer current."""
        ref, step_id, _ = parse_value(raw_value)
        async with self.store.transaction():
            intake, problem = await self._current(team, user_id, ref, step_id)
        if intake is None or problem:
            return None
        state = IntakeState.from_json(intake.state)
        if kind == "edit":
            if state.preview is None:
                return None
            return EditForm(ref, state.preview)
        if kind == "principles":
            return PrinciplesForm(ref, tuple(state.suggested or ()))
        if kind == "remove":
            if state.preview is None:
                return None
            return RemoveWordsForm(ref, state.preview.review)
        return TextForm(step_id, ref)

    def form_errors(self, kind: str, metadata: str, values: dict[str, Any]) -> dict[str, str] | None:
        """Validation that must answer inside the modal, before anything else runs."""
        _, step_id, _ = parse_value(metadata)
        if kind == "text":
            fields = {"answer": step_id}
        elif kind == "edit":
            fields = {s.id: s.id for s in self.spec.text_steps}
        elif kind == "remove":
            if not chosen_words(values.get("words"), values.get("other")):
                return {"other": self.spec.text("validation.remove_none")}
            return None
        else:
            fields = {}
        errors = {}
        for block_id, sid in fields.items():
            step = self.spec.by_id.get(sid)
            answer = (values.get(block_id) or "").strip()
            if step is None:
                continue
            if step.required and not answer:
                errors[block_id] = self.spec.text("validation.required")
            elif len(answer) > self.flow.max_chars:
                errors[block_id] = self.spec.text("validation.too_long", length=len(answer), limit=self.flow.max_chars)
        return errors or None

    @one_request
    async def on_form(self, team: Team, user_id: str, kind: str, metadata: str, values: dict[str, Any]) -> None:
        """A submitted form (already validated by form_errors while the modal was open)."""
        ref, step_id, _ = parse_value(metadata)
        async with self.store.transaction():
            intake, problem = await self._current(team, user_id, ref, step_id)
            if intake is None or problem:
                step = Step([self._notice("validation.stale_button")])
            else:
                state = IntakeState.from_json(intake.state)
                if kind == "edit":
                    outcome = self.flow.apply_edit(state, values)
                elif kind == "principles":
                    outcome = self.flow.choose(step_id, state, ",".join(values.get("principles") or []) or "-")
                elif kind == "remove":
                    outcome = self.flow.remove_words(state, values.get("words"), values.get("other"))
                else:
                    outcome = self.flow.answer_text(step_id, state, values.get("answer") or "")
                step = self._tracked(await self._apply(team, user_id, intake, outcome), intake)
        await self._run(team, user_id, None, step)
