"""The gateway to Slack's Web API: renders the domain's outgoing values, calls
Slack, and sorts its failures into the domain's three kinds (``bot.gateway``)."""

from __future__ import annotations

import re
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.render import Renderer
from bot.gateway import ChannelInfo, GatewayError, NotFound, PostMark, Refused, Sent, Team, ThreadMessage, Unavailable
from bot.mrkdwn import unescape

METADATA_TYPE = "boundary_consult_post"
NOT_FOUND = {
    "channel_not_found",
    "message_not_found",
    "user_not_found",
    "thread_not_found",
    "not_found",
    "file_not_found",
    "file_deleted",
}
# Slack errors that waiting will not cure.
REFUSED = {
    "not_in_channel",
    "is_archived",
    "channel_is_archived",
    "invalid_blocks",
    "msg_too_long",
    "restricted_action",
    "cannot_reply_to_message",
    "cant_delete_message",
    "cant_update_message",
    "edit_window_closed",
    "method_not_supported_for_channel_type",
    "missing_scope",
    "not_allowed_token_type",
    "invalid_arguments",
    "invalid_metadata_format",
    "invalid_metadata_schema",
    "expired_trigger_id",
    "invalid_trigger_id",
    "exchanged_trigger_id",
    "user_is_bot",
    "cannot_dm_bot",
    "user_disabled",
    "account_inactive",
    "invalid_auth",
    "not_authed",
    "token_revoked",
    "no_permission",
}
TRANSIENT = (OSError, TimeoutError, aiohttp.ClientError, SlackClientError)
DM_CACHE = 2048
# How far back to look for a marked message whose answer was lost.
LOST_ANSWER_WINDOW = timedelta(minutes=5)

# Thread messages that carry what someone said (a reply with a file still has its words).
SAID_SUBTYPES = {None, "thread_broadcast", "bot_message", "file_share", "me_message"}

ClientFor = Callable[[Team], Awaitable[AsyncWebClient]]


def classify(exc: BaseException) -> GatewayError:
    if isinstance(exc, SlackApiError):
        code = str((exc.response or {}).get("error") or f"http_{exc.response.status_code}")
        if code in NOT_FOUND:
            return NotFound(code)
        if code in REFUSED:
            return Refused(code)
        return Unavailable(code)
    return Unavailable(type(exc).__name__)


def without_blind_retries(client: AsyncWebClient) -> AsyncWebClient:
    """The same client, retrying only what Slack did not process (429): after a
    server error or a lost connection Slack may have stored the message."""
    return AsyncWebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        session=client.session,
        headers=client.headers,
        ssl=client.ssl,
        proxy=client.proxy,
        retry_handlers=[h for h in client.retry_handlers if isinstance(h, AsyncRateLimitErrorRetryHandler)],
    )


_MENTION = re.compile(r"<([@#!])([^|>]*)(?:\|([^>]*))?>")
_LINK = re.compile(r"<([^@#!][^|>]*)(?:\|([^>]*))?>")


def plain_of(mrkdwn: str) -> str:
    """A person's message as plain words: a mention of someone becomes "[name]" (it
    would name a colleague), a channel its #name, a link its label; entities decoded."""

    def mention(m: re.Match) -> str:
        kind, target, label = m.group(1), m.group(2), m.group(3)
        if kind == "@":
            return "[name]"
        if kind == "#":
            return f"#{label}" if label else "#channel"
        return f"@{label or target.split('^')[0]}"

    out = _MENTION.sub(mention, mrkdwn)
    out = _LINK.sub(lambda m: m.group(2) or m.group(1), out)
    return unescape(out)


def _posted_body(msg: dict) -> str:
    """The user text of one of the app's thread messages: its plain_text sections (the
    renderer shows user text only as plain_text, below an app-made mrkdwn label)."""
    parts = [
        str((b.get("text") or {}).get("text") or "")
        for b in msg.get("blocks") or []
        if b.get("type") == "section" and (b.get("text") or {}).get("type") == "plain_text"
    ]
    return "\n".join(p for p in parts if p.strip()) if parts else str(msg.get("text") or "")


