"""An in-memory Slack for domain tests: it records the outgoing values the domain
sends (not Block Kit), answers like Slack, and fails on demand. It also checks the
rule that Slack is never called while a database transaction is open."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.gateway import ChannelInfo, GatewayError, NotFound, PostMark, Sent, Team, ThreadMessage


@dataclass
class Sending:
    kind: str  # dm | file | delete_file | post | update | delete | view | home
    team: Team
    where: str  # user (dm, home), channel, or trigger
    value: Any = None
    ts: str = ""
    thread_ts: str | None = None
    mark: PostMark | None = None


@dataclass
class InMemoryGateway:
    store: Any = None  # when given, every call asserts no transaction is open
    channels: dict[str, ChannelInfo] = field(default_factory=dict)
    members: dict[str, set[str]] = field(default_factory=dict)
    admins: set[str] = field(default_factory=set)
    sent: list[Sending] = field(default_factory=list)
    failures: dict[str, list[GatewayError]] = field(default_factory=dict)
    people_replies: dict[str, list[ThreadMessage]] = field(default_factory=dict)
    _ts: Any = field(default_factory=lambda: itertools.count(1))

    def fail_next(self, kind: str, *errors: GatewayError) -> None:
        self.failures.setdefault(kind, []).extend(errors)

    def _enter(self, kind: str) -> None:
        if self.store is not None:
            assert not self.store.in_transaction(), f"Slack called ({kind}) inside a database transaction"
        pending = self.failures.get(kind)
        if pending:
            raise pending.pop(0)

    def _new_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"

    # ---- what tests read ---------------------------------------------------
    def to(self, where: str, kind: str | None = None) -> list[Any]:
        return [s.value for s in self.sent if s.where == where and (kind is None or s.kind == kind)]

    def of_type(self, cls: type) -> list[Sending]:
        return [s for s in self.sent if isinstance(s.value, cls)]

    def live(self, channel: str) -> list[Sending]:
        """Messages still in a channel (posted, not deleted)."""
        gone = {s.ts for s in self.sent if s.kind == "delete" and s.where == channel}
        return [s for s in self.sent if s.kind == "post" and s.where == channel and s.ts not in gone]

    # ---- the Gateway protocol ----------------------------------------------
    async def dm_channel(self, team: Team, user_id: str) -> str:
        self._enter("dm_channel")
        return f"D-{user_id}"

    async def dm(self, team: Team, user_id: str, message: Any, *, channel: str | None = None) -> Sent:
        self._enter("dm")
        sending = Sending("dm", team, user_id, message, self._new_ts())
        self.sent.append(sending)
        return Sent(channel or f"D-{user_id}", sending.ts)

    async def dm_file(self, team: Team, user_id: str, document: Any, *, channel: str | None = None) -> str:
        self._enter("file")
        sending = Sending("file", team, user_id, document, "F" + self._new_ts().replace(".", ""))
        self.sent.append(sending)
        return sending.ts

    async def delete_file(self, team: Team, file_id: str) -> None:
        self._enter("delete_file")
        self.sent.append(Sending("delete_file", team, "", None, file_id))

    async def post(
        self, team: Team, channel: str, message: Any, *, thread_ts: str | None = None, mark: PostMark | None = None
    ) -> Sent:
        self._enter("post")
        sending = Sending("post", team, channel, message, self._new_ts(), thread_ts, mark)
        self.sent.append(sending)
        return Sent(channel, sending.ts)

    async def update(self, team: Team, channel: str, ts: str, message: Any) -> None:
        self._enter("update")
        self.sent.append(Sending("update", team, channel, message, ts))

    async def delete(self, team: Team, channel: str, ts: str) -> None:
        self._enter("delete")
        self.sent.append(Sending("delete", team, channel, None, ts))

    async def find_marked(self, team: Team, channel: str, mark: PostMark, since: datetime) -> list[str]:
        self._enter("find_marked")
        return [s.ts for s in self.live(channel) if s.mark is not None and s.mark == mark]

    async def thread(
        self, team: Team, channel: str, thread_ts: str, *, oldest: str | None = None
    ) -> list[ThreadMessage]:
        """The app's thread posts (their ``text`` attribute, or the value itself) and the
        people's replies tests add to ``people_replies``."""
        self._enter("thread")
        gone = {s.ts for s in self.sent if s.kind == "delete" and s.where == channel}
        out = [
            ThreadMessage(s.ts, str(getattr(s.value, "text", s.value)), True)
            for s in self.sent
            if s.kind == "post" and s.where == channel and s.thread_ts == thread_ts and s.ts not in gone
        ]
        out += [t for t in self.people_replies.get(thread_ts, []) if t.ts not in gone]
        return sorted((t for t in out if oldest is None or float(t.ts) >= float(oldest)), key=lambda t: float(t.ts))

    def person_replies(self, thread_ts: str, text: str) -> str:
        """A colleague replies in a thread as themselves; returns the reply's ts."""
        ts = self._new_ts()
        self.people_replies.setdefault(thread_ts, []).append(ThreadMessage(ts, text, False))
        return ts

    async def open_view(self, team: Team, trigger_id: str, view: Any) -> str:
        self._enter("view")
        self.sent.append(Sending("view", team, trigger_id, view))
        return f"V{len(self.sent)}"

    async def update_view(self, team: Team, view_id: str, view: Any) -> None:
        self._enter("view")
        self.sent.append(Sending("view", team, view_id, view))

    async def publish_home(self, team: Team, user_id: str, view: Any) -> None:
        self._enter("home")
        self.sent.append(Sending("home", team, user_id, view))

    async def is_member(self, team: Team, channel: str, user_id: str) -> bool:
        self._enter("is_member")
        return user_id in self.members.get(channel, set())

    async def channel(self, team: Team, channel: str) -> ChannelInfo:
        self._enter("channel")
        if channel not in self.channels:
            raise NotFound("channel_not_found")
        return self.channels[channel]

    async def join(self, team: Team, channel: str) -> None:
        self._enter("join")
        info = self.channels[channel]
        self.channels[channel] = ChannelInfo(info.id, info.name, info.is_private, True, info.is_direct)

    async def is_admin(self, team: Team, user_id: str) -> bool:
        self._enter("is_admin")
        return user_id in self.admins

    async def permalink(self, team: Team, channel: str, ts: str) -> str | None:
        self._enter("permalink")
        return f"https://example.slack.com/archives/{channel}/p{ts.replace('.', '')}"
