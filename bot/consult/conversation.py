"""The intake conversation in the DM: runs the state machine, persists it after
every step (so a restart resumes there), and says what comes next."""

from __future__ import annotations

import logging
import secrets

from bot.blocks import intake as ib
from bot.consult.intake import IntakeFlow, Outcome
from bot.consult.preview import compose
from bot.logs import log_event

log = logging.getLogger("bot.intake")


class IntakeConversation:
    def __init__(self, *, store, identity, flow: IntakeFlow, catalog, deid, workspace, posting, settings):
        self.store = store
        self.identity = identity
        self.flow = flow
        self.spec = flow.spec
        self.catalog = catalog
        self.deid = deid
        self.workspace = workspace
        self.posting = posting
        self.settings = settings

    # ---- helpers -----------------------------------------------------------
    async def _dm(self, client, user_id: str) -> str:
        resp = await client.conversations_open(users=user_id)
        return resp["channel"]["id"]

    async def _say(self, client, channel: str, message) -> None:
        await client.chat_postMessage(channel=channel, **message.kwargs(), unfurl_links=False, unfurl_media=False)

    async def _intake(self, team_id: str, user_id: str):
        return await self.store.open_intake(team_id, self.identity.author_hashes(team_id, user_id))

    async def _groups(self, team_id: str) -> tuple[list[dict], bool]:
        eff = await self.workspace.effective(team_id)
        return [{"id": c["id"], "name": c["name"]} for c in eff.channels], eff.approval

    @staticmethod
    def _target(state: dict) -> dict | None:
        """Where the post goes: the group chosen, or the only one there is."""
        groups = state.get("groups") or []
        chosen = state["answers"].get("group")
        if chosen:
            return next((g for g in groups if g["id"] == chosen), None)
        return groups[0] if len(groups) == 1 else None

    async def _show_step(
        self, client, channel: str, intake_ref: str, step_id: str, state: dict, team_id: str, intake_id: int
    ) -> None:
        step = self.spec.by_id[step_id]
        if step.kind == "preview":
            groups, _ = await self._groups(team_id)
            state["groups"] = groups
            target = self._target(state)
            if target is None:
                # The chosen group was removed (or several exist now): ask again
                # rather than send the dilemma to an audience nobody chose.
                state["answers"].pop("group", None)
                if not groups:
                    await self._say(client, channel, ib.notice(self.spec.text("messages.no_channel")))
                    return
                await self.store.save_intake(intake_id, "group", state)
                await self._say(client, channel, ib.notice(self.spec.text("messages.group_changed")))
                await self._say(
                    client,
                    channel,
                    ib.step_message(self.spec, self.spec.by_id["group"], state, intake_ref, self.catalog),
                )
                return
            state["target"] = target
            if "preview" not in state:
                terms = (await self.workspace.effective(team_id)).terms
                state["preview"] = compose(self.spec, state["answers"], self.deid(), terms)
            await self.store.save_intake(intake_id, step_id, state)
            await self._say(
                client,
                channel,
                ib.preview_message(self.spec, state["preview"], intake_ref, self.catalog, target=target),
            )
            return
        await self._say(client, channel, ib.step_message(self.spec, step, state, intake_ref, self.catalog))

    async def _apply(self, client, channel: str, intake, outcome: Outcome, team_id: str, user_id: str) -> None:
        if outcome.finished == "restart":
            # A fresh intake (new reference), so buttons from before stop working.
            await self.start(client, team_id, user_id, force_new=True)
            return
        if outcome.finished == "cancelled":
            await self.store.delete_intake(intake.id)
            log_event(log, "intake cancelled")
            await self._say(client, channel, ib.notice(self.spec.text("messages.cancelled")))
            return
        if outcome.action == "post":
            await self.post(client, team_id, user_id, intake, channel)
            return
        if outcome.action == "edit":
            await self._say(
                client,
                channel,
                ib.notice(
                    self.spec.by_id["preview"].text("edit_button") + ": use the *Edit* button above to open the form."
                ),
            )
            return
        if outcome.error:
            await self._say(client, channel, ib.notice(outcome.error))
            await self._show_step(client, channel, intake.ref, intake.step, intake.state, team_id, intake.id)
            return
        if not await self.store.save_intake(intake.id, outcome.step, outcome.state, expect_step=intake.step):
            # Another click or message moved this intake on first: don't overwrite it.
            await self._say(client, channel, ib.notice(self.spec.text("validation.stale_button")))
            return
        if outcome.notice:
            await self._say(client, channel, ib.notice(outcome.notice))
        await self._show_step(client, channel, intake.ref, outcome.step, outcome.state, team_id, intake.id)

    # ---- entry points ------------------------------------------------------
    async def start(self, client, team_id: str, user_id: str, *, force_new: bool = False) -> str:
        """Opens the DM and starts (or offers to resume) an intake. Returns a short
        status for the caller's ephemeral reply."""
        channel = await self._dm(client, user_id)
        if await self.store.is_blocked(team_id, self.identity.author_hashes(team_id, user_id)):
            await self._say(client, channel, ib.notice(self.spec.text("messages.blocked")))
            return "blocked"
        groups, _approval = await self._groups(team_id)
        if not groups:
            await self._say(client, channel, ib.notice(self.spec.text("messages.no_channel")))
            return "no_channel"
        existing = await self._intake(team_id, user_id)
        if existing is not None and not force_new:
            label = self.spec.by_id[existing.step].field_label or existing.step
            await self._say(client, channel, ib.already_open(self.spec, label))
            return "already_open"
        outcome = self.flow.start(groups)
        ref = secrets.token_urlsafe(16)
        intake = await self.store.create_intake(
            team_id, self.identity.author_hash(team_id, user_id), ref, outcome.step, outcome.state
        )
        log_event(log, "intake started")
        if force_new and existing is not None:
            await self._say(client, channel, ib.notice(self.spec.text("messages.restarted")))
        else:
            await self._say(client, channel, ib.intro(self.spec))
        await self._show_step(client, channel, ref, intake.step, intake.state, team_id, intake.id)
        return "started"

    async def resume(self, client, team_id: str, user_id: str) -> None:
        channel = await self._dm(client, user_id)
        intake = await self._intake(team_id, user_id)
        if intake is None:
            await self._say(client, channel, ib.start_prompt(self.spec))
            return
        await self._show_step(client, channel, intake.ref, intake.step, intake.state, team_id, intake.id)

    async def on_text(self, client, team_id: str, user_id: str, channel: str, text: str) -> None:
        intake = await self._intake(team_id, user_id)
        if intake is None:
            await self._say(client, channel, ib.start_prompt(self.spec))
            return
        outcome = self.flow.handle_text(intake.step, intake.state, text)
        await self._apply(client, channel, intake, outcome, team_id, user_id)

    async def _current(self, team_id: str, user_id: str, ref: str, step: str):
        intake = await self._intake(team_id, user_id)
        if intake is None or intake.ref != ref:
            return None, "gone"
        if intake.step != step:
            return intake, "stale"
        return intake, None

    async def on_click(
        self, client, team_id: str, user_id: str, channel: str | None, kind: str, raw_value: str
    ) -> None:
        ref, step, value = ib.parse_value(raw_value)
        channel = channel or await self._dm(client, user_id)
        intake, problem = await self._current(team_id, user_id, ref, step)
        if problem == "gone":
            await self._say(client, channel, ib.start_prompt(self.spec))
            return
        if problem == "stale":
            await self._say(client, channel, ib.notice(self.spec.text("validation.stale_button")))
            await self._show_step(client, channel, intake.ref, intake.step, intake.state, team_id, intake.id)
            return
        if kind in ("back", "skip", "cancel"):
            outcome = self.flow.command(intake.step, intake.state, kind)
        elif kind == "post":
            await self.post(client, team_id, user_id, intake, channel)
            return
        else:
            outcome = self.flow.choose(intake.step, intake.state, value)
        await self._apply(client, channel, intake, outcome, team_id, user_id)

    async def form_for(self, team_id: str, user_id: str, kind: str, raw_value: str) -> dict | None:
        """The modal to open for a private answer, a principle choice or an edit."""
        ref, step, _ = ib.parse_value(raw_value)
        intake, problem = await self._current(team_id, user_id, ref, step)
        if problem:
            return None
        s = self.spec.by_id[step]
        if kind == "edit":
            return ib.edit_form(self.spec, ref, intake.state.get("preview") or {}, self.settings.max_answer_chars)
        if kind == "principles":
            return ib.principles_form(s, ref, self.catalog, intake.state.get("suggested") or [])
        return ib.text_form(self.spec, s, ref, self.settings.max_answer_chars)

    def form_errors(self, kind: str, metadata: str, values: dict) -> dict | None:
        """Validation that must answer inside the modal, before anything else runs."""
        _, step_id, _ = ib.parse_value(metadata)
        fields = (
            {"answer": step_id}
            if kind == "text"
            else ({s.id: s.id for s in self.spec.steps if s.kind == "text"} if kind == "edit" else {})
        )
        errors = {}
        for block_id, sid in fields.items():
            step = self.spec.by_id.get(sid)
            text = (values.get(block_id) or "").strip()
            if step is None:
                continue
            if step.required and not text:
                errors[block_id] = self.spec.text("validation.required")
            elif len(text) > self.settings.max_answer_chars:
                errors[block_id] = self.spec.text(
                    "validation.too_long", length=len(text), limit=self.settings.max_answer_chars
                )
        return errors or None

    async def on_form(self, client, team_id: str, user_id: str, kind: str, metadata: str, values: dict) -> None:
        """A submitted form (already validated by form_errors while the modal was open)."""
        ref, step, _ = ib.parse_value(metadata)
        intake, problem = await self._current(team_id, user_id, ref, step)
        channel = await self._dm(client, user_id)
        if problem:
            await self._say(client, channel, ib.notice(self.spec.text("validation.stale_button")))
            return
        if kind == "edit":
            outcome = self.flow.apply_edit(intake.state, values)
        elif kind == "principles":
            outcome = self.flow.choose(step, intake.state, ",".join(values.get("principles") or []) or "-")
        else:
            outcome = self.flow.answer_text(step, intake.state, values.get("answer") or "")
        await self._apply(client, channel, intake, outcome, team_id, user_id)

    async def post(self, client, team_id: str, user_id: str, intake, channel: str) -> None:
        if await self.store.is_blocked(team_id, self.identity.author_hashes(team_id, user_id)):
            await self._say(client, channel, ib.notice(self.spec.text("messages.blocked")))
            return
        groups, approval = await self._groups(team_id)
        shown = intake.state.get("target") or {}
        current = self._target({**intake.state, "groups": groups})
        content = intake.state.get("preview")
        if content is None or current is None or current["id"] != shown.get("id"):
            # The groups changed since the preview: show where it would go now.
            await self._show_step(client, channel, intake.ref, "preview", intake.state, team_id, intake.id)
            return
        target = current["id"]
        result = await self.posting.submit(
            client,
            team_id=team_id,
            user_id=user_id,
            intake=intake,
            content=content,
            channel_id=target,
            approval=approval,
        )
        if result.status in ("duplicate", "failed", "withdrawn"):  # failed: the poster has been told why
            return
        if result.status == "posted":
            text = self.spec.text("messages.posted", number=result.post.id, channel=target)
        elif result.status == "awaiting_approval":
            text = self.spec.text("messages.awaiting_approval")
        else:
            text = self.spec.text("messages.queued")
        await self._say(client, channel, ib.notice(text))
