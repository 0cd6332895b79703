"""The workspace the fake holds (users, channels, messages, modals, homes) and how tests read it."""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from aiohttp import ClientSession, web

from bot.sandbox import signing
from bot.sandbox.socket_mode import SocketModeStandIn

log = logging.getLogger(__name__)

# Exactly the bot scopes of manifest.yml (tests/unit/test_manifest.py keeps them equal):
# a call the app's real install could not make fails here too, with missing_scope.
BOT_SCOPES = [
    "commands",
    "chat:write",
    "im:write",
    "im:history",
    "channels:history",
    "groups:history",
    "channels:read",
    "groups:read",
    "channels:join",
    "users:read",
    "files:write",
]

DEFAULT_USERS: list[dict] = [
    {"id": "U0PRACT", "name": "pat", "real_name": "Pat Rivera (practitioner)"},
    {"id": "U0COLL1", "name": "sam", "real_name": "Sam Okafor (colleague)"},
    {"id": "U0COLL2", "name": "alex", "real_name": "Alex Lindqvist (colleague)"},
    {"id": "U0MOD", "name": "morgan", "real_name": "Morgan Chen (moderator)", "is_admin": True},
]

DEFAULT_CHANNELS: list[dict] = [
    {"id": "C0GENERAL", "name": "general", "is_private": False, "is_member": False},
    {"id": "C0CONSULT", "name": "peer-consult", "is_private": False, "is_member": True},
    {"id": "G0REVIEW", "name": "consult-review", "is_private": True, "is_member": True, "members": ["U0MOD"]},
    # a private channel the app is not in (and no sandbox person either): for not_in_channel
    {"id": "G0PRIVATE", "name": "staff-lounge", "is_private": True, "is_member": False, "members": []},
]

MANIFEST = Path(__file__).resolve().parents[3] / "manifest.yml"
# A typed #name or @name (not inside an already escaped <#C…|name> or <@U…>), as Slack spots them.
_TYPED_MENTION = re.compile(r"(?<![<\w|@#])([#@])(\w(?:[\w.\-]*\w)?)")


def escaped_commands(manifest: Path = MANIFEST) -> set[str]:
    """The slash commands the manifest marks ``should_escape: true``: Slack turns the
    channels and people typed in them into mentions before sending them to the app."""
    try:
        data = yaml.safe_load(manifest.read_text()) or {}
    except OSError:
        return set()
    commands = ((data.get("features") or {}).get("slash_commands")) or []
    return {str(c.get("command")) for c in commands if isinstance(c, dict) and c.get("should_escape")}


MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100
MESSAGE_TEXT_MAX = 40_000  # chat.* and response_url text: longer is msg_too_long
FILE_SIZE_MAX = 1024 * 1024 * 1024  # files.getUploadURLExternal: Slack takes files up to 1 GB
TRIGGER_SECONDS = 3.0  # a trigger_id opens one modal, within 3 s of the click
RESPONSE_URL_SECONDS = 30 * 60  # a response_url takes 5 posts within 30 minutes
RESPONSE_URL_USES = 5
# Web API method -> the bot scopes that allow it (any one); methods whose scope depends
# on the kind of channel check it themselves (State._need_for).
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "chat.postMessage": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.update": ("chat:write",),
    "chat.delete": ("chat:write",),
    "conversations.open": ("im:write",),
    "conversations.join": ("channels:join",),
    "users.info": ("users:read",),
    "users.list": ("users:read",),
    "files.getUploadURLExternal": ("files:write",),
    "files.completeUploadExternal": ("files:write",),
    "files.delete": ("files:write",),
}
# what reading a kind of channel needs: (its *:read scope, its *:history scope)
CHANNEL_SCOPES = {
    "public_channel": ("channels:read", "channels:history"),
    "private_channel": ("groups:read", "groups:history"),
    "im": ("im:read", "im:history"),
    "mpim": ("mpim:read", "mpim:history"),
}
# the keys slack_sdk sends as JSON strings inside form bodies
_JSON_ARGS = ("blocks", "view", "metadata", "attachments", "users_list", "files")


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


