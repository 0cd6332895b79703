"""The discussion around a post: anonymous replies, relaying thread replies to
the poster, and the poster's own actions — all keyed on the post number, with
ownership proven only through the keyed hash."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from slack_sdk.errors import SlackApiError

from bot.blocks import posts as post_blocks
from bot.consult.posting import DELIVERY_ERRORS
from bot.logs import log_event

log = logging.getLogger("bot.discussion")
GONE = ("deleted", "removed", "rejected", "failed")
REPLY_PERSON = re.compile(r"\[Person [A-Z]{1,2}\]")


@dataclass
class Result:
    ok: bool
    message: str  # for the person who acted (ephemeral)


class Discussion:
    def __init__(self, store, identity, catalog, settings, deid, workspace, posting):
        self.store = store
        self.identity = identity
        self.catalog = catalog
        self.settings = settings
        self.deid = deid
        self.workspace = workspace
        self.posting = posting
        self.on_flag = None  # set by moderation: async (client, post, flag) -> None

    def _t(self, key: str, **fmt) -> str:
        return post_blocks._t(key, **fmt)

    async def _live_post(self, team_id: str, number: int, *, need_text: bool = True):
        """The post if it still exists. need_text=False also finds a post whose
        text retention has purged: it is still in the channel and can be deleted."""
        post = await self.store.get_post(number, team_id)
        if post is None or post.status in GONE or (need_text and post.content is None):
            return None
        return post

    def owns(self, post, team_id: str, user_id: str) -> bool:
        return post.author_hash in self.identity.author_hashes(team_id, user_id)

    async def _redact(self, team_id: str, text: str) -> str:
        terms = (await self.workspace.effective(team_id)).terms
        redacted = self.deid().redact(text, terms=tuple(terms)).text
        # A reply's own letters would read as the post's [Person A]; keep them apart.
        return REPLY_PERSON.sub("[name]", redacted)

    async def _thread_post(self, client, post, kind: str, text: str) -> None:
        message = post_blocks.thread_reply(kind, text)
        resp = await client.chat_postMessage(
            channel=post.channel_id,
            thread_ts=post.message_ts,
            **message.kwargs(),
            unfurl_links=False,
            unfurl_media=False,
        )
        await self.store.add_post_message(post.id, resp["ts"], kind)

    async def reply_anonymously(self, client, team_id: str, number: int, text: str) -> Result:
        post = await self._live_post(team_id, number)
        if post is None:
            return Result(False, self._t("post.not_found"))
        if post.status != "posted":
            return Result(False, self._t("post.not_posted_yet", number=number))
        await self._thread_post(client, post, "anonymous", await self._redact(team_id, text))
        # The app's own messages raise no event for us: queue the relay here.
        await self.store.add_reply(post.id, post.message_ts, timedelta(seconds=self.settings.relay_batch_seconds))
        return Result(True, self._t("post.reply_posted", number=number))

    async def reply_as_poster(self, client, team_id: str, user_id: str, number: int, text: str) -> Result:
        post = await self._live_post(team_id, number)
        if post is None:
            return Result(False, self._t("post.not_found"))
        if not self.owns(post, team_id, user_id):
            return Result(False, self._t("post.not_owner", number=number))
        if post.status != "posted":
            return Result(False, self._t("post.not_posted_yet", number=number))
        await self._thread_post(client, post, "op", await self._redact(team_id, text))
        return Result(True, self._t("post.reply_posted", number=number))

    async def resolve(self, client, team_id: str, user_id: str, number: int) -> Result:
        post = await self._live_post(team_id, number)
        if post is None:
            return Result(False, self._t("post.not_found"))
        if not self.owns(post, team_id, user_id):
            return Result(False, self._t("post.not_owner", number=number))
        await self.store.update_post(post.id, resolved=True)
        post.resolved = True
        if post.message_ts:
            message = post_blocks.channel_post(post, self.catalog)
            await client.chat_update(channel=post.channel_id, ts=post.message_ts, **message.kwargs())
        return Result(True, self._t("post.resolved", number=number))

    async def delete(
        self, client, team_id: str, user_id: str | None, number: int, *, status: str = "deleted"
    ) -> Result:
        """Deletes the post and the app's thread messages, then purges stored text.
        user_id None: a moderator's removal (checked by the caller)."""
        post = await self._live_post(team_id, number, need_text=False)
        if post is None:
            return Result(False, self._t("post.not_found"))
        if user_id is not None and not self.owns(post, team_id, user_id):
            return Result(False, self._t("post.not_owner", number=number))
        thread = [msg.ts for msg in await self.store.post_messages(post.id)]
        for ts in thread + ([post.message_ts] if post.message_ts else []):
            if not await self._delete_message(client, post.channel_id, ts):
                # Nothing is purged until the channel no longer shows the post.
                return Result(False, self._t("post.delete_failed", number=number))
        if post.review_channel and post.review_ts:
            await self._delete_message(client, post.review_channel, post.review_ts)
        await self.store.purge_post(post.id, status)
        log_event(log, "post purged", post=post.id, status=status)
        return Result(True, self._t("post.deleted", number=number))

    @staticmethod
    async def _delete_message(client, channel: str, ts: str) -> bool:
        """True once the message is gone (including: it already was)."""
        try:
            await client.chat_delete(channel=channel, ts=ts)
            return True
        except DELIVERY_ERRORS as exc:
            code = exc.response.get("error") if isinstance(exc, SlackApiError) else None
            if code == "message_not_found":
                return True
            log_event(log, "could not delete message", logging.WARNING, error=code or type(exc).__name__)
            return False

    async def flag(self, client, team_id: str, user_id: str, number: int) -> Result:
        post = await self._live_post(team_id, number)
        if post is None:
            return Result(False, self._t("post.not_found"))
        flag = await self.store.add_flag(post.id, self.identity.flagger_hash(team_id, user_id))
        if flag is None:
            return Result(True, self._t("post.flag_again", number=number))
        log_event(log, "post flagged", post=post.id)
        if self.on_flag is not None:
            await self.on_flag(client, post, flag)
        return Result(True, self._t("post.flag_thanks", number=number))

    async def on_thread_message(self, channel_id: str, thread_ts: str, ts: str) -> bool:
        post = await self.store.post_by_message(channel_id, thread_ts)
        if post is None or post.status != "posted" or post.author_enc is None:  # purged: nobody to tell
            return False
        await self.store.add_reply(post.id, ts, timedelta(seconds=self.settings.relay_batch_seconds))
        return True

    async def flush_relays(self, client) -> int:
        sent = 0
        for post_id, count, first_ts in await self.store.take_due_relays():
            post = await self.store.get_post(post_id)
            if post is None or post.status != "posted" or post.author_enc is None:
                continue
            permalink = None
            try:
                link = await client.chat_getPermalink(channel=post.channel_id, message_ts=first_ts)
                permalink = link.get("permalink")
            except DELIVERY_ERRORS:
                pass
            message = post_blocks.relay_dm(post.id, count, permalink, post.resolved)
            if await self.posting.tell_poster(client, post, message.text, message.blocks):
                sent += 1
            else:
                # Put it back so the poster hears about it once Slack answers again.
                await self.store.add_reply(post.id, first_ts, timedelta(seconds=self.settings.relay_batch_seconds))
        return sent

    async def mine(self, team_id: str, user_id: str):
        return await self.store.posts_by_author(team_id, self.identity.author_hashes(team_id, user_id))