def _carries(payload: dict, mark: PostMark) -> bool:
    """Whether a message's metadata is this mark: its random key when the mark has one (a
    message sent before numbering carried {"post_id": row id, "key": …}: found all the
    same), else the post's number (and reply) in the workspace, in the channel searched."""
    if mark.key is not None:
        return payload.get("key") == mark.key
    return "key" not in payload and payload.get("post") == mark.number and payload.get("reply") == mark.reply


class WebApiGateway:
    def __init__(self, client_for: ClientFor, renderer: Renderer):
        self._client_for = client_for
        self.renderer = renderer
        self._dm_channels: OrderedDict[tuple[str, str], str] = OrderedDict()
        # Keyed by the client itself (weakly): with OAuth each workspace has its own.
        self._careful: weakref.WeakKeyDictionary[AsyncWebClient, AsyncWebClient] = weakref.WeakKeyDictionary()

    async def _call(self, team: Team, method: str, *, careful: bool = False, **kwargs: Any) -> Any:
        try:
            client = await self._client_for(team)
            if careful:
                if client not in self._careful:
                    self._careful[client] = without_blind_retries(client)
                client = self._careful[client]
            return await getattr(client, method.replace(".", "_"))(**kwargs)
        except (SlackApiError, *TRANSIENT) as exc:
            raise classify(exc) from None

    def _message_kwargs(self, team: Team, message: Any) -> dict[str, Any]:
        return self.renderer.message(message, team.id).kwargs()

    async def _dm_channel(self, team: Team, user_id: str) -> str:
        key = (team.id, user_id)
        channel = self._dm_channels.get(key)
        if channel is None:
            resp = await self._call(team, "conversations.open", users=user_id)
            channel = resp["channel"]["id"]
            self._dm_channels[key] = channel
            if len(self._dm_channels) > DM_CACHE:
                self._dm_channels.popitem(last=False)
        return channel

    async def dm_channel(self, team: Team, user_id: str) -> str:
        return await self._dm_channel(team, user_id)

    async def dm(self, team: Team, user_id: str, message: Any, *, channel: str | None = None) -> Sent:
        channel = channel or await self._dm_channel(team, user_id)
        resp = await self._call(
            team,
            "chat.postMessage",
            channel=channel,
            unfurl_links=False,
            unfurl_media=False,
            **self._message_kwargs(team, message),
        )
        return Sent(resp["channel"], resp["ts"])

    async def dm_file(self, team: Team, user_id: str, document: Any, *, channel: str | None = None) -> str:
        doc = self.renderer.document(document)
        channel = channel or await self._dm_channel(team, user_id)
        # files_upload_v2: an upload URL, the bytes, then the file completed into the DM.
        resp = await self._call(
            team, "files_upload_v2", channel=channel, content=doc.text, filename=doc.filename, title=doc.title
        )
        return str(resp["file"]["id"])

    async def delete_file(self, team: Team, file_id: str) -> None:
        try:
            await self._call(team, "files.delete", file=file_id)
        except NotFound:
            pass

    async def post(
        self, team: Team, channel: str, message: Any, *, thread_ts: str | None = None, mark: PostMark | None = None
    ) -> Sent:
        extra: dict[str, Any] = {}
        if thread_ts:
            extra["thread_ts"] = thread_ts
        if mark is not None:
            payload: dict[str, Any] = {"post": mark.number}
            if mark.reply is not None:
                payload["reply"] = mark.reply
            if mark.key:
                payload["key"] = mark.key
            extra["metadata"] = {"event_type": METADATA_TYPE, "event_payload": payload}
        kwargs = dict(
            channel=channel, unfurl_links=False, unfurl_media=False, **self._message_kwargs(team, message), **extra
        )
        if mark is None:
            resp = await self._call(team, "chat.postMessage", **kwargs)
            return Sent(resp["channel"], resp["ts"])
        started = datetime.now(UTC)
        try:
            resp = await self._call(team, "chat.postMessage", careful=True, **kwargs)
            return Sent(resp["channel"], resp["ts"])
        except Unavailable as lost:
            try:
                found = await self.find_marked(team, channel, mark, started - LOST_ANSWER_WINDOW, thread_ts=thread_ts)
            except GatewayError:
                raise lost from None
            if not found:
                raise
            return Sent(channel, found[0])

    async def update(self, team: Team, channel: str, ts: str, message: Any) -> None:
        await self._call(team, "chat.update", channel=channel, ts=ts, **self._message_kwargs(team, message))

    async def delete(self, team: Team, channel: str, ts: str) -> None:
        try:
            await self._call(team, "chat.delete", channel=channel, ts=ts)
        except NotFound as exc:
            if exc.code != "message_not_found":
                raise

    async def find_marked(
        self, team: Team, channel: str, mark: PostMark, since: datetime, *, thread_ts: str | None = None
    ) -> list[str]:
        found: list[str] = []
        cursor = None
        if since.tzinfo is None:  # a naive time would be read as the server's local time
            since = since.replace(tzinfo=UTC)
        where: dict[str, Any] = {"ts": thread_ts} if thread_ts else {}
        while True:
            resp = await self._call(
                team,
                "conversations.replies" if thread_ts else "conversations.history",
                channel=channel,
                oldest=f"{since.timestamp():.6f}",
                include_all_metadata=True,
                limit=200,
                cursor=cursor,
                **where,
            )
            for msg in resp.get("messages", []):
                meta = msg.get("metadata") or {}
                payload = meta.get("event_payload") or {}
                if meta.get("event_type") == METADATA_TYPE and _carries(payload, mark):
                    found.append(msg["ts"])
            cursor = (resp.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return sorted(found, key=float)

    async def thread(
        self, team: Team, channel: str, thread_ts: str, *, oldest: str | None = None
    ) -> list[ThreadMessage]:
        out: list[ThreadMessage] = []
        cursor = None
        where: dict[str, Any] = {"oldest": oldest, "inclusive": True} if oldest else {}
        while True:
            resp = await self._call(
                team, "conversations.replies", channel=channel, ts=thread_ts, limit=200, cursor=cursor, **where
            )
            for msg in resp.get("messages", []):
                if msg.get("ts") == thread_ts or msg.get("subtype") not in SAID_SUBTYPES:
                    continue  # the parent, and joins, tombstones and the like
                if msg.get("bot_id"):
                    out.append(ThreadMessage(str(msg["ts"]), _posted_body(msg), True))
                else:
                    out.append(ThreadMessage(str(msg["ts"]), plain_of(str(msg.get("text") or "")), False))
            cursor = (resp.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return sorted(out, key=lambda t: float(t.ts))

    async def open_view(self, team: Team, trigger_id: str, view: Any) -> str:
        resp = await self._call(team, "views.open", trigger_id=trigger_id, view=self.renderer.view(view, team.id))
        return str((resp.get("view") or {}).get("id") or "")

    async def update_view(self, team: Team, view_id: str, view: Any) -> None:
        await self._call(team, "views.update", view_id=view_id, view=self.renderer.view(view, team.id))

    async def publish_home(self, team: Team, user_id: str, view: Any) -> None:
        await self._call(team, "views.publish", user_id=user_id, view=self.renderer.view(view, team.id))

    async def is_member(self, team: Team, channel: str, user_id: str) -> bool:
        cursor = None
        while True:
            resp = await self._call(team, "conversations.members", channel=channel, limit=1000, cursor=cursor)
            if user_id in (resp.get("members") or []):
                return True
            cursor = (resp.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return False

    async def channel(self, team: Team, channel: str) -> ChannelInfo:
        info = (await self._call(team, "conversations.info", channel=channel))["channel"]
        return ChannelInfo(
            id=str(info.get("id") or channel),
            name=str(info.get("name") or channel),
            is_private=bool(info.get("is_private")),
            is_member=bool(info.get("is_member")),
            is_direct=bool(info.get("is_im") or info.get("is_mpim")),
        )

    async def join(self, team: Team, channel: str) -> None:
        await self._call(team, "conversations.join", channel=channel)

    async def is_admin(self, team: Team, user_id: str) -> bool:
        user = (await self._call(team, "users.info", user=user_id)).get("user") or {}
        if team.is_enterprise_install:
            # An org-wide install keeps one organisation's data: an admin of any one of its
            # workspaces is not thereby a moderator of all of them; the organisation's are.
            org = user.get("enterprise_user") or {}
            return bool(org.get("is_admin") or org.get("is_owner"))
        return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))

    async def permalink(self, team: Team, channel: str, ts: str) -> str | None:
        resp = await self._call(team, "chat.getPermalink", channel=channel, message_ts=ts)
        return resp.get("permalink")