@dataclass
class Call:
    """One Web API call (or a ``response_url`` post) as the stand-in received it."""

    method: str
    args: dict
    status: int = 200
    response: dict | None = None
    token: str | None = None

    @property
    def ok(self) -> bool:
        return bool(self.response and self.response.get("ok"))


@dataclass
class Delivery:
    """One request the stand-in sent to the app (event, command, interaction)."""

    kind: str  # "event" | "command" | "block_actions" | "view_submission" | "view_closed"
    body: str
    headers: dict
    status: int | None = None  # None: no answer (timeout / connection error)
    response_text: str = ""
    error: str | None = None
    payload: dict = field(default_factory=dict)

    @property
    def response_json(self) -> dict | None:
        if not self.response_text:
            return None
        try:
            value = json.loads(self.response_text)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None


class SlackApiError(Exception):
    """Raised inside a method handler: answered as ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, **extra: Any):
        super().__init__(error)
        self.error = error
        self.extra = extra


class State:
    """The workspace the fake holds (users, channels, messages, modals, homes) and how tests read it."""

    def __init__(
        self,
        *,
        team_id: str = "T0SANDBOX",
        bot_user_id: str = "U0BOT",
        users: list[dict] | None = None,
        channels: list[dict] | None = None,
        team_domain: str = "sandbox",
        team_name: str = "Sandbox",
        bot_id: str = "B0BOT",
        app_id: str = signing.DEFAULT_APP_ID,
        bot_name: str = "boundary-consult",
        scopes: list[str] | None = None,
        valid_tokens: set[str] | None = None,
        events_url: str | None = None,
        signing_secret: str | None = None,
        deliver_bot_messages: bool = True,
        ack_timeout: float = 3.0,
        permalink_base: str | None = None,
        escape_commands: set[str] | None = None,
        enterprise_id: str | None = None,
        org_install: bool = False,
    ):
        self.team_id = team_id
        # Enterprise Grid: the organisation this workspace is in, and whether the app is
        # installed org-wide (what every request the fake sends then says)
        self.enterprise_id = enterprise_id
        self.org_install = bool(org_install and enterprise_id)
        self.team_domain = team_domain
        self.team_name = team_name
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.bot_name = bot_name
        self.scopes = list(BOT_SCOPES if scopes is None else scopes)
        self.valid_tokens = valid_tokens  # None: any xoxb- token is accepted
        self.events_url = events_url
        self.signing_secret = signing_secret
        self.socket_mode_url: str | None = None  # what apps.connections.open answers
        # Set: requests reach the app as envelopes over this Socket Mode stand-in, not over HTTP.
        self.socket_mode: SocketModeStandIn | None = None
        self.revoked_tokens: set[str] = set()  # answered invalid_auth (an app token revoked, say)
        self.deliver_bot_messages = deliver_bot_messages
        self.ack_timeout = ack_timeout
        self.permalink_base = permalink_base or f"https://{team_domain}.slack.com/"
        self.escape_commands = escaped_commands() if escape_commands is None else set(escape_commands)
        self._initial_users = copy.deepcopy(DEFAULT_USERS if users is None else users)
        self._initial_channels = copy.deepcopy(DEFAULT_CHANNELS if channels is None else channels)
        self.calls: list[Call] = []
        self.deliveries: list[Delivery] = []
        self._failures: dict[str, list[tuple[int | str, int]]] = {}
        self._lost_answers: dict[str, list[str]] = {}
        self._holds: dict[str, int] = {}
        self._held = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None
        self._tasks: set[asyncio.Task] = set()
        self.base_url: str | None = None
        self._listeners: list[Callable[[str], None]] = []
        self._last_actor: str | None = None  # who acted last
        self._skew = 0.0  # advance(): the fake's clock runs ahead of the real one by this much
        self.reset()

    def reset(self) -> None:
        """Forget all messages, views and recorded calls; keep users, channels and settings."""
        self.users: dict[str, dict] = {}
        for u in self._initial_users:
            self.users[u["id"]] = self._full_user(u)
        self.users.setdefault(
            self.bot_user_id,
            self._full_user(
                {"id": self.bot_user_id, "name": self.bot_name, "real_name": "Boundary Consult", "is_bot": True}
            ),
        )
        self.channels: dict[str, dict] = {}
        for c in self._initial_channels:
            ch = {
                "id": c["id"],
                "name": c["name"],
                "is_private": bool(c.get("is_private", False)),
                "is_im": False,
                "is_member": bool(c.get("is_member", True)),
                "members": list(c["members"]) if "members" in c else [u["id"] for u in self._initial_users],
                "topic": c.get("topic", ""),
                "purpose": c.get("purpose", ""),
                "created": 1700000000,
            }
            if ch["is_member"] and self.bot_user_id not in ch["members"]:
                ch["members"].append(self.bot_user_id)
            self.channels[ch["id"]] = ch
        self._messages: dict[str, list[dict]] = {}
        self.files: dict[str, dict] = {}  # files.*: uploads and files shared in channels
        self._ephemerals: dict[str, list[dict]] = {}
        self._views: dict[str, list[dict]] = {}
        self._view_errors: dict[str, dict] = {}
        self._homes: dict[str, dict] = {}
        self._response_urls: dict[str, dict] = {}
        self._triggers: dict[str, dict] = {}
        self._last_ts = 0
        self._ids = itertools.count(1)
        self.calls.clear()
        self.deliveries.clear()
        self._failures.clear()
        self._holds.clear()
        self._changed()

    def _full_user(self, u: dict) -> dict:
        name = u.get("name") or u["id"].lower()
        real = u.get("real_name") or name
        user = self._user_fields(u, name, real)
        if self.enterprise_id:  # Enterprise Grid: the organisation's own roles, apart from the workspace's
            user["enterprise_user"] = {
                "id": u["id"],
                "enterprise_id": self.enterprise_id,
                "enterprise_name": f"{self.enterprise_id} org",
                "is_admin": bool(u.get("is_org_admin", False)),
                "is_owner": bool(u.get("is_org_owner", False)),
                "teams": [self.team_id],
            }
        return user

    def _user_fields(self, u: dict, name: str, real: str) -> dict:
        return {
            "id": u["id"],
            "team_id": self.team_id,
            "name": name,
            "real_name": real,
            "deleted": False,
            "is_admin": bool(u.get("is_admin", False)),
            "is_owner": bool(u.get("is_owner", False)),
            "is_primary_owner": bool(u.get("is_primary_owner", False)),
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": bool(u.get("is_bot", False)),
            "is_app_user": False,
            "tz": u.get("tz", "Europe/London"),
            "tz_offset": 0,
            "profile": {
                "real_name": real,
                "display_name": u.get("display_name", name),
                "image_48": "",
                "team": self.team_id,
            },
        }

    def on_change(self, callback: Callable[[str], None]) -> None:
        """``callback(reason)`` runs after every state change (used by the sandbox page's SSE)."""
        self._listeners.append(callback)

    def _changed(self, reason: str = "state") -> None:
        for cb in list(getattr(self, "_listeners", [])):
            try:
                cb(reason)
            except Exception:  # pragma: no cover - a listener must not break Slack
                log.exception("sandbox change listener failed")

    def _new_ts(self) -> str:
        now = int(time.time() * 1_000_000)
        self._last_ts = max(now, self._last_ts + 1)
        return f"{self._last_ts // 1_000_000}.{self._last_ts % 1_000_000:06d}"

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):06d}{secrets.token_hex(2).upper()}"

    def dm_channel(self, user: str) -> str:
        """The id of the app's DM with ``user`` (created on first use)."""
        cid = "D" + user
        if cid not in self.channels:
            self.channels[cid] = {
                "id": cid,
                "name": cid,
                "is_private": True,
                "is_im": True,
                "user": user,
                "is_member": True,
                "members": [user, self.bot_user_id],
                "created": int(time.time()),
            }
        return cid

    def channel_type(self, channel: str) -> str:
        ch = self.channels.get(channel) or {}
        if ch.get("is_im"):
            return "im"
        return "group" if ch.get("is_private") else "channel"

    def _all(self, channel: str) -> list[dict]:
        return self._messages.setdefault(channel, [])

    def _find(self, channel: str, ts: str) -> dict | None:
        for m in self._messages.get(channel, []):
            if m["ts"] == ts:
                return m
        return None

    def messages(self, channel: str) -> list[dict]:
        """Top-level messages of ``channel``, oldest first (thread replies excluded)."""
        return [
            copy.deepcopy(m)
            for m in self._messages.get(channel, [])
            if m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast"
        ]

    def all_messages(self, channel: str) -> list[dict]:
        """Every message of ``channel``, thread replies included, oldest first."""
        return copy.deepcopy(self._messages.get(channel, []))

    def replies(self, channel: str, ts: str) -> list[dict]:
        """The thread under ``ts``: the parent first, then its replies (like conversations.replies)."""
        parent = self._find(channel, ts)
        if parent is None:
            return []
        root = parent.get("thread_ts") or parent["ts"]
        return [
            copy.deepcopy(m)
            for m in self._messages.get(channel, [])
            if m["ts"] == root or (m.get("thread_ts") == root and m.get("subtype") != "thread_broadcast")
        ]

    def ephemerals(self, user: str) -> list[dict]:
        return copy.deepcopy(self._ephemerals.get(user, []))

    def views(self, user: str) -> list[dict]:
        """The user's open modal stack, bottom first."""
        return copy.deepcopy(self._views.get(user, []))

    def view_errors(self, view_id: str) -> dict:
        """Field errors the app returned for the last submission of ``view_id``."""
        return dict(self._view_errors.get(view_id, {}))

    def home(self, user: str) -> dict | None:
        v = self._homes.get(user)
        return copy.deepcopy(v) if v else None

    def dismiss_ephemeral(self, user: str, ts: str) -> None:
        self._ephemerals[user] = [e for e in self._ephemerals.get(user, []) if e["ts"] != ts]
        self._changed("ephemeral")

    def _channel(self, channel: Any, *, post: bool = False) -> dict:
        if not channel or not isinstance(channel, str):
            raise SlackApiError("channel_not_found")
        if channel[0] in "UW" and channel in self.users:
            channel = self.dm_channel(channel)
        if channel.startswith("D") and channel[1:] in self.users:
            self.dm_channel(channel[1:])
        ch = self.channels.get(channel)
        if ch is None:
            raise SlackApiError("channel_not_found")
        if post and not ch["is_im"] and not ch["is_member"]:
            if ch["is_private"] or "chat:write.public" not in self.scopes:
                raise SlackApiError("not_in_channel")
        if not post and ch["is_private"] and not ch["is_im"] and not ch["is_member"]:
            # a private channel the bot is not in is invisible to it
            raise SlackApiError("channel_not_found")
        return ch

    def now(self) -> float:
        """The fake's clock (trigger ids and response_urls expire by it)."""
        return time.time() + self._skew

    def advance(self, seconds: float) -> None:
        """Moves the fake's clock on, so a test can let a trigger id or a response_url
        expire without waiting."""
        self._skew += seconds

    def _need(self, *scopes: str) -> None:
        """Slack's answer to a call the token's scopes do not allow."""
        if scopes and not any(s in self.scopes for s in scopes):
            raise SlackApiError("missing_scope", needed=scopes[0], provided=",".join(self.scopes))

    def _kind(self, ch: dict) -> str:
        if ch["is_im"]:
            return "im"
        return "private_channel" if ch["is_private"] else "public_channel"

    def _need_for(self, ch: dict, *, history: bool = False) -> None:
        self._need(CHANNEL_SCOPES[self._kind(ch)][1 if history else 0])

    def _public(self, msg: dict) -> dict:
        return {k: v for k, v in msg.items() if not k.startswith("_")}
