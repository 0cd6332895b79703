"""Moderation: who moderates, `/boundary-admin`, approvals, flags, blocks,
retention and the audit trail. Moderators act on post numbers and never learn
who wrote a post; blocks go through the stored keyed hash."""

from __future__ import annotations

import logging
import re
import time
from datetime import timedelta

from slack_sdk.errors import SlackApiError

from bot.blocks import moderation as mb
from bot.consult.posting import DELIVERY_ERRORS
from bot.logs import log_event
from bot.moderation.commands import channel_ref, parse, post_number, user_ref

log = logging.getLogger("bot.moderation")
ADMIN_CACHE_SECONDS = 300
CHANNEL_ID = re.compile(r"[CG][A-Z0-9]+")
USER_ID = re.compile(r"[UW][A-Z0-9]+")


def _t(key: str, **fmt) -> str:
    return mb._t(key, **fmt)


def _slack_error(exc: SlackApiError) -> str:
    return mb.escape(str(exc.response.get("error", "error"))[:60])


def _shown_autocomplete(kind: str, given: str) -> str:
    """ "Pick it from the autocomplete", quoting what was typed (inert)."""
    return _t(f"use_autocomplete_{kind}", given=mb.escape(given[:60].replace("`", "'")))


def _audit_detail(entry) -> str:
    """The detail worth showing: which channel, moderator or retention; never a term's text."""
    detail = entry.detail or ""
    if not detail:
        return ""
    if entry.action.startswith(("channel", "review")) and CHANNEL_ID.fullmatch(detail):
        return f" · <#{detail}>"
    if entry.action.startswith("moderator") and USER_ID.fullmatch(detail):
        return f" · <@{detail}>"
    if entry.action == "retention" and detail.isdigit():
        return f" · {detail}"
    return ""


