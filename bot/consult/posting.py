"""Posting a de-identified dilemma exactly once.

The post is recorded (closing the intake in the same transaction) before Slack is
called and marked with the message ts after. A worker that finds a post whose
earlier attempt may have reached Slack (a crash or timeout between the two steps)
first looks for it in the channel by its mark instead of posting again.
Double clicks and a second process lose the race for the intake or the claim.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from bot.consult.model import PostContent, PostStatus
from bot.gateway import Gateway, NotFound, PostMark, Refused, Team, Unavailable
from bot.identity import Identity
from bot.logs import log_event
from bot.moderation.review import Review
from bot.outgoing import ChannelPost, Notice
from bot.storage import models as m
from bot.storage.models import utcnow
from bot.storage.store import Store
from bot.texts import text

SENT, GONE, LATER = "sent", "gone", "later"
# Slack's answers meaning the poster will not be reached however often we try.
POSTER_GONE = {
    "user_not_found",
    "users_not_found",
    "account_inactive",
    "user_disabled",
    "cannot_dm_bot",
    "user_is_bot",
    "channel_not_found",
    "is_archived",
}

log = logging.getLogger("bot.posting")
# Longer than the slowest send the client can make (retries on 5xx and 429
# included), so that a worker never takes over a send still in flight.
CLAIM_LEASE = timedelta(minutes=5)


# What a delivery attempt came to.
POSTED, QUEUED, FAILED, WITHDRAWN, BUSY = "posted", "queued", "failed", "withdrawn", "busy"
# The job_runs row listing posts renumbered by migration 0008 whose message in the
# channel still shows the old number, and how many the worker re-titles per run.
RETITLE_JOB = "retitle_posts"
RETITLE_BATCH = 20


@dataclass
class Submitted:
    status: str  # posted | queued | failed | withdrawn | awaiting_approval
    post: m.Post | None = None


def backoff(attempts: int, base: float) -> timedelta:
    return timedelta(seconds=min(base * 2 ** max(0, attempts - 1), 3600))


def team_of(post: m.Post) -> Team:
    return Team(post.team_id)


def mark_of(post: m.Post) -> PostMark:
    return PostMark(post.number, post.delivery_key)


class Posting:
    def __init__(self, store: Store, identity: Identity, gateway: Gateway, review: Review, retry_interval: float):
        self.store = store
        self.identity = identity
        self.gateway = gateway
        self.review = review
        self.retry_interval = retry_interval

    async def record(
        self, team: Team, user_id: str, intake: m.Intake, content: PostContent, channel_id: str, approval: bool
    ) -> m.Post | None:
        """Closes the intake and records its post (in the caller's transaction);
        None when the intake was already posted (a double click, a second process)."""
        post = await self.store.post_from_intake(
            intake.id,
            "preview",
            lease=None if approval else CLAIM_LEASE,
            team_id=team.id,
            intake_ref=intake.ref,
            channel_id=channel_id,
            status=PostStatus.AWAITING_APPROVAL if approval else PostStatus.PENDING,
            content=content.to_json(),
            author_hash=self.identity.author_hash(team.id, user_id),
            author_enc=self.identity.seal(user_id),
            delivery_key=secrets.token_urlsafe(16),
        )
        if post is not None:
            log_event(log, "post recorded", post=post.id, status=post.status)
        return post

    async def send(self, team: Team, post: m.Post) -> Submitted:
        """After ``record`` (outside its transaction): to the review channel, or to Slack."""
        if post.status == PostStatus.AWAITING_APPROVAL:
            await self.review.request_approval(team, post)
            return Submitted(PostStatus.AWAITING_APPROVAL, post)
        status = await self.deliver(post.id, claimed=post)
        outcome = status if status in (POSTED, FAILED, WITHDRAWN) else QUEUED
        return Submitted(outcome, post)  # as recorded: its number and channel (not read again)

    async def approve(self, post_id: int) -> str | None:
        """Moves an approved post to delivery and delivers it; None if it was not
        awaiting approval (decided already, by someone else or a double click)."""
        post = await self.store.claim_post(
            post_id, CLAIM_LEASE, statuses=(PostStatus.AWAITING_APPROVAL,), new_status=PostStatus.PENDING
        )
        if post is None:
            return None
        return await self.deliver(post_id, claimed=post)

    async def deliver(self, post_id: int, claimed: m.Post | None = None) -> str:
        """Delivers a pending post. ``claimed``: the post, already claimed by the caller."""
        post = claimed or await self.store.claim_post(post_id, CLAIM_LEASE)
        if post is None:
            return BUSY
        team = team_of(post)
        try:
            ts = await self._find_existing(team, post) if post.attempts > 1 else None
            if ts is None:
                message = ChannelPost(post.number, PostContent.from_json(post.content), post.resolved)
                ts = (await self.gateway.post(team, post.channel_id, message, mark=mark_of(post))).ts
        except Refused as exc:
            await self._fail(team, post, exc.code)
            return FAILED
        except Unavailable as exc:
            retry_at = utcnow() + backoff(post.attempts, self.retry_interval)
            await self.store.release_post(post.id, retry_at)
            log_event(log, "post delayed", logging.WARNING, post=post.id, attempt=post.attempts, error=exc.code)
            return QUEUED
        if not await self.store.mark_posted(post.id, ts):
            # Deleted or removed while it was on its way: take it down again.
            try:
                await self.gateway.delete(team, post.channel_id, ts)
            except (Unavailable, Refused) as exc:
                log_event(log, "could not take down a withdrawn post", logging.ERROR, post=post.id, error=exc.code)
            return WITHDRAWN
        log_event(log, "posted", post=post.id, attempt=post.attempts)
        return POSTED

    async def _fail(self, team: Team, post: m.Post, code: str) -> None:
        """A post Slack will never accept: purge it and tell the poster."""
        log_event(log, "post failed", logging.ERROR, post=post.id, error=code)
        await self.tell_poster(team, post, Notice(text("posts.post.failed", number=post.number)))
        await self.store.purge_post(post.id, PostStatus.FAILED)

    async def _find_existing(self, team: Team, post: m.Post) -> str | None:
        """The ts of this post if an earlier attempt did reach the channel. Should
        Slack hold it twice, the later copies are deleted (or, when Slack won't,
        recorded with the post so that Delete and remove still reach them)."""
        since = (post.created_at or utcnow()) - timedelta(minutes=1)
        try:
            found = await self.gateway.find_marked(team, post.channel_id, mark_of(post), since)
        except NotFound:
            return None
        for extra in found[1:]:
            try:
                await self.gateway.delete(team, post.channel_id, extra)
                log_event(log, "duplicate post deleted", logging.WARNING, post=post.id)
            except (Unavailable, Refused) as exc:
                await self.store.add_post_message(post.id, extra, "copy")
                log_event(log, "duplicate post kept for later", logging.WARNING, post=post.id, error=exc.code)
        return found[0] if found else None

    async def deliver_due(self) -> int:
        """Pending posts whose time has come (on start and periodically)."""
        done = 0
        for post_id in await self.store.due_posts():
            if await self.deliver(post_id) == POSTED:
                # The worker only gets posts whose first delivery failed: the
                # poster was told it was delayed, so tell them it is out now.
                done += 1
                post = await self.store.get_post(post_id)
                if post is not None:
                    notice = Notice(text("posts.relay.posted_later", number=post.number, channel=post.channel_id))
                    await self.tell_poster(team_of(post), post, notice)
        return done

    async def retitle_renumbered(self, limit: int = RETITLE_BATCH) -> int:
        """Migration 0008 renumbered posts per workspace: their messages in the channel,
        titled with the old number, are rendered again with the new one (and the same
        buttons), a batch per run, so that the number a moderator reads there is the one
        `/boundary-admin` takes. A post Slack no longer has (or whose workspace is gone)
        is dropped from the list; one Slack could not update now waits for the next run.
        Returns how many were updated."""
        job = await self.store.job(RETITLE_JOB)
        waiting = [int(p) for p in ((job.detail or {}).get("posts") or [])] if job is not None else []
        if not waiting:
            return 0
        done, later = 0, []
        for post_id in waiting[:limit]:
            post = await self.store.get_post(post_id)
            if post is None or post.status != PostStatus.POSTED or not post.message_ts or post.purged_at is not None:
                continue
            message = ChannelPost(post.number, PostContent.from_json(post.content), bool(post.resolved))
            try:
                await self.gateway.update(team_of(post), post.channel_id, post.message_ts, message)
                done += 1
            except Unavailable:
                later.append(post_id)
            except Refused as exc:
                log_event(log, "renumbered post not re-titled", logging.WARNING, post=post.id, error=exc.code)
        await self.store.set_job_detail(RETITLE_JOB, {"posts": later + waiting[limit:]})
        return done

    async def tell_poster(self, team: Team, post: m.Post, message: object) -> bool:
        return await self.reach_poster(team, post, message) == SENT

    async def reach_poster(self, team: Team, post: m.Post, message: object, *, keep_as: str | None = None) -> str:
        """SENT; GONE when Slack says the poster cannot be reached (deactivated, not found,
        a bot); LATER when it may work on another try. ``keep_as``: a DM that repeats the
        thread's words is recorded with the post (its ts only), so Delete, remove and
        retention can take it down."""
        user_id = self.identity.unseal(post.author_enc)
        if not user_id:
            return GONE
        try:
            sent = await self.gateway.dm(team, user_id, message)
        except (Unavailable, Refused) as exc:
            log_event(log, "could not DM poster", logging.WARNING, post=post.id, error=exc.code)
            return GONE if exc.code in POSTER_GONE else LATER
        if keep_as is not None:
            await self.store.add_post_message(post.id, sent.ts, keep_as)
        return SENT
