"""The discussion around a post: anonymous replies, relaying thread replies to
the poster, and the poster's own actions — each given the post a button or form names
(``PostRef``: its number in the workspace, or the row id an older button carries), found
among the request's workspace's posts only, with ownership proven only through the keyed
hash. Everything sent names the post by its number in the workspace (``post.number``)."""

from __future__ import annotations

import hashlib
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.consult.model import OwnPost, PostContent, PostRef, PostStatus
from bot.consult.posting import GONE, SENT, Posting, team_of
from bot.consult.words import review_words
from bot.deid.offload import off_loop
from bot.deid.replace import PERSON_PLACEHOLDER_RE
from bot.gateway import Gateway, GatewayError, PostMark, Refused, Team, Unavailable
from bot.identity import Identity
from bot.logs import log_event
from bot.moderation.review import Review
from bot.moderation.workspace import Workspace
from bot.outgoing import ChannelPost, ConsultRecord, RelayNotice, ReplyCheck, ThreadReply
from bot.risk import assess
from bot.storage import models as m
from bot.storage.models import utcnow
from bot.storage.outage import is_database_down
from bot.storage.store import RECORD_FILE, Store
from bot.texts import text

RELAY_ATTEMPTS = 5  # tries of one relay, a worker tick apart, before it is given up
HELD_REPLIES = 10_000  # thread replies kept in memory while the database is down

log = logging.getLogger("bot.discussion")
REPLY_PERSON = PERSON_PLACEHOLDER_RE  # "[Person A]", "[Person A or B]"
# Someone removed from a channel can still reply or flag for this long.
MEMBER_CACHE_SECONDS = 120.0
MEMBER_CACHE_SIZE = 10_000


@dataclass
class Result:
    ok: bool
    message: str  # for the person who acted (ephemeral)
    number: int | None = None  # the post's number, where it was found


MAX_FLAG_REASON = 500


def _t(key: str, **fmt: Any) -> str:
    return text(f"posts.{key}", **fmt)


def own_post(post: m.Post) -> OwnPost:
    question = (post.content or {}).get("question") or ""
    return OwnPost(post.number, PostStatus(post.status), bool(post.resolved), question)


