"""The one door between the domain and Slack.

The domain (consult/, moderation/) says *what* to send — an outgoing value from
``bot.outgoing`` — and *where*; a gateway renders it and calls Slack. Only the
gateway implementation (``bot.slack.gateway``) knows slack_sdk, Block Kit and
Slack's error codes; the domain sees three kinds of failure:

- ``Unavailable``: Slack did not answer, or asked us to wait — try again later;
- ``Refused``: Slack answered no, and waiting will not change that (the channel is
  archived, the bot was removed…) — ``code`` says which;
- ``NotFound``: the message or channel is not there (a delete of a message that is
  already gone is not an error: ``delete`` returns normally).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class Team:
    """A workspace, and its Enterprise Grid organisation where there is one."""

    id: str
    enterprise_id: str | None = None
    is_enterprise_install: bool = False


class GatewayError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class Unavailable(GatewayError):
    """No answer, a rate limit or a server error: the same call may work later."""


class Refused(GatewayError):
    """Slack will not do this however long we wait."""


class NotFound(Refused):
    """The channel, message or user is not there (or not visible to the app)."""


@dataclass(frozen=True)
class Sent:
    channel: str
    ts: str


@dataclass(frozen=True)
class ChannelInfo:
    id: str
    name: str
    is_private: bool
    is_member: bool
    is_direct: bool = False


@dataclass(frozen=True)
class ThreadMessage:
    """One reply in a thread, as the domain needs it: never who wrote it.
    ``from_app``: the app's own message (its ``text`` is the body it posted);
    otherwise a person's message, as plain words (mentions of people made "[name]")."""

    ts: str
    text: str
    from_app: bool


@dataclass(frozen=True)
class PostMark:
    """Invisible metadata on a channel post (or one of the app's thread replies), so that
    the app can find its own message again after a lost answer. It names the post by its
    number in the workspace, never its row id (members can read a message's metadata)."""

    number: int  # the post's number in its workspace
    key: str | None = None  # a random idempotency key that nothing else shows: what finds the message
    reply: int | None = None  # an anonymous reply's number within the post


class Gateway(Protocol):
    async def dm(self, team: Team, user_id: str, message: Any, *, channel: str | None = None) -> Sent:
        """Sends a message to a person's DM with the app (``channel``: the DM, when known)."""
        ...

    async def dm_channel(self, team: Team, user_id: str) -> str:
        """The ID of a person's DM with the app (opened if need be)."""
        ...

    async def dm_file(self, team: Team, user_id: str, document: Any, *, channel: str | None = None) -> str:
        """Shares a text file in a person's DM with the app; returns the file's ID."""
        ...

    async def delete_file(self, team: Team, file_id: str) -> None:
        """Deletes a file the app shared; returns normally when it was already gone."""
        ...

    async def post(
        self, team: Team, channel: str, message: Any, *, thread_ts: str | None = None, mark: PostMark | None = None
    ) -> Sent:
        """Posts a message (in a thread with ``thread_ts``). With a ``mark`` the post is
        never retried blindly: when Slack's answer is lost, the gateway looks for the
        marked message first and returns it if Slack did store it."""
        ...

    async def update(self, team: Team, channel: str, ts: str, message: Any) -> None: ...

    async def delete(self, team: Team, channel: str, ts: str) -> None:
        """Deletes a message; returns normally when it was already gone."""
        ...

    async def find_marked(
        self, team: Team, channel: str, mark: PostMark, since: datetime, *, thread_ts: str | None = None
    ) -> list[str]:
        """The ts of every message in ``channel`` (or in the thread ``thread_ts``) since
        ``since`` that carries ``mark``, oldest first."""
        ...

    async def thread(
        self, team: Team, channel: str, thread_ts: str, *, oldest: str | None = None
    ) -> list[ThreadMessage]:
        """The replies under ``thread_ts`` (not the parent), oldest first; from ``oldest``
        on (inclusive) when given."""
        ...

    async def open_view(self, team: Team, trigger_id: str, view: Any) -> str:
        """Opens a modal; returns its view ID."""
        ...

    async def update_view(self, team: Team, view_id: str, view: Any) -> None: ...

    async def publish_home(self, team: Team, user_id: str, view: Any) -> None: ...

    async def is_member(self, team: Team, channel: str, user_id: str) -> bool: ...

    async def channel(self, team: Team, channel: str) -> ChannelInfo: ...

    async def join(self, team: Team, channel: str) -> None: ...

    async def is_admin(self, team: Team, user_id: str) -> bool:
        """Workspace admin or owner (raises Unavailable when Slack does not say)."""
        ...

    async def permalink(self, team: Team, channel: str, ts: str) -> str | None: ...