class Moderation:
    def __init__(self, services):
        self.s = services
        self.store = services.store
        self._admin_cache: dict[tuple[str, str], tuple[float, bool]] = {}
        services.posting.on_awaiting_approval = self.send_for_approval
        services.discussion.on_flag = self.send_flag

    # ---- who may moderate --------------------------------------------------
    async def is_moderator(self, client, team_id: str, user_id: str) -> bool:
        eff = await self.s.workspace.effective(team_id)
        if user_id in eff.moderators:
            return True
        key = (team_id, user_id)
        cached = self._admin_cache.get(key)
        if cached and time.monotonic() - cached[0] < ADMIN_CACHE_SECONDS:
            return cached[1]
        try:
            info = await client.users_info(user=user_id)
            user = info.get("user") or {}
            is_admin = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
        except DELIVERY_ERRORS:
            is_admin = False
        self._admin_cache[key] = (time.monotonic(), is_admin)
        return is_admin

    # ---- /boundary-admin ---------------------------------------------------
    async def admin(self, client, team_id: str, user_id: str, text: str) -> mb.Message:
        if not await self.is_moderator(client, team_id, user_id):
            return mb.text(_t("not_moderator"))
        cmd = parse(text)
        handler = {
            "help": self._help,
            "status": self._status,
            "channel": self._channel,
            "moderators": self._moderators,
            "approval": self._approval,
            "review-channel": self._review_channel,
            "terms": self._terms,
            "retention": self._retention,
            "block": self._block,
            "remove": self._remove,
            "audit": self._audit,
        }.get(cmd.sub)
        if handler is None:
            return mb.usage(_t("unknown", sub=mb.escape(cmd.sub[:40].replace("`", ""))))
        return await handler(client, team_id, user_id, cmd)

    async def _help(self, client, team_id, user_id, cmd):
        return mb.usage()

    async def _status(self, client, team_id, user_id, cmd):
        return mb.text(await self.status_text(team_id))

    async def status_text(self, team_id: str) -> str:
        eff = await self.s.workspace.effective(team_id)
        src = eff.sources
        channels = ", ".join(f"<#{c['id']}>" for c in eff.channels) or "none yet"
        retention = await self.store.job("retention")
        if retention:
            when = retention.last_run_at.strftime("%Y-%m-%d %H:%M UTC")
            ran = f"last ran {when}, purged {retention.detail.get('purged', 0)} post(s) and {retention.detail.get('expired', 0)} idle draft(s)"
        else:
            ran = "has not run yet"
        lines = [
            f"• *Consultation channels:* {channels} _({src['channels']})_",
            f"• *Pre-approval:* {'on' if eff.approval else 'off'} _({src['approval']})_",
            f"• *Review channel:* {f'<#{eff.review_channel}>' if eff.review_channel else 'not set'} _({src['review_channel']})_",
            f"• *Retention:* {f'{eff.retention_days} days' if eff.retention_days else 'keep post text'} _({src['retention_days']})_",
            f"• *Workspace terms:* {len(eff.terms)} _({src['terms']})_",
            f"• *Moderators:* {len(eff.moderators)} listed _({src['moderators']})_",
            f"• *Retention job:* {ran}",
        ]
        return "*Boundary Consult settings*\n" + "\n".join(lines)

    async def _channel(self, client, team_id, user_id, cmd):
        if cmd.action == "list":
            eff = await self.s.workspace.effective(team_id)
            lines = [f"• <#{c['id']}> _({c['source']})_" for c in eff.channels]
            return mb.text("*Consultation channels*\n" + ("\n".join(lines) if lines else "none yet"))
        if cmd.action not in ("add", "remove"):
            return mb.text(_t("usage_line.channel"))
        ref = channel_ref(cmd.arg)
        if ref is None:
            return mb.text(_shown_autocomplete("channel", cmd.arg) if cmd.arg else _t("usage_line.channel"))
        channel_id = ref[0]
        if cmd.action == "remove":
            eff = await self.s.workspace.effective(team_id)
            if channel_id not in {c["id"] for c in eff.channels}:
                return mb.text(_t("done.channel_not_listed", channel=channel_id))
            await self.store.set_channel(team_id, channel_id, "", active=False)
            await self.store.audit(team_id, user_id, "channel remove", detail=channel_id)
            return mb.text(_t("done.channel_removed", channel=channel_id))
        info, problem = await self._ensure_member(client, channel_id)
        if problem:
            return mb.text(problem)
        # The name shown in the intake's group choice comes from Slack, never from the typed text.
        await self.store.set_channel(team_id, channel_id, str(info.get("name") or channel_id)[:100], active=True)
        await self.store.audit(team_id, user_id, "channel add", detail=channel_id)
        return mb.text(_t("done.channel_added", channel=channel_id))

    async def _ensure_member(self, client, channel_id: str) -> tuple[dict, str | None]:
        """(channel info, None) when the app can post there; otherwise (info, what
        the moderator should do): public channels are joined, private ones need an
        invitation."""
        try:
            info = (await client.conversations_info(channel=channel_id))["channel"]
        except SlackApiError as exc:
            if exc.response.get("error") == "channel_not_found":
                # Slack answers the same for a private channel the app isn't in and for no channel at all.
                return {}, _t("done.cannot_see", channel=channel_id)
            return {}, _t("done.cannot_join", channel=channel_id, error=_slack_error(exc))
        except DELIVERY_ERRORS as exc:
            return {}, _t("done.cannot_join", channel=channel_id, error=type(exc).__name__)
        if info.get("is_member"):
            return info, None
        if info.get("is_private") or info.get("is_im") or info.get("is_mpim"):
            return info, _t("done.invite_me", channel=channel_id)
        try:
            await client.conversations_join(channel=channel_id)
        except SlackApiError as exc:
            return info, _t("done.cannot_join", channel=channel_id, error=_slack_error(exc))
        except DELIVERY_ERRORS as exc:
            return info, _t("done.cannot_join", channel=channel_id, error=type(exc).__name__)
        return info, None

    async def _moderators(self, client, team_id, user_id, cmd):
        if cmd.action == "list" or (cmd.action == "" and not cmd.arg):
            eff = await self.s.workspace.effective(team_id)
            lines = ", ".join(f"<@{u}>" for u in eff.moderators) or "none listed"
            return mb.text(f"*Moderators:* {lines}\nWorkspace admins and owners are moderators too.")
        if cmd.action not in ("add", "remove"):
            return mb.text(_t("usage_line.moderators"))
        target = user_ref(cmd.arg)
        if target is None:
            return mb.text(_shown_autocomplete("user", cmd.arg) if cmd.arg else _t("usage_line.moderators"))
        if cmd.action == "add":
            added = await self.store.add_moderator(team_id, target)
            if added:
                await self.store.audit(team_id, user_id, "moderator add", detail=target)
            return mb.text(_t("done.moderator_added" if added else "done.moderator_exists", user=target))
        removed = await self.store.remove_moderator(team_id, target)
        if removed:
            await self.store.audit(team_id, user_id, "moderator remove", detail=target)
            self._admin_cache.pop((team_id, target), None)
        return mb.text(_t("done.moderator_removed" if removed else "done.moderator_not_listed", user=target))

    async def _approval(self, client, team_id, user_id, cmd):
        arg = cmd.arg.lower()
        if arg not in ("on", "off"):
            return mb.text(_t("usage_line.approval"))
        await self.store.set_setting(team_id, "approval", arg == "on")
        await self.store.audit(team_id, user_id, f"approval {arg}")
        if arg == "off":
            return mb.text(_t("done.approval_off"))
        eff = await self.s.workspace.effective(team_id)
        if eff.review_channel:
            return mb.text(_t("done.approval_on", channel=eff.review_channel))
        return mb.text(_t("done.approval_on_no_review"))

    async def _review_channel(self, client, team_id, user_id, cmd):
        ref = channel_ref(cmd.arg)
        if ref is None:
            return mb.text(_shown_autocomplete("channel", cmd.arg) if cmd.arg else _t("usage_line.review_channel"))
        info, problem = await self._ensure_member(client, ref[0])
        if problem:
            return mb.text(problem)
        await self.store.set_setting(team_id, "review_channel", ref[0])
        await self.store.audit(team_id, user_id, "review-channel", detail=ref[0])
        answer = _t("done.review_channel", channel=ref[0])
        if not info.get("is_private"):
            answer += "\n" + _t("done.review_channel_public")
        return mb.text(answer)

    async def _terms(self, client, team_id, user_id, cmd):
        if cmd.action == "list" or (cmd.action == "" and not cmd.arg):
            eff = await self.s.workspace.effective(team_id)
            if not eff.terms:
                return mb.text(_t("done.terms_empty"))
            return mb.text("*Always removed:* " + ", ".join(f"“{mb.escape(t)}”" for t in eff.terms))
        term = " ".join(cmd.arg.split())[:200]
        if cmd.action not in ("add", "remove") or not term:
            return mb.text(_t("usage_line.terms"))
        shown = mb.escape(term)
        eff = await self.s.workspace.effective(team_id)
        if cmd.action == "add":
            if term.lower() in {t.lower() for t in eff.terms}:
                return mb.text(_t("done.term_exists", term=shown))
            added = await self.store.add_term(team_id, term)
            if added:
                await self.store.audit(team_id, user_id, "terms add")
            return mb.text(_t("done.term_added" if added else "done.term_exists", term=shown))
        removed = await self.store.remove_term(team_id, term)
        if removed:
            await self.store.audit(team_id, user_id, "terms remove")
            if term.lower() in {t.lower() for t in self.s.settings.terms}:
                return mb.text(_t("done.term_removed", term=shown) + "\n" + _t("done.term_in_config", term=shown))
            return mb.text(_t("done.term_removed", term=shown))
        if term.lower() in {t.lower() for t in self.s.settings.terms}:
            return mb.text(_t("done.term_in_config", term=shown))
        return mb.text(_t("done.term_not_listed", term=shown))

    async def _retention(self, client, team_id, user_id, cmd):
        if not cmd.arg.isdigit() or int(cmd.arg) > 36500:
            return mb.text(_t("usage_line.retention"))
        days = int(cmd.arg)
        await self.store.set_setting(team_id, "retention_days", days)
        await self.store.audit(team_id, user_id, "retention", detail=str(days))
        if days:
            await self.run_retention()
            return mb.text(_t("done.retention", days=days))
        return mb.text(_t("done.retention_off"))

    async def _block(self, client, team_id, user_id, cmd):
        number = post_number(cmd.arg)
        if number is None:
            return mb.text(_t("usage_line.block"))
        post = await self.store.get_post(number, team_id)
        if post is None:
            return mb.text(_t("done.no_post", number=number))
        # The same answer and audit entry whether or not this author was blocked
        # already: "already blocked" would tell that two posts share an author.
        await self.store.block_author(team_id, post.author_hash, number)
        await self.store.audit(team_id, user_id, "block", post_number=number)
        return mb.text(_t("done.blocked", number=number))

    async def _remove(self, client, team_id, user_id, cmd):
        number = post_number(cmd.arg)
        if number is None:
            return mb.text(_t("usage_line.remove"))
        result = await self.s.discussion.delete(client, team_id, None, number, status="removed")
        if not result.ok:
            return mb.text(_t("done.no_post", number=number))
        await self.store.audit(team_id, user_id, "remove", post_number=number)
        await self._close_open_flags(client, team_id, number, _t("review.flag_removed", moderator=user_id))
        return mb.text(_t("done.removed", number=number))

    async def _audit(self, client, team_id, user_id, cmd):
        entries = await self.store.audit_log(team_id, 20)
        if not entries:
            return mb.text(_t("done.audit_empty"))
        lines = []
        for e in entries:
            post = f" · Dilemma #{e.post_number}" if e.post_number else ""
            lines.append(
                f"• {e.created_at:%Y-%m-%d %H:%M} UTC · <@{e.moderator_id}> · {mb.escape(e.action)}{post}"
                f"{_audit_detail(e)}"
            )
        return mb.text(_t("done.audit_title", count=len(entries)) + "\n" + "\n".join(lines))

    # ---- approvals ---------------------------------------------------------
    async def send_for_approval(self, client, post) -> None:
        eff = await self.s.workspace.effective(post.team_id)
        if not eff.review_channel:
            return  # waits in the App Home queue
        message = mb.approval_request(post, self.s.catalog)
        try:
            resp = await client.chat_postMessage(channel=eff.review_channel, **message.kwargs())
            await self.store.update_post(post.id, review_channel=eff.review_channel, review_ts=resp["ts"])
        except DELIVERY_ERRORS as exc:
            log_event(log, "could not send for approval", logging.WARNING, post=post.id, error=type(exc).__name__)

    async def approve(self, client, team_id: str, moderator_id: str, number: int) -> str:
        if not await self.is_moderator(client, team_id, moderator_id):
            return _t("not_moderator")
        post = await self.store.get_post(number, team_id)
        status = await self.s.posting.approve(client, number) if post is not None else None
        if status is None:
            return _t("review.already_decided")
        await self.store.audit(team_id, moderator_id, "approve", post_number=number)
        await self._close_review(client, post, _t("review.approved", moderator=moderator_id, number=number))
        if status == "posted":
            await self.s.posting.tell_poster(
                client, post, _t("review.poster_approved", number=number, channel=post.channel_id)
            )
        return _t("review.approved", moderator=moderator_id, number=number)

    async def awaiting(self, team_id: str, number: int) -> bool:
        """Still waiting for a decision (checked before the reason form opens)."""
        post = await self.store.get_post(number, team_id)
        return post is not None and post.status == "awaiting_approval"

    async def reject(self, client, team_id: str, moderator_id: str, number: int, reason: str) -> str:
        if not await self.is_moderator(client, team_id, moderator_id):
            return _t("not_moderator")
        post = await self.store.get_post(number, team_id)
        if post is None or not await self.store.update_post(
            number, expect_status=["awaiting_approval"], status="rejected"
        ):
            return _t("review.already_decided")
        reason = " ".join((reason or "").split())[:1000] or "no reason given"
        await self.store.audit(team_id, moderator_id, "reject", post_number=number)
        await self.s.posting.tell_poster(client, post, _t("review.poster_rejected", reason=mb.escape(reason)))
        await self._close_review(client, post, _t("review.rejected", moderator=moderator_id, reason=mb.escape(reason)))
        await self.store.purge_post(number, "rejected")
        return _t("review.rejected", moderator=moderator_id, reason=mb.escape(reason))

    @staticmethod
    async def _mark_decided(client, channel: str | None, ts: str | None, title: str, outcome: str) -> None:
        """Replaces a review-channel message (and its buttons) with the decision."""
        if not (channel and ts):
            return
        message = mb.decided(title, outcome)
        try:
            await client.chat_update(channel=channel, ts=ts, **message.kwargs())
        except DELIVERY_ERRORS:
            pass  # the review message is gone or unreachable; the decision itself stands

    async def _close_review(self, client, post, outcome: str) -> None:
        await self._mark_decided(
            client, post.review_channel, post.review_ts, _t("review.approval_title", number=post.id), outcome
        )

    # ---- flags -------------------------------------------------------------
    async def send_flag(self, client, post, flag) -> None:
        eff = await self.s.workspace.effective(post.team_id)
        if not eff.review_channel:
            return
        message = mb.flag_notice(post, flag, self.s.catalog)
        try:
            resp = await client.chat_postMessage(channel=eff.review_channel, **message.kwargs())
            await self.store.update_flag(flag.id, review_channel=eff.review_channel, review_ts=resp["ts"])
        except DELIVERY_ERRORS as exc:
            log_event(log, "could not send flag", logging.WARNING, post=post.id, error=type(exc).__name__)

    async def decide_flag(self, client, team_id: str, moderator_id: str, flag_id: int, remove: bool) -> str:
        if not await self.is_moderator(client, team_id, moderator_id):
            return _t("not_moderator")
        flag = await self.store.get_flag(flag_id)
        post = await self.store.get_post(flag.post_id, team_id) if flag is not None else None
        if post is None or not await self.store.update_flag(
            flag_id, expect_status="open", status="removed" if remove else "dismissed"
        ):
            return _t("review.already_decided")
        outcome = _t("review.flag_removed" if remove else "review.flag_dismissed", moderator=moderator_id)
        if remove:
            await self.s.discussion.delete(client, team_id, None, post.id, status="removed")
        await self.store.audit(team_id, moderator_id, "flag remove" if remove else "flag dismiss", post_number=post.id)
        await self._close_flag_message(client, flag, outcome)
        if remove:
            await self._close_open_flags(client, team_id, post.id, outcome)
        return outcome

    async def _close_flag_message(self, client, flag, outcome: str) -> None:
        await self._mark_decided(
            client, flag.review_channel, flag.review_ts, _t("review.flag_title", number=flag.post_id), outcome
        )

    async def _close_open_flags(self, client, team_id: str, post_id: int, outcome: str) -> None:
        """Other open flags on a post that is gone: nothing left to decide."""
        for other in await self.store.open_flags(team_id):
            if other.post_id == post_id and await self.store.update_flag(
                other.id, expect_status="open", status="removed"
            ):
                await self._close_flag_message(client, other, outcome)

    # ---- jobs and home -----------------------------------------------------
    async def run_retention(self) -> dict:
        purged = 0
        for team_id in await self.store.teams():
            days = (await self.s.workspace.effective(team_id)).retention_days
            if days > 0:
                purged += await self.store.purge_older_than(days, team_id)
        expired = await self.store.expire_intakes(timedelta(hours=self.s.settings.idle_expiry_hours))
        detail = {"purged": purged, "expired": expired}
        await self.store.record_job("retention", detail)
        log_event(log, "retention ran", job="retention", purged=purged, count=expired)
        return detail

    async def home_view(self, client, team_id: str, user_id: str) -> dict:
        posts = await self.s.discussion.mine(team_id, user_id)
        moderator_view = None
        if await self.is_moderator(client, team_id, user_id):
            awaiting = await self.store.awaiting_approval(team_id)
            flags = await self.store.open_flags(team_id)
            queue = [f"• Dilemma #{p.id} awaits approval" for p in awaiting]
            queue += [f"• Dilemma #{f.post_id} was flagged" for f in flags]
            moderator_view = {
                "settings": (await self.status_text(team_id)).split("\n", 1)[1],
                "queue": queue,
                "awaiting": awaiting,
                "flags": flags,
            }
        return mb.home(self.s.catalog, posts, moderator_view)