class Discussion:
    def __init__(
        self,
        store: Store,
        identity: Identity,
        gateway: Gateway,
        workspace: Workspace,
        posting: Posting,
        review: Review,
        deid: Callable[[], Any],
        relay_batch_seconds: float,
    ):
        self.store = store
        self.identity = identity
        self.gateway = gateway
        self.workspace = workspace
        self.posting = posting
        self.review = review
        self.deid = deid
        self.relay_window = timedelta(seconds=relay_batch_seconds)
        self._relay_attempts: dict[int, int] = {}  # post id -> failed tries of its waiting relay
        self._held: deque[tuple[str, str, str]] = deque(maxlen=HELD_REPLIES)
        self._members: dict[tuple[str, str, str], float] = {}  # (team, channel, user) -> member until

    async def _live_post(self, team_id: str, ref: PostRef, *, need_text: bool = True) -> m.Post | None:
        """The post (by number, or the row id of an older button or an internal call) if it
        still exists and is this workspace's. need_text=False also finds a post whose text
        retention has purged: it is still in the channel and can be deleted."""
        post = await self.store.find_post(team_id, ref)
        if post is None or post.status in PostStatus.gone() or (need_text and post.content is None):
            return None
        return post

    def owns(self, post: m.Post, team_id: str, user_id: str) -> bool:
        return post.author_hash in self.identity.author_hashes(team_id, user_id)

    async def _deid(self, team_id: str, reply: str, removed_words: tuple[str, ...] = ()) -> Any:
        terms = (await self.workspace.effective(team_id)).terms
        # de-identification is CPU work: off the event loop, so other acks go out meanwhile
        return await off_loop(self.deid().redact, reply, terms=tuple(terms) + tuple(removed_words))

    async def _redact(self, team_id: str, reply: str, removed_words: tuple[str, ...] = ()) -> str:
        redacted = (await self._deid(team_id, reply, removed_words)).text
        # A reply's own letters would read as the post's [Person A]; keep them apart.
        return REPLY_PERSON.sub("[name]", redacted)

    async def shown_number(self, team: Team, ref: PostRef) -> int | str:
        """How people name the post (its number in the workspace), for a message about
        it; "?" when it is not this workspace's."""
        post = await self.store.find_post(team.id, ref)
        return post.number if post is not None else "?"

    async def check_reply(self, team: Team, kind: str, ref: PostRef, reply: str) -> ReplyCheck | None:
        """Before a reply is posted: the words de-identification kept but is unsure
        about, for the writer to check; None when there are none (or no such post: the
        reply is then refused as it is sent)."""
        result = await self._deid(team.id, reply)
        words = review_words([reply], [result])
        if not words:
            return None
        post = await self.store.find_post(team.id, ref)
        if post is None:
            return None
        return ReplyCheck(kind, post.number, reply, REPLY_PERSON.sub("[name]", result.text), words)

    async def _thread_post(self, team: Team, post: m.Post, kind: str, reply: str) -> None:
        assert post.message_ts is not None
        sent = await self.gateway.post(team, post.channel_id, ThreadReply(kind, reply), thread_ts=post.message_ts)
        await self.store.add_post_message(post.id, sent.ts, kind)

    async def is_member(self, team: Team, channel: str, user_id: str) -> bool:
        """Whether the person is in the post's channel (a yes is remembered briefly)."""
        key = (team.id, channel, user_id)
        if self._members.get(key, 0.0) > time.monotonic():
            return True
        if not await self.gateway.is_member(team, channel, user_id):
            return False
        if len(self._members) > MEMBER_CACHE_SIZE:
            self._members.clear()
        self._members[key] = time.monotonic() + MEMBER_CACHE_SECONDS
        return True

    async def _with_risk_note(self, team_id: str, message: str, reply: str) -> str:
        """The writer's confirmation, plus the risk note when the reply describes a risk
        (the reply itself is posted either way)."""
        kind = assess(reply).kind
        if kind is None:
            return message
        res = await self.workspace.risk_resources(team_id)
        on_call = text("risk.card.on_call_set", value=res["on_call"]) if res.get("on_call") else ""
        emergency = f" ({res['emergency']})" if res.get("emergency") else ""
        note = text("risk.reply.note", kind=text(f"risk.kinds.{kind}"), on_call=on_call, emergency=emergency)
        return f"{message}\n\n{note}"

    async def reply_anonymously(
        self, team: Team, user_id: str, ref: PostRef, reply: str, submission: str, removed_words: tuple[str, ...] = ()
    ) -> Result:
        """Posts a de-identified reply in the post's thread. ``submission`` names the
        form it came from: the same form submitted twice (or to two processes) posts once.
        ``removed_words``: words the writer chose to remove as well."""
        post = await self._live_post(team.id, ref)
        if post is None:
            return Result(False, _t("post.not_found"))
        number = post.number
        if post.status != PostStatus.POSTED or not post.message_ts:
            return Result(False, _t("post.not_posted_yet", number=number))
        if await self.store.is_blocked(team.id, self.identity.author_hashes(team.id, user_id)):
            return Result(False, _t("post.reply_blocked"))
        if not await self.is_member(team, post.channel_id, user_id):
            return Result(False, _t("post.not_member", number=number))
        # The key goes into the reply's metadata: made of the post's number, not its row id,
        # which the person who sent the form (knowing its view id) could find by trying ids.
        key = hashlib.sha256(f"{team.id}:{post.number}:{submission}".encode()).hexdigest()[:40]
        row = await self.store.reserve_reply(post.id, self.identity.author_hash(team.id, user_id), key)
        if row is None:
            return Result(True, _t("post.reply_posted", number=number))  # this form's reply is in already
        message = ThreadReply("anonymous", await self._redact(team.id, reply, removed_words), row.number)
        try:
            sent = await self.gateway.post(
                team, post.channel_id, message, thread_ts=post.message_ts, mark=PostMark(post.number, key, row.number)
            )
        except GatewayError:
            await self.store.drop_reply(row.id)
            raise
        await self.store.complete_reply(row.id, sent.ts)
        # The app's own messages raise no event for us: queue the relay here.
        await self.store.add_reply(post.id, sent.ts, self.relay_window)
        return Result(True, await self._with_risk_note(team.id, _t("post.reply_posted", number=number), reply))

    async def remove_reply(self, team: Team, post_id: int, reply_number: int) -> bool:
        """A moderator takes one anonymous reply down; False if there is no such reply."""
        post = await self._live_post(team.id, post_id, need_text=False)
        row = await self.store.reply(post.id, reply_number) if post is not None else None
        if post is None or row is None or row.kind != "anonymous" or not row.ts:
            return False
        if not await self._delete_message(team, post.channel_id, row.ts):
            raise Unavailable("delete_failed")
        # The poster's relay and record DMs may repeat it: they go too (before the reply
        # is marked removed, so that the moderator's retry reaches them).
        if not await self.delete_dms(team, post):
            raise Unavailable("delete_failed")
        await self.store.mark_reply_removed(row.id)
        log_event(log, "reply removed", post=post.id)
        return True

    async def reply_as_poster(
        self, team: Team, user_id: str, ref: PostRef, reply: str, removed_words: tuple[str, ...] = ()
    ) -> Result:
        post = await self._live_post(team.id, ref)
        if post is None:
            return Result(False, _t("post.not_found"))
        number = post.number
        if not self.owns(post, team.id, user_id):
            return Result(False, _t("post.not_owner", number=number))
        if post.status != PostStatus.POSTED:
            return Result(False, _t("post.not_posted_yet", number=number))
        await self._thread_post(team, post, "op", await self._redact(team.id, reply, removed_words))
        return Result(True, await self._with_risk_note(team.id, _t("post.reply_posted", number=number), reply))

    async def resolve(self, team: Team, user_id: str, ref: PostRef, *, resolved: bool = True) -> Result:
        """Marks the post resolved (or, with resolved=False, open again) and updates it in the channel."""
        post = await self._live_post(team.id, ref)
        if post is None:
            return Result(False, _t("post.not_found"))
        number = post.number
        if not self.owns(post, team.id, user_id):
            return Result(False, _t("post.not_owner", number=number))
        await self.store.update_post(post.id, resolved=resolved)
        if post.message_ts:
            message = ChannelPost(post.number, PostContent.from_json(post.content), resolved=resolved)
            await self.gateway.update(team, post.channel_id, post.message_ts, message)
        return Result(True, _t("post.resolved" if resolved else "post.reopened", number=number), number)

    async def reopen(self, team: Team, user_id: str, ref: PostRef) -> Result:
        return await self.resolve(team, user_id, ref, resolved=False)

    async def delete(self, team: Team, user_id: str | None, ref: PostRef, *, status: str = "deleted") -> Result:
        """Deletes the post and the app's thread messages, then purges stored text.
        user_id None: a moderator's removal (checked by the caller)."""
        post = await self._live_post(team.id, ref, need_text=False)
        if post is None:
            return Result(False, _t("post.not_found"))
        number = post.number
        if user_id is not None and not self.owns(post, team.id, user_id):
            return Result(False, _t("post.not_owner", number=number))
        thread = [msg.ts for msg in await self.store.post_messages(post.id)]
        for ts in thread + ([post.message_ts] if post.message_ts else []):
            if not await self._delete_message(team, post.channel_id, ts):
                # Nothing is purged until the channel no longer shows the post.
                return Result(False, _t("post.delete_failed", number=number))
        # The relay and record DMs repeat the thread; the sealed author, needed to find
        # the poster's DM, is purged below, so they go first.
        if not await self.delete_dms(team, post):
            return Result(False, _t("post.delete_failed", number=number))
        if post.review_channel and post.review_ts:
            await self._delete_message(team, post.review_channel, post.review_ts)
        await self.store.purge_post(post.id, status)
        log_event(log, "post purged", post=post.id, status=status)
        return Result(True, _t("post.deleted", number=number))

    async def delete_dms(self, team: Team, post: m.Post) -> bool:
        """Deletes the relay and record DMs of a post from its poster's DM; True once
        none is left. The DM is found from the sealed author, as when they were sent."""
        rows = await self.store.dm_messages(post.id)
        if not rows:
            return True
        user_id = self.identity.unseal(post.author_enc) if post.author_enc else None
        channel = None
        if user_id:
            try:
                channel = await self.gateway.dm_channel(team, user_id)
            except Unavailable as exc:
                log_event(log, "could not open poster's DM", logging.WARNING, post=post.id, error=exc.code)
                return False
            except Refused as exc:  # the poster is gone (deactivated): nobody can read the DM
                log_event(log, "poster's DM gone", logging.WARNING, post=post.id, error=exc.code)
        done = True
        for row in rows:
            if row.kind == RECORD_FILE:
                gone = await self._delete_file(team, row.ts)
            else:
                gone = channel is None or await self._delete_message(team, channel, row.ts)
            if gone:
                await self.store.forget_message(row.id)
            else:
                done = False
        return done

    async def _delete_file(self, team: Team, file_id: str) -> bool:
        """True once the file is gone (including: it already was)."""
        try:
            await self.gateway.delete_file(team, file_id)
            return True
        except (Unavailable, Refused) as exc:
            log_event(log, "could not delete file", logging.WARNING, error=exc.code)
            return False

    async def _delete_message(self, team: Team, channel: str, ts: str) -> bool:
        """True once the message is gone (including: it already was)."""
        try:
            await self.gateway.delete(team, channel, ts)
            return True
        except (Unavailable, Refused) as exc:
            log_event(log, "could not delete message", logging.WARNING, error=exc.code)
            return False

    async def flag(self, team: Team, user_id: str, ref: PostRef, reason: str = "") -> Result:
        """A colleague's flag, with an optional reason (de-identified like a reply;
        moderators see it, never who gave it)."""
        post = await self._live_post(team.id, ref)
        if post is None:
            return Result(False, _t("post.not_found"))
        number = post.number
        if not await self.is_member(team, post.channel_id, user_id):
            return Result(False, _t("post.not_member", number=number))
        reason = " ".join((reason or "").split())[:MAX_FLAG_REASON]
        said = await self._redact(team.id, reason) if reason else None
        newest, *earlier = self.identity.flagger_hashes(team.id, user_id)
        flag = await self.store.add_flag(post.id, newest, earlier, said)
        if flag is None:
            return Result(True, _t("post.flag_again", number=number), number)
        log_event(log, "post flagged", post=post.id)
        await self.review.report_flag(team, post, flag)
        return Result(True, _t("post.flag_thanks", number=number), number)

    async def unflag(self, team: Team, user_id: str, ref: PostRef) -> Result:
        """The flagger takes their flag back (the moderators' notice says so)."""
        post = await self.store.find_post(team.id, ref)
        if post is None:
            return Result(False, _t("post.not_found"))
        number = post.number
        flag = await self.store.withdraw_flag(post.id, self.identity.flagger_hashes(team.id, user_id))
        if flag is None:
            return Result(False, _t("post.flag_not_open", number=number))
        log_event(log, "flag withdrawn", post=post.id)
        await self.review.flag_withdrawn(team, flag, number)
        return Result(True, _t("post.flag_undone", number=number))

    async def on_thread_message(self, channel_id: str, thread_ts: str, ts: str) -> bool:
        try:
            return await self._count_reply(channel_id, thread_ts, ts)
        except Exception as exc:
            if not is_database_down(exc):
                raise
            self.hold_thread_message(channel_id, thread_ts, ts)
            return False

    async def _count_reply(self, channel_id: str, thread_ts: str, ts: str) -> bool:
        post = await self.store.post_by_message(channel_id, thread_ts)
        if post is None or post.status != PostStatus.POSTED or post.author_enc is None:  # purged: nobody to tell
            return False
        await self.store.add_reply(post.id, ts, self.relay_window)
        return True

    def hold_thread_message(self, channel_id: str, thread_ts: str, ts: str) -> None:
        """A thread reply that came while the database was down: kept in memory (where
        it is, never what it says) and counted once the database answers again."""
        self._held.append((channel_id, thread_ts, ts))
        log_event(log, "thread reply held", logging.WARNING, count=len(self._held))

    async def replay_held(self) -> int:
        """Counts the held thread replies, oldest first, until the database fails again."""
        replayed = 0
        while self._held:
            try:
                await self._count_reply(*self._held[0])
            except Exception as exc:
                if is_database_down(exc):
                    break
                self._held.popleft()  # not an outage: retrying would fail the same way
                raise
            self._held.popleft()
            replayed += 1
        return replayed

    async def colleague_replies(self, team: Team, post: m.Post, *, oldest: str | None = None) -> list[str]:
        """What colleagues said in the post's thread, as it stands in the channel now (a
        reply deleted there is not repeated), every one de-identified with today's
        workspace terms. Never who wrote any of them."""
        if not post.message_ts:
            return []
        own = {msg.ts: msg.kind for msg in await self.store.post_messages(post.id)}
        said: list[str] = []
        for msg in await self.gateway.thread(team, post.channel_id, post.message_ts, oldest=oldest):
            if msg.from_app:
                if own.get(msg.ts) == "anonymous" and msg.text.strip():
                    # De-identified when it was posted, and again with today's workspace
                    # terms (a term added since then is removed here too; redaction is idempotent).
                    said.append(await self._redact(team.id, msg.text.strip()))
                continue  # the poster's own replies, notices, other apps
            cleaned = msg.text.strip()
            if cleaned:
                said.append(await self._redact(team.id, cleaned))
        return said

    async def _relayed_replies(self, team: Team, post: m.Post, count: int, first_ts: str) -> tuple[str, ...]:
        """The replies this relay is about (the first ``count`` from ``first_ts`` on);
        none when Slack does not answer, so the count and link still go out."""
        try:
            return tuple((await self.colleague_replies(team, post, oldest=first_ts))[:count])
        except (Unavailable, Refused):
            return ()

    async def flush_relays(self) -> int:
        await self.replay_held()
        sent = 0
        for post_id, count, first_ts in await self.store.take_due_relays():
            try:
                sent += await self._relay(post_id, count, first_ts)
            except Exception as exc:
                # Taken relays are at count 0 in the database: one that fails unexpectedly
                # is put back, and the others of this tick still go out.
                log_event(log, "relay failed", logging.ERROR, post=post_id, error=type(exc).__name__)
                await self._retry_later(post_id, count, first_ts, "error")
        return sent

    async def _retry_later(self, post_id: int, count: int, first_ts: str, reason: str, give_up: bool = False) -> None:
        attempts = self._relay_attempts.get(post_id, 0) + 1
        if give_up or attempts >= RELAY_ATTEMPTS:
            # Bounded: a deactivated poster is not retried forever; moderators see it in status.
            self._relay_attempts.pop(post_id, None)
            log_event(log, "relay given up", logging.WARNING, post=post_id, attempt=attempts, reason=reason)
            post = await self.store.get_post(post_id)
            if post is not None:
                await self.store.record_relay_given_up(post.team_id, post.number)
            return
        # Put it back so the poster hears about it once Slack answers again.
        self._relay_attempts[post_id] = attempts
        await self.store.put_back_relay(post_id, count, first_ts, utcnow() + self.relay_window)

    async def _relay(self, post_id: int, count: int, first_ts: str) -> int:
        """Sends one taken relay; 1 when it went out."""
        post = await self.store.get_post(post_id)
        if post is None or post.status != PostStatus.POSTED or post.author_enc is None:
            await self.store.drop_relay(post_id)
            return 0
        team = team_of(post)
        try:
            permalink = await self.gateway.permalink(team, post.channel_id, first_ts)
        except (Unavailable, Refused):
            permalink = None
        replies = await self._relayed_replies(team, post, count, first_ts)
        notice = RelayNotice(post.number, count, permalink, bool(post.resolved), replies)
        outcome = await self.posting.reach_poster(team, post, notice, keep_as="relay")
        if outcome == SENT:
            self._relay_attempts.pop(post.id, None)
            return 1
        await self._retry_later(post.id, count, first_ts, outcome, give_up=outcome == GONE)
        return 0

    async def record(self, team: Team, user_id: str, ref: PostRef) -> Result:
        """Sends the poster a de-identified record of the consultation (in their DM):
        the post and the replies as they stand in the channel, and the outcome."""
        post = await self._live_post(team.id, ref, need_text=False)
        if post is None:
            return Result(False, _t("post.not_found"))
        number = post.number
        if not self.owns(post, team.id, user_id):
            return Result(False, _t("post.not_owner", number=number))
        if post.content is None:
            return Result(False, _t("record.purged", number=number))
        if post.status != PostStatus.POSTED:
            return Result(False, _t("post.not_posted_yet", number=number))
        try:
            replies = await self.colleague_replies(team, post)
        except (Unavailable, Refused):
            return Result(False, _t("record.unavailable", number=number))
        posted = post.posted_at or post.created_at
        record = ConsultRecord(
            post.number,
            posted.date().isoformat(),
            utcnow().date().isoformat(),
            PostContent.from_json(post.content),
            tuple(replies),
            bool(post.resolved),
        )
        sent = await self.gateway.dm(team, user_id, record)
        await self.store.add_post_message(post.id, sent.ts, "record")
        log_event(log, "record sent", post=post.id)
        # The same record as a file to download and keep. The text above already arrived:
        # a workspace that has not granted files:write yet (an older install) still has it.
        try:
            file_id = await self.gateway.dm_file(team, user_id, record, channel=sent.channel)
        except GatewayError as exc:
            log_event(log, "record file not sent", logging.WARNING, post=post.id, error=exc.code)
            return Result(True, _t("record.sent_text_only", number=number))
        await self.store.add_post_message(post.id, file_id, RECORD_FILE)
        return Result(True, _t("record.sent", number=number))

    async def mine(self, team_id: str, user_id: str) -> list[OwnPost]:
        posts = await self.store.posts_by_author(team_id, self.identity.author_hashes(team_id, user_id))
        return [own_post(p) for p in posts]
