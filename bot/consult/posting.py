"""Posting a de-identified dilemma exactly once.

The post is recorded (closing the intake in the same transaction) before Slack is
called and marked with the message ts after. A worker that finds a post whose
earlier attempt may have reached Slack (a crash or timeout between the two steps)
first looks for it in the channel by its metadata instead of posting again.
Double clicks and a second process lose the race for the intake or the claim.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from slack_sdk.errors import SlackApiError

from bot.blocks import posts as post_blocks
from bot.logs import log_event
from bot.storage.models import utcnow

log = logging.getLogger("bot.posting")
METADATA_TYPE = "boundary_consult_post"
# Longer than the slowest send the client can make (retries on 5xx and 429
# included), so that a worker never takes over a send still in flight.
CLAIM_LEASE = timedelta(minutes=5)
DELIVERY_ERRORS = (SlackApiError, OSError, TimeoutError)
# Slack errors that waiting will not cure: the post fails and the poster is told.
PERMANENT_ERRORS = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "channel_is_archived",
    "invalid_blocks",
    "msg_too_long",
    "restricted_action",
    "cannot_reply_to_message",
}


@dataclass
class Submitted:
    status: str  # posted | queued | failed | withdrawn | awaiting_approval | duplicate
    post: object | None = None


def backoff(attempts: int, base: float) -> timedelta:
    return timedelta(seconds=min(base * 2 ** max(0, attempts - 1), 3600))


class Posting:
    def __init__(self, store, identity, catalog, settings):
        self.store = store
        self.identity = identity
        self.catalog = catalog
        self.settings = settings
        self.on_awaiting_approval = None  # set by moderation: async (client, post) -> None

    async def submit(
        self, client, *, team_id: str, user_id: str, intake, content: dict, channel_id: str, approval: bool
    ) -> Submitted:
        post = await self.store.post_from_intake(
            intake.id,
            "preview",
            lease=None if approval else CLAIM_LEASE,
            team_id=team_id,
            intake_ref=intake.ref,
            channel_id=channel_id,
            status="awaiting_approval" if approval else "pending",
            content=content,
            author_hash=self.identity.author_hash(team_id, user_id),
            author_enc=self.identity.seal(user_id),
        )
        if post is None:
            return Submitted("duplicate")
        log_event(log, "post recorded", post=post.id, status=post.status)
        if approval:
            if self.on_awaiting_approval is not None:
                await self.on_awaiting_approval(client, post)
            return Submitted("awaiting_approval", post)
        status = await self.deliver(client, post.id, claimed=post)
        outcome = status if status in ("posted", "failed", "withdrawn") else "queued"
        return Submitted(outcome, await self.store.get_post(post.id))

    async def approve(self, client, post_id: int) -> str | None:
        """Moves an approved post to delivery and delivers it; None if it was not
        awaiting approval (decided already, by someone else or a double click)."""
        post = await self.store.claim_post(post_id, CLAIM_LEASE, statuses=("awaiting_approval",), new_status="pending")
        if post is None:
            return None
        return await self.deliver(client, post_id, claimed=post)

    async def deliver(self, client, post_id: int, claimed=None) -> str:
        """Delivers a pending post. `claimed`: the post, already claimed by the caller."""
        post = claimed or await self.store.claim_post(post_id, CLAIM_LEASE)
        if post is None:
            return "busy"
        try:
            ts = await self._find_existing(client, post) if post.attempts > 1 else None
            if ts is None:
                message = post_blocks.channel_post(post, self.catalog)
                resp = await client.chat_postMessage(
                    channel=post.channel_id,
                    **message.kwargs(),
                    unfurl_links=False,
                    unfurl_media=False,
                    metadata={"event_type": METADATA_TYPE, "event_payload": {"post_id": post.id}},
                )
                ts = resp["ts"]
        except DELIVERY_ERRORS as exc:
            code = exc.response.get("error") if isinstance(exc, SlackApiError) else None
            if code in PERMANENT_ERRORS:
                await self._fail(client, post, code)
                return "failed"
            retry_at = utcnow() + backoff(post.attempts, self.settings.posting_retry_interval_seconds)
            await self.store.release_post(post.id, retry_at)
            log_event(
                log,
                "post delayed",
                logging.WARNING,
                post=post.id,
                attempt=post.attempts,
                error=code or type(exc).__name__,
            )
            return "queued"
        if not await self.store.mark_posted(post.id, ts):
            # Deleted or removed while it was on its way: take it down again.
            try:
                await client.chat_delete(channel=post.channel_id, ts=ts)
            except DELIVERY_ERRORS as exc:
                log_event(
                    log, "could not take down a withdrawn post", logging.ERROR, post=post.id, error=type(exc).__name__
                )
            return "withdrawn"
        log_event(log, "posted", post=post.id, attempt=post.attempts)
        return "posted"

    async def _fail(self, client, post, code: str) -> None:
        """A post Slack will never accept: purge it and tell the poster."""
        log_event(log, "post failed", logging.ERROR, post=post.id, error=code)
        await self.tell_poster(client, post, post_blocks._t("post.failed", number=post.id))
        await self.store.purge_post(post.id, "failed")

    async def _find_existing(self, client, post) -> str | None:
        """The ts of this post if an earlier attempt did reach the channel."""
        oldest = (post.created_at.timestamp() if post.created_at else 0) - 60
        cursor = None
        while True:
            resp = await client.conversations_history(
                channel=post.channel_id,
                oldest=f"{oldest:.6f}",
                include_all_metadata=True,
                limit=200,
                cursor=cursor,
            )
            for msg in resp.get("messages", []):
                meta = msg.get("metadata") or {}
                if (
                    meta.get("event_type") == METADATA_TYPE
                    and (meta.get("event_payload") or {}).get("post_id") == post.id
                ):
                    return msg["ts"]
            cursor = (resp.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None

    async def deliver_due(self, client) -> int:
        """Pending posts whose time has come (on start and periodically)."""
        done = 0
        for post_id in await self.store.due_posts():
            if await self.deliver(client, post_id) == "posted":
                # The worker only gets posts whose first delivery failed: the
                # poster was told it was delayed, so tell them it is out now.
                done += 1
                post = await self.store.get_post(post_id)
                if post is not None:
                    await self.tell_poster(
                        client, post, post_blocks._t("relay.posted_later", number=post.id, channel=post.channel_id)
                    )
        return done

    async def tell_poster(self, client, post, text: str, blocks: list | None = None) -> bool:
        user_id = self.identity.unseal(post.author_enc)
        if not user_id:
            return False
        try:
            dm = await client.conversations_open(users=user_id)
            await client.chat_postMessage(channel=dm["channel"]["id"], text=text, blocks=blocks)
            return True
        except DELIVERY_ERRORS as exc:
            log_event(log, "could not DM poster", logging.WARNING, post=post.id, error=type(exc).__name__)
            return False
