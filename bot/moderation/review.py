"""The review channel: posts awaiting approval and flags are shown there for
moderators (never with who wrote or flagged them), and replaced by the decision."""

from __future__ import annotations

import logging

from bot.consult.model import PostContent
from bot.gateway import Gateway, GatewayError, Team
from bot.logs import log_event
from bot.moderation.workspace import Workspace
from bot.outgoing import ApprovalRequest, Decided, FlagNotice
from bot.storage import models as m
from bot.storage.store import Store
from bot.texts import text

log = logging.getLogger("bot.review")


class Review:
    def __init__(self, store: Store, workspace: Workspace, gateway: Gateway):
        self.store = store
        self.workspace = workspace
        self.gateway = gateway

    async def request_approval(self, team: Team, post: m.Post) -> None:
        """Shows a post awaiting approval in the review channel (without one, it
        waits in the moderators' App Home queue)."""
        review_channel = (await self.workspace.effective(team.id)).review_channel
        if not review_channel:
            return
        message = ApprovalRequest(post.number, post.channel_id, PostContent.from_json(post.content))
        try:
            sent = await self.gateway.post(team, review_channel, message)
        except GatewayError as exc:
            log_event(log, "could not send for approval", logging.WARNING, post=post.id, error=exc.code)
            return
        await self.store.update_post(post.id, review_channel=review_channel, review_ts=sent.ts)

    async def report_flag(self, team: Team, post: m.Post, flag: m.Flag) -> None:
        review_channel = (await self.workspace.effective(team.id)).review_channel
        if not review_channel:
            return
        place = (await self.store.flag_numbers([flag.id]))[flag.id]  # what its buttons carry, not the row id
        message = FlagNotice(post.number, place, PostContent.from_json(post.content), flag.reason or "")
        try:
            sent = await self.gateway.post(team, review_channel, message)
        except GatewayError as exc:
            log_event(log, "could not send flag", logging.WARNING, post=post.id, error=exc.code)
            return
        await self.store.update_flag(flag.id, review_channel=review_channel, review_ts=sent.ts)

    async def flag_withdrawn(self, team: Team, flag: m.Flag, number: int) -> None:
        """The flagger undid their flag (on the post shown as ``number``): its review
        message says so, buttons gone."""
        title = text("moderation.review.flag_title", number=number)
        await self.mark_decided(
            team, flag.review_channel, flag.review_ts, title, text("moderation.review.flag_withdrawn")
        )

    async def mark_decided(self, team: Team, channel: str | None, ts: str | None, title: str, outcome: str) -> None:
        """Replaces a review-channel message (and its buttons) with the decision."""
        if not (channel and ts):
            return
        try:
            await self.gateway.update(team, channel, ts, Decided(title, outcome))
        except GatewayError:
            pass  # the review message is gone or unreachable; the decision itself stands
