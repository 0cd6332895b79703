"""Moderation: who moderates, approvals, flags, retention and the Home tab.
Moderators act on posts (named by their number in the workspace in what they read, type
and click; an older button's row id is still found, in the workspace only) and never
learn who wrote one."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

from bot.consult.discussion import Discussion
from bot.consult.model import FlagRef, PostContent, PostRef, PostStatus
from bot.consult.posting import POSTED, Posting, team_of
from bot.gateway import Gateway, Refused, Team, Unavailable
from bot.logs import log_event
from bot.moderation.review import Review
from bot.moderation.workspace import Effective, Workspace
from bot.mrkdwn import escape
from bot.outgoing import HomeView, ModeratorHome, Notice, QueueItem
from bot.storage import models as m
from bot.storage.store import Store
from bot.texts import text

log = logging.getLogger("bot.moderation")
ADMIN_CACHE_SECONDS = 300


def _t(key: str, **fmt: Any) -> str:
    return text(f"moderation.{key}", **fmt)


def channels_job(team_id: str) -> str:
    """The job_runs row that keeps what the start-up join found, per team."""
    return f"channels:{team_id}"[:40]


class Moderation:
    def __init__(
        self,
        store: Store,
        workspace: Workspace,
        gateway: Gateway,
        posting: Posting,
        discussion: Discussion,
        review: Review,
        idle_expiry_hours: float,
    ):
        self.store = store
        self.workspace = workspace
        self.gateway = gateway
        self.posting = posting
        self.discussion = discussion
        self.review = review
        self.idle_expiry = timedelta(hours=idle_expiry_hours)
        self._admin_cache: dict[tuple[str, str], tuple[float, bool]] = {}

    # ---- who may moderate --------------------------------------------------
    async def is_moderator(self, team: Team, user_id: str, eff: Effective | None = None) -> bool:
        eff = eff or await self.workspace.effective(team.id)
        if user_id in eff.moderators:
            return True
        key = (team.id, user_id)
        cached = self._admin_cache.get(key)
        if cached and time.monotonic() - cached[0] < ADMIN_CACHE_SECONDS:
            return cached[1]
        try:
            is_admin = await self.gateway.is_admin(team, user_id)
        except (Unavailable, Refused):
            # Not an answer: "no" for now, but asked again next time rather than cached.
            return False
        self._admin_cache[key] = (time.monotonic(), is_admin)
        return is_admin

    def forget_admin(self, team: Team, user_id: str) -> None:
        self._admin_cache.pop((team.id, user_id), None)

    def forget_team(self, team: Team) -> None:
        """The app left this workspace: who was an admin there is no longer known."""
        for key in [k for k in self._admin_cache if k[0] == team.id]:
            del self._admin_cache[key]

    def status_lines(self, eff: Effective, retention: m.JobRun | None) -> list[str]:
        src = eff.sources
        channels = ", ".join(f"<#{c.id}>" for c in eff.channels) or _t("status.none_yet")
        if retention:
            ran = _t(
                "status.job_ran",
                when=retention.last_run_at.strftime("%Y-%m-%d %H:%M UTC"),
                purged=retention.detail.get("purged", 0),
                expired=retention.detail.get("expired", 0),
            )
        else:
            ran = _t("status.job_never")
        review = f"<#{eff.review_channel}>" if eff.review_channel else _t("status.not_set")
        days = (
            _t("status.retention_days", days=eff.retention_days) if eff.retention_days else _t("status.retention_keep")
        )
        return [
            _t("status.channels", channels=channels, source=src["channels"]),
            _t(
                "status.approval",
                value=_t("status.approval_on" if eff.approval else "status.approval_off"),
                source=src["approval"],
            ),
            _t("status.review_channel", value=review, source=src["review_channel"]),
            _t("status.retention", value=days, source=src["retention_days"]),
            _t("status.terms", count=len(eff.terms), source=src["terms"]),
            _t("status.moderators", count=len(eff.moderators), source=src["moderators"]),
            _t("status.job", value=ran),
            text(
                "risk.admin.status",
                value=" · ".join(f"{text(f'risk.admin.keys.{k}')} {v}" for k, v in eff.risk_resources.items())
                or text("risk.admin.status_none"),
                source=text("risk.admin.status_source" if eff.risk_resources else "risk.admin.status_source_none"),
            ),
        ]

    async def status_text(self, team_id: str) -> str:
        eff = await self.workspace.effective(team_id)
        lines = self.status_lines(eff, await self.store.job("retention"))
        joined = await self.store.job(channels_job(team_id))  # written at start (AdminCommands)
        if joined is not None and joined.detail:
            lines.append(self.join_line(joined.detail))
        given_up = await self.store.relays_given_up(team_id)
        if given_up is not None and given_up.detail.get("count"):
            lines.append(
                _t(
                    "status.relays_given_up",
                    count=given_up.detail["count"],
                    posts=", ".join(f"#{n}" for n in given_up.detail.get("posts", [])),
                    when=given_up.last_run_at.strftime("%Y-%m-%d %H:%M UTC"),
                )
            )
        return _t("status.title") + "\n" + "\n".join(lines)

    @staticmethod
    def join_line(states: dict[str, str]) -> str:
        """What the start-up join found: all fine, or each channel the app cannot post in."""
        known = ("invite", "not_found")
        problems = [
            _t(f"status.join_{state}" if state in known else "status.join_error", channel=cid, error=escape(state))
            for cid, state in states.items()
            if state not in ("member", "joined")
        ]
        if not problems:
            return _t("status.join_ok", count=len(states))
        return _t("status.join_problems", problems="; ".join(problems))

    # ---- approvals ---------------------------------------------------------
    async def approve(self, team: Team, moderator_id: str, ref: PostRef) -> str:
        if not await self.is_moderator(team, moderator_id):
            return _t("not_moderator")
        post = await self.store.find_post(team.id, ref)
        status = await self.posting.approve(post.id) if post is not None else None
        if post is None or status is None:
            return _t("review.already_decided")
        number = post.number
        await self.store.audit(team.id, moderator_id, "approve", post_number=number)
        outcome = _t("review.approved", moderator=moderator_id, number=number)
        await self.review.mark_decided(
            team, post.review_channel, post.review_ts, _t("review.approval_title", number=number), outcome
        )
        if status == POSTED:
            notice = Notice(_t("review.poster_approved", number=number, channel=post.channel_id))
            await self.posting.tell_poster(team, post, notice)
        return outcome

    async def awaiting(self, team: Team, ref: PostRef) -> m.Post | None:
        """The post, while it still waits for a decision (checked before the reason form opens)."""
        post = await self.store.find_post(team.id, ref)
        return post if post is not None and post.status == PostStatus.AWAITING_APPROVAL else None

    async def reject(self, team: Team, moderator_id: str, ref: PostRef, reason: str) -> str:
        if not await self.is_moderator(team, moderator_id):
            return _t("not_moderator")
        post = await self.store.find_post(team.id, ref)
        if post is None or not await self.store.update_post(
            post.id, expect_status=[PostStatus.AWAITING_APPROVAL], status=PostStatus.REJECTED
        ):
            return _t("review.already_decided")
        number = post.number
        shown = escape(" ".join((reason or "").split())[:1000] or _t("review.no_reason"))
        await self.store.audit(team.id, moderator_id, "reject", post_number=number)
        await self.posting.tell_poster(team, post, Notice(_t("review.poster_rejected", reason=shown)))
        outcome = _t("review.rejected", moderator=moderator_id, reason=shown)
        await self.review.mark_decided(
            team, post.review_channel, post.review_ts, _t("review.approval_title", number=number), outcome
        )
        await self.store.purge_post(post.id, PostStatus.REJECTED)
        return outcome

    # ---- flags -------------------------------------------------------------
    async def decide_flag(self, team: Team, moderator_id: str, ref: FlagRef, remove: bool) -> str:
        """Remove or Dismiss: the flag named by its post's number and its place among the
        post's flags (or an older button's row id), in this workspace only."""
        if not await self.is_moderator(team, moderator_id):
            return _t("not_moderator")
        found = await self.store.find_flag(team.id, ref)
        if found is None:
            return _t("review.already_decided")
        flag, post = found
        if not await self.store.update_flag(flag.id, expect_status="open", status="removed" if remove else "dismissed"):
            return _t("review.already_decided")
        outcome = _t("review.flag_removed" if remove else "review.flag_dismissed", moderator=moderator_id)
        if remove:
            await self.discussion.delete(team, None, post.id, status=PostStatus.REMOVED)
        action = "flag remove" if remove else "flag dismiss"
        await self.store.audit(team.id, moderator_id, action, post_number=post.number)
        await self._close_flag_message(team, flag, post.number, outcome)
        if remove:
            await self.close_open_flags(team, post, outcome)
        return outcome

    async def _close_flag_message(self, team: Team, flag: m.Flag, number: int, outcome: str) -> None:
        title = _t("review.flag_title", number=number)
        await self.review.mark_decided(team, flag.review_channel, flag.review_ts, title, outcome)

    async def close_open_flags(self, team: Team, post: m.Post, outcome: str) -> None:
        """Other open flags on a post that is gone: nothing left to decide."""
        for other in await self.store.open_flags(team.id):
            if other.post_id == post.id and await self.store.update_flag(
                other.id, expect_status="open", status="removed"
            ):
                await self._close_flag_message(team, other, post.number, outcome)

    # ---- jobs and home -----------------------------------------------------
    async def run_retention(self, record: bool = True) -> dict[str, int]:
        """Purges post text older than each team's retention and expires idle intakes.
        `record`: note the run in job_runs (the worker's scheduled runs note it
        through their lease instead, Store.claim_job / finish_job)."""
        purged = 0
        for team_id in await self.store.teams():
            days = (await self.workspace.effective(team_id)).retention_days
            if days > 0:
                # The posts' relay and record DMs first: purging drops the sealed author
                # that finds the poster's DM. A post whose DMs Slack did not delete waits.
                keep = [
                    post.id
                    for post in await self.store.purgeable_with_dms(days, team_id)
                    if not await self.discussion.delete_dms(team_of(post), post)
                ]
                purged += await self.store.purge_older_than(days, team_id, keep=keep)
        expired = await self.store.expire_intakes(self.idle_expiry)
        detail = {"purged": purged, "expired": expired}
        if record:
            await self.store.record_job("retention", detail)
        log_event(log, "retention ran", job="retention", purged=purged, count=expired)
        return detail

    async def home(self, team: Team, user_id: str) -> HomeView:
        async with self.store.transaction():
            posts = await self.discussion.mine(team.id, user_id)
            eff = await self.workspace.effective(team.id)
            retention = await self.store.job("retention")
            awaiting = await self.store.awaiting_approval(team.id)
            flags = await self.store.open_flags(team.id)
            # every flagged post's number (shown), its excerpt for the first ten
            flagged = await self.store.posts_by_id(team.id, {f.post_id for f in flags})
            places = await self.store.flag_numbers(f.id for f in flags)  # what their buttons carry
        if not await self.is_moderator(team, user_id, eff):
            return HomeView(tuple(posts))
        moderator = ModeratorHome(
            settings="\n".join(self.status_lines(eff, retention)),
            awaiting=tuple(QueueItem(p.number, excerpt=_excerpt(p)) for p in awaiting),
            flags=tuple(
                QueueItem(
                    post.number,
                    places[f.id],
                    excerpt=_excerpt(post) if i < 10 else "",
                    reason=getattr(f, "reason", None) or "",
                )
                for i, f in enumerate(flags)
                if (post := flagged.get(f.post_id)) is not None
            ),
        )
        return HomeView(tuple(posts), moderator)


def _excerpt(post: m.Post | None) -> str:
    """What a moderator's queue shows of a post: its de-identified question, else its situation."""
    content = PostContent.from_json(post.content) if post is not None and post.content else None
    if content is None:
        return ""
    return content.question or content.situation or ""
