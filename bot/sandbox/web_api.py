"""An in-process, stateful stand-in for Slack: its Web API and the requests it sends to an app.

Two uses:

* **tests**: the app's ``AsyncWebClient`` gets ``base_url=<stand-in>/api/``; every call
  is recorded (:attr:`SlackStandIn.calls`) and answered the way Slack answers it,
  including errors (``channel_not_found``, ``not_in_channel``, ``message_not_found``,
  ``invalid_blocks``…) and forced failures (:meth:`SlackStandIn.fail_next`).
* **the local sandbox** (``bot.sandbox.server``): the browser page shows this state
  and people act through :meth:`send_user_message`, :meth:`send_command`,
  :meth:`click` and :meth:`submit_view`, which sign payloads like Slack and POST
  them to the app's real ``/slack/events`` endpoint.

Nothing here knows about the Boundary Consult app itself.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import logging
import re
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import yaml
from aiohttp import ClientSession, ClientTimeout, web

from bot.sandbox import signing

log = logging.getLogger(__name__)

BOT_SCOPES = [
    "commands",
    "chat:write",
    "chat:write.public",
    "im:write",
    "im:history",
    "im:read",
    "channels:read",
    "channels:join",
    "channels:history",
    "groups:read",
    "groups:history",
    "users:read",
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

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"
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
# the keys slack_sdk sends as JSON strings inside form bodies
_JSON_ARGS = ("blocks", "view", "metadata", "attachments", "users_list")


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


class SlackStandIn:
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
    ):
        self.team_id = team_id
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
        self._held = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None
        self._tasks: set[asyncio.Task] = set()
        self.base_url: str | None = None
        self._listeners: list[Callable[[str], None]] = []
        self._last_actor: str | None = None  # who acted last: owner of hand-built trigger ids
        self.reset()

    # ------------------------------------------------------------------ state
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
        self._changed()

    def _full_user(self, u: dict) -> dict:
        name = u.get("name") or u["id"].lower()
        real = u.get("real_name") or name
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

    def response_url(
        self, key: str, *, user: str | None = None, channel: str | None = None, source: dict | None = None
    ) -> str:
        """A URL the app can post to like Slack's ``response_url``.

        ``source`` is the message the interaction came from (``{"channel", "ts",
        "ephemeral"}``) so that ``replace_original``/``delete_original`` can act on it.
        """
        self._response_urls[key] = {"user": user, "channel": channel, "source": source, "uses": 0}
        base = self.base_url or "http://127.0.0.1/"
        return f"{base}response_url/{key}"

    # ------------------------------------------------------------- recording
    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,
        where: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Wait until at least ``count`` calls to ``method`` (matching ``where``) were received."""
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in self.calls if c.method == method and (where is None or where(c))]
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                seen = (
                    "\n".join(f"  {c.method} {json.dumps(c.args, default=str)[:300]}" for c in self.calls) or "  (none)"
                )
                raise AssertionError(
                    f"expected {count} call(s) to {method}"
                    + (" matching the condition" if where else "")
                    + f" within {timeout}s, got {len(found)}; calls seen:\n{seen}"
                )
            await asyncio.sleep(0.02)

    def fail_next(self, method: str, *statuses: int | str, retry_after: int = 1) -> None:
        """The next ``len(statuses)`` calls to ``method`` fail (and do nothing).

        An int is an HTTP status (429 carries ``Retry-After: retry_after``); a string
        is a Slack error answered with HTTP 200 ``{"ok": false, "error": <string>}``.
        For a call that is carried out and whose answer is lost, see ``lose_next_answer``.
        """
        queue = self._failures.setdefault(method, [])
        queue.extend((s, retry_after) for s in statuses)

    def lose_next_answer(self, method: str, how: str = "500") -> None:
        """The next call to ``method`` is carried out (a message is stored) but its answer
        is lost: ``"500"`` answers HTTP 500, ``"reset"`` drops the connection unanswered,
        ``"timeout"`` holds the answer until the caller gives up (``release_held_answers``
        ends the wait) — what a caller sees when Slack stored the message and the network
        or a proxy failed."""
        if how not in ("500", "reset", "timeout"):
            raise ValueError(f"unknown way to lose an answer: {how!r}")
        if how == "timeout" and self._held.is_set():
            self._held = asyncio.Event()
        self._lost_answers.setdefault(method, []).append(how)

    def release_held_answers(self) -> None:
        self._held.set()

    # ---------------------------------------------------------------- server
    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/response_url/{key}", self._handle_response_url)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._runner = web.AppRunner(self.make_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        sockets = site._server.sockets  # type: ignore[union-attr]
        real_port = sockets[0].getsockname()[1]
        self.base_url = f"http://{host}:{real_port}/"
        return self.base_url

    @property
    def api_url(self) -> str:
        assert self.base_url, "start() the stand-in first"
        return self.base_url + "api/"

    async def stop(self) -> None:
        self.release_held_answers()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def drain(self, timeout: float = 5.0) -> None:
        """Wait for background event deliveries to finish."""
        deadline = time.monotonic() + timeout
        while self._tasks and time.monotonic() < deadline:
            await asyncio.wait(list(self._tasks), timeout=max(0.01, deadline - time.monotonic()))

    async def _parse_args(self, request: web.Request) -> dict:
        args: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            raw = await request.text()
            ctype = request.content_type
            if ctype == "application/json":
                try:
                    body = json.loads(raw) if raw else {}
                except ValueError:
                    raise SlackApiError("invalid_json") from None
                if not isinstance(body, dict):
                    raise SlackApiError("invalid_json")
                args.update(body)
            elif ctype == "multipart/form-data":
                post = await request.post()
                args.update({k: v for k, v in post.items() if isinstance(v, str)})
            else:
                args.update(dict(parse_qsl(raw, keep_blank_values=True)))
        for key in _JSON_ARGS:
            value = args.get(key)
            if isinstance(value, str) and value[:1] in ("[", "{"):
                try:
                    args[key] = json.loads(value)
                except ValueError:
                    raise SlackApiError(
                        f"invalid_{key}" if key in ("blocks", "metadata") else "invalid_arguments"
                    ) from None
        return args

    def _check_token(self, request: web.Request, args: dict, method: str = "") -> str | None:
        auth = request.headers.get("Authorization", "")
        token = auth[len("Bearer ") :].strip() if auth.startswith("Bearer ") else args.pop("token", None)
        args.pop("token", None)
        # Socket Mode's URL is asked for with the app-level token, everything else with the bot's.
        kind = "xapp-" if method == "apps.connections.open" else "xoxb-"
        if not token or not token.startswith(kind):
            return None
        if kind == "xapp-":
            return token
        if self.valid_tokens is not None and token not in self.valid_tokens:
            return None
        return token

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        headers = {"x-oauth-scopes": ",".join(self.scopes), "x-accepted-oauth-scopes": ""}
        try:
            args = await self._parse_args(request)
        except SlackApiError as exc:
            body = {"ok": False, "error": exc.error}
            self.calls.append(Call(method, {}, 200, body))
            return web.json_response(body, headers=headers)
        token = self._check_token(request, args, method)
        call = Call(method, args, token=token)
        self.calls.append(call)
        queue = self._failures.get(method)
        if queue:
            status, retry_after = queue.pop(0)
            if isinstance(status, str):
                call.response = {"ok": False, "error": status}
                return web.json_response(call.response, headers=headers)
            call.status = status
            if status == 429:
                headers["Retry-After"] = str(retry_after)
                call.response = {"ok": False, "error": "ratelimited"}
            else:
                call.response = {"ok": False, "error": "fatal_error" if status >= 500 else "request_failed"}
            return web.json_response(call.response, status=status, headers=headers)
        if token is None:
            call.response = {"ok": False, "error": "invalid_auth"}
            return web.json_response(call.response, headers=headers)
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        try:
            result = handler(args) if handler else {}
            if asyncio.iscoroutine(result):
                result = await result
            call.response = {"ok": True, **result}
        except SlackApiError as exc:
            call.response = {"ok": False, "error": exc.error, **exc.extra}
        self._changed(method)
        lost = self._lost_answers.get(method)
        if lost and call.response.get("ok"):
            how = lost.pop(0)
            if how == "timeout":
                # Held until released or the stand-in stops; the caller's timeout ends it for them.
                await self._held.wait()
                call.status = 0
                raise ConnectionResetError("the sandbox held this answer past the caller's timeout")
            if how == "reset":
                call.status = 0
                if request.transport is not None:
                    request.transport.abort()
                raise ConnectionResetError("the sandbox dropped this answer on purpose")
            call.status = 500
            return web.json_response({"ok": False, "error": "fatal_error"}, status=500, headers=headers)
        return web.json_response(call.response, headers=headers)

    # ------------------------------------------------------------ validation
    def _validate_blocks(self, blocks: Any, limit: int = MESSAGE_BLOCKS_MAX) -> list[dict] | None:
        if blocks is None or blocks == "":
            return None
        if not isinstance(blocks, list) or len(blocks) > limit or not all(isinstance(b, dict) for b in blocks):
            raise SlackApiError(
                "invalid_blocks", response_metadata={"messages": [f"blocks must be a list of at most {limit} objects"]}
            )
        from slack_sdk.models.blocks import Block

        for i, b in enumerate(blocks):
            try:
                parsed = Block.parse(b)
                if parsed is None:
                    raise ValueError(f"unknown block type {b.get('type')!r}")
                parsed.to_dict()
            except Exception as exc:
                raise SlackApiError(
                    "invalid_blocks", response_metadata={"messages": [f"[ERROR] block {i}: {exc}"]}
                ) from None
        return blocks

    def _validate_view(self, view: Any) -> dict:
        if not isinstance(view, dict):
            raise SlackApiError(
                "invalid_arguments", response_metadata={"messages": ["[ERROR] missing required field: view"]}
            )
        from slack_sdk.models.views import View

        blocks = view.get("blocks") or []
        limit = VIEW_BLOCKS_MAX
        if not isinstance(blocks, list) or len(blocks) > limit:
            raise SlackApiError("invalid_arguments", response_metadata={"messages": ["[ERROR] too many blocks"]})
        if view.get("type") == "modal":
            has_input = any(b.get("type") == "input" for b in blocks if isinstance(b, dict))
            if has_input and not view.get("submit"):
                raise SlackApiError(
                    "invalid_arguments",
                    response_metadata={
                        "messages": ["[ERROR] submit is required when an input block is within the blocks"]
                    },
                )
        try:
            View(**view).to_dict()
        except Exception as exc:
            raise SlackApiError("invalid_arguments", response_metadata={"messages": [f"[ERROR] {exc}"]}) from None
        return view

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

    # --------------------------------------------------------------- methods
    def _m_auth_test(self, args: dict) -> dict:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _m_api_test(self, args: dict) -> dict:
        return {"args": args}

    @staticmethod
    def _with_block_ids(blocks: list | None) -> list | None:
        """Slack gives every block without a ``block_id`` a generated one."""
        if blocks is None:
            return None
        out = []
        for b in blocks:
            if isinstance(b, dict) and not b.get("block_id"):
                b = {**b, "block_id": secrets.token_urlsafe(3).replace("-", "a").replace("_", "b")}
            out.append(b)
        return out

    def _bot_message(self, text: str, blocks: list | None, metadata: dict | None = None) -> dict:
        msg: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "text": text or "",
            "team": self.team_id,
            "bot_profile": {"id": self.bot_id, "app_id": self.app_id, "name": self.bot_name, "team_id": self.team_id},
        }
        if blocks is not None:
            msg["blocks"] = self._with_block_ids(blocks)
        if metadata:
            msg["metadata"] = metadata
        return msg

    def _store(self, channel: str, msg: dict, thread_ts: str | None) -> dict:
        msg["ts"] = self._new_ts()
        if thread_ts:
            parent = self._find(channel, thread_ts)
            if parent is None:
                # Slack posts a reply to an unknown thread as a normal message.
                thread_ts = None
            else:
                root = parent.get("thread_ts") or parent["ts"]
                parent = self._find(channel, root) or parent
                msg["thread_ts"] = root
                msg["parent_user_id"] = parent.get("user")
                parent["thread_ts"] = root
                parent["reply_count"] = parent.get("reply_count", 0) + 1
                users = parent.setdefault("reply_users", [])
                if msg.get("user") and msg["user"] not in users:
                    users.append(msg["user"])
                parent["reply_users_count"] = len(users)
                parent["latest_reply"] = msg["ts"]
        self._all(channel).append(msg)
        return msg

    def _public(self, msg: dict) -> dict:
        return {k: v for k, v in msg.items() if not k.startswith("_")}

    def _m_chat_postMessage(self, args: dict) -> dict:
        ch = self._channel(args.get("channel"), post=True)
        text = args.get("text") or ""
        blocks = self._validate_blocks(args.get("blocks"))
        if not text and not blocks and not args.get("attachments"):
            raise SlackApiError("no_text")
        metadata = args.get("metadata")
        if metadata is not None and (not isinstance(metadata, dict) or "event_type" not in metadata):
            raise SlackApiError("invalid_metadata_format")
        msg = self._bot_message(text, blocks, metadata)
        if args.get("attachments"):
            msg["attachments"] = args["attachments"]
        thread_ts = args.get("thread_ts") or None
        msg = self._store(ch["id"], msg, thread_ts)
        if thread_ts and _truthy(args.get("reply_broadcast")) and msg.get("thread_ts"):
            msg["subtype"] = "thread_broadcast"
        self._schedule_message_event(ch["id"], msg)
        return {"channel": ch["id"], "ts": msg["ts"], "message": self._public(msg)}

    def _m_chat_postEphemeral(self, args: dict) -> dict:
        ch = self._channel(args.get("channel"), post=True)
        user = args.get("user")
        if user not in self.users:
            raise SlackApiError("user_not_found")
        if not ch["is_im"] and user not in ch["members"]:
            raise SlackApiError("user_not_in_channel")
        text = args.get("text") or ""
        blocks = self._validate_blocks(args.get("blocks"))
        if not text and not blocks:
            raise SlackApiError("no_text")
        eph = self._add_ephemeral(user, ch["id"], text, blocks, args.get("thread_ts") or None)
        return {"message_ts": eph["ts"]}

    def _add_ephemeral(
        self, user: str, channel: str | None, text: str, blocks: list | None, thread_ts: str | None = None
    ) -> dict:
        eph: dict[str, Any] = {
            "type": "message",
            "subtype": "ephemeral",
            "ts": self._new_ts(),
            "channel": channel,
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "text": text or "",
            "is_ephemeral": True,
        }
        if blocks is not None:
            eph["blocks"] = self._with_block_ids(blocks)
        if thread_ts:
            eph["thread_ts"] = thread_ts
        self._ephemerals.setdefault(user, []).append(eph)
        self._changed("ephemeral")
        return eph

    def _m_chat_update(self, args: dict) -> dict:
        ch = self._channel(args.get("channel"), post=True)
        msg = self._find(ch["id"], str(args.get("ts") or ""))
        if msg is None:
            raise SlackApiError("message_not_found")
        if msg.get("bot_id") != self.bot_id:
            raise SlackApiError("cant_update_message")
        blocks = self._validate_blocks(args.get("blocks"))
        if "text" in args:
            msg["text"] = args.get("text") or ""
        if blocks is not None:
            msg["blocks"] = self._with_block_ids(blocks)
        elif "blocks" in args:  # blocks="" or [] clears them
            msg.pop("blocks", None)
        if isinstance(args.get("metadata"), dict):
            msg["metadata"] = args["metadata"]
        msg["edited"] = {"user": self.bot_user_id, "ts": self._new_ts()}
        return {"channel": ch["id"], "ts": msg["ts"], "text": msg["text"], "message": self._public(msg)}

    def _m_chat_delete(self, args: dict) -> dict:
        ch = self._channel(args.get("channel"), post=True)
        ts = str(args.get("ts") or "")
        msg = self._find(ch["id"], ts)
        if msg is None or msg.get("subtype") == "tombstone":
            raise SlackApiError("message_not_found")
        if msg.get("bot_id") != self.bot_id:
            raise SlackApiError("cant_delete_message")
        self._delete(ch["id"], msg)
        return {"channel": ch["id"], "ts": ts}

    def _delete(self, channel: str, msg: dict) -> None:
        msgs = self._all(channel)
        if msg.get("reply_count") and msg.get("thread_ts") == msg["ts"]:
            # a parent with replies stays as a tombstone, like Slack
            for k in ("blocks", "metadata", "bot_id", "app_id", "bot_profile", "attachments", "edited"):
                msg.pop(k, None)
            msg.update(
                {"subtype": "tombstone", "text": "This message was deleted.", "user": "USLACKBOT", "hidden": True}
            )
            return
        msgs.remove(msg)
        root = msg.get("thread_ts")
        if root and root != msg["ts"]:
            parent = self._find(channel, root)
            if parent is not None:
                parent["reply_count"] = max(0, parent.get("reply_count", 1) - 1)
                remaining = [m for m in msgs if m.get("thread_ts") == root and m["ts"] != root]
                parent["latest_reply"] = remaining[-1]["ts"] if remaining else None
                if parent.get("subtype") == "tombstone" and not remaining:
                    msgs.remove(parent)

    def _m_chat_getPermalink(self, args: dict) -> dict:
        ch = self._channel(args.get("channel"))
        ts = str(args.get("message_ts") or "")
        msg = self._find(ch["id"], ts)
        if msg is None:
            raise SlackApiError("message_not_found")
        link = f"{self.permalink_base}archives/{ch['id']}/p{ts.replace('.', '')}"
        if msg.get("thread_ts") and msg["thread_ts"] != ts:
            link += f"?thread_ts={msg['thread_ts']}&cid={ch['id']}"
        return {"channel": ch["id"], "permalink": link}

    def _channel_info(self, ch: dict) -> dict:
        info = {
            "id": ch["id"],
            "created": ch.get("created", 1700000000),
            "is_archived": False,
            "is_general": ch.get("name") == "general",
            "is_org_shared": False,
            "is_shared": False,
            "context_team_id": self.team_id,
        }
        if ch["is_im"]:
            info.update({"is_im": True, "user": ch["user"], "is_open": True, "is_user_deleted": False})
            return info
        info.update(
            {
                "name": ch["name"],
                "name_normalized": ch["name"],
                "is_channel": not ch["is_private"],
                "is_group": ch["is_private"],
                "is_im": False,
                "is_mpim": False,
                "is_private": ch["is_private"],
                "is_member": ch["is_member"],
                "topic": {"value": ch.get("topic", ""), "creator": "", "last_set": 0},
                "purpose": {"value": ch.get("purpose", ""), "creator": "", "last_set": 0},
                "num_members": len(ch.get("members", [])),
            }
        )
        return info

    def _m_conversations_open(self, args: dict) -> dict:
        if args.get("channel"):
            ch = self._channel(args["channel"])
            return {
                "no_op": True,
                "already_open": True,
                "channel": self._channel_info(ch) if _truthy(args.get("return_im")) else {"id": ch["id"]},
            }
        users = args.get("users")
        if isinstance(users, list):
            users = ",".join(users)
        ids = [u.strip() for u in str(users or "").split(",") if u.strip()]
        if not ids:
            raise SlackApiError("users_list_not_supplied")
        for u in ids:
            if u not in self.users:
                raise SlackApiError("user_not_found")
        if len(ids) > 1:
            raise SlackApiError("method_not_supported_for_channel_type")  # group DMs: not modelled
        existed = ("D" + ids[0]) in self.channels
        cid = self.dm_channel(ids[0])
        out: dict[str, Any] = {
            "channel": self._channel_info(self.channels[cid]) if _truthy(args.get("return_im")) else {"id": cid}
        }
        if existed:
            out.update({"no_op": True, "already_open": True})
        return out

    def _m_conversations_info(self, args: dict) -> dict:
        return {"channel": self._channel_info(self._channel(args.get("channel")))}

    def _m_conversations_join(self, args: dict) -> dict:
        cid = args.get("channel")
        ch = self.channels.get(cid) if isinstance(cid, str) else None
        if ch is None:
            raise SlackApiError("channel_not_found")
        if ch["is_private"] or ch["is_im"]:
            raise SlackApiError("method_not_supported_for_channel_type")
        out: dict[str, Any] = {}
        if ch["is_member"]:
            out["warning"] = "already_in_channel"
            out["response_metadata"] = {"warnings": ["already_in_channel"]}
        ch["is_member"] = True
        if self.bot_user_id not in ch["members"]:
            ch["members"].append(self.bot_user_id)
        out["channel"] = self._channel_info(ch)
        return out

    def _m_conversations_list(self, args: dict) -> dict:
        types = str(args.get("types") or "public_channel").split(",")
        out = []
        for ch in self.channels.values():
            kind = "im" if ch["is_im"] else ("private_channel" if ch["is_private"] else "public_channel")
            if kind not in types:
                continue
            if kind == "private_channel" and not ch["is_member"]:
                continue
            out.append(self._channel_info(ch))
        return {"channels": out, "response_metadata": {"next_cursor": ""}}

    def _m_conversations_members(self, args: dict) -> dict:
        ch = self._channel(args.get("channel"))
        return {"members": list(ch.get("members", [])), "response_metadata": {"next_cursor": ""}}

    def _page(self, items: list[dict], args: dict, default_limit: int) -> tuple[list[dict], dict]:
        try:
            limit = int(args.get("limit") or default_limit)
        except (TypeError, ValueError):
            raise SlackApiError("invalid_limit") from None
        limit = max(1, min(limit, 999))
        cursor = args.get("cursor") or ""
        start = 0
        if cursor:
            try:
                start = int(str(cursor).removeprefix("bmV4dF9vZmZzZXQ6"))
            except ValueError:
                raise SlackApiError("invalid_cursor") from None
        page = items[start : start + limit]
        more = start + limit < len(items)
        meta = {
            "has_more": more,
            "response_metadata": {"next_cursor": f"bmV4dF9vZmZzZXQ6{start + limit}" if more else ""},
        }
        return page, meta

    def _history_view(self, msg: dict, args: dict) -> dict:
        out = self._public(msg)
        # Metadata comes back with include_all_metadata, and always for the app's own messages.
        if "metadata" in out and not (_truthy(args.get("include_all_metadata")) or out.get("app_id") == self.app_id):
            out.pop("metadata")
        return out

    def _ts_filter(self, msgs: list[dict], args: dict) -> list[dict]:
        inclusive = _truthy(args.get("inclusive"))
        oldest, latest = args.get("oldest"), args.get("latest")
        out = []
        for m in msgs:
            t = float(m["ts"])
            if oldest and (t < float(oldest) or (t == float(oldest) and not inclusive)):
                continue
            if latest and (t > float(latest) or (t == float(latest) and not inclusive)):
                continue
            out.append(m)
        return out

    def _m_conversations_history(self, args: dict) -> dict:
        ch = self._channel(args.get("channel"))
        if not ch["is_im"] and not ch["is_member"]:
            raise SlackApiError("not_in_channel")
        msgs = [
            m
            for m in self._messages.get(ch["id"], [])
            if m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast"
        ]
        msgs = self._ts_filter(msgs, args)[::-1]  # newest first
        page, meta = self._page(msgs, args, 100)
        return {"messages": [self._history_view(m, args) for m in page], "pin_count": 0, **meta}

    def _m_conversations_replies(self, args: dict) -> dict:
        ch = self._channel(args.get("channel"))
        ts = str(args.get("ts") or "")
        if self._find(ch["id"], ts) is None:
            raise SlackApiError("thread_not_found")
        thread = [m for m in self._messages[ch["id"]] if m["ts"] in {x["ts"] for x in self.replies(ch["id"], ts)}]
        if thread:
            root = thread[0]
            rest = self._ts_filter(thread[1:], args)
            thread = [root] + rest
        page, meta = self._page(thread, args, 1000)
        return {"messages": [self._history_view(m, args) for m in page], **meta}

    def _m_users_info(self, args: dict) -> dict:
        user = self.users.get(str(args.get("user") or ""))
        if user is None:
            raise SlackApiError("user_not_found")
        return {"user": copy.deepcopy(user)}

    def _m_users_list(self, args: dict) -> dict:
        return {"members": copy.deepcopy(list(self.users.values())), "response_metadata": {"next_cursor": ""}}

    def _m_apps_connections_open(self, args: dict) -> dict:
        # A ws:// URL once a Socket Mode stand-in is listening (bot/sandbox/socket_mode.py).
        if self.socket_mode_url:
            return {"url": self.socket_mode_url}
        raise SlackApiError("not_allowed_token_type")

    # --- views
    def _trigger_user(self, trigger_id: Any) -> str | None:
        if not trigger_id:
            raise SlackApiError(
                "invalid_arguments", response_metadata={"messages": ["[ERROR] missing required field: trigger_id"]}
            )
        info = self._triggers.get(str(trigger_id))
        if info is None:
            # a hand-built trigger id (tests): attribute it to the last person who acted
            return self._last_actor
        return info["user"]

    def _new_view(self, view: dict, *, root: dict | None = None, previous: dict | None = None) -> dict:
        vid = self._new_id("V")
        stored = copy.deepcopy(view)
        stored["blocks"] = self._with_block_ids(stored.get("blocks") or [])
        stored.update(
            {
                "id": vid,
                "team_id": self.team_id,
                "app_id": self.app_id,
                "bot_id": self.bot_id,
                "app_installed_team_id": self.team_id,
                "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
                "state": {"values": {}},
                "root_view_id": root["id"] if root else vid,
                "previous_view_id": previous["id"] if previous else None,
            }
        )
        stored.setdefault("callback_id", "")
        stored.setdefault("private_metadata", "")
        stored.setdefault("external_id", "")
        stored.setdefault("clear_on_close", False)
        stored.setdefault("notify_on_close", False)
        return stored

    def _m_views_open(self, args: dict) -> dict:
        view = self._validate_view(args.get("view"))
        if view.get("type") != "modal":
            raise SlackApiError(
                "invalid_arguments", response_metadata={"messages": ["[ERROR] view.type must be modal"]}
            )
        user = self._trigger_user(args.get("trigger_id"))
        stored = self._new_view(view)
        self._views[user or "?"] = [stored]
        return {"view": copy.deepcopy(stored)}

    def _m_views_push(self, args: dict) -> dict:
        view = self._validate_view(args.get("view"))
        user = self._trigger_user(args.get("trigger_id")) or "?"
        stack = self._views.get(user)
        if not stack:
            raise SlackApiError("not_found")
        if len(stack) >= 3:
            raise SlackApiError("push_limit_reached")
        stored = self._new_view(view, root=stack[0], previous=stack[-1])
        stack.append(stored)
        return {"view": copy.deepcopy(stored)}

    def _find_view(self, view_id: str | None = None, external_id: str | None = None) -> tuple[str, int, dict] | None:
        for user, stack in self._views.items():
            for i, v in enumerate(stack):
                if (view_id and v["id"] == view_id) or (external_id and v.get("external_id") == external_id):
                    return user, i, v
        for user, v in self._homes.items():
            if (view_id and v["id"] == view_id) or (external_id and v.get("external_id") == external_id):
                return user, -1, v
        return None

    def _m_views_update(self, args: dict) -> dict:
        view = self._validate_view(args.get("view"))
        found = self._find_view(args.get("view_id"), args.get("external_id"))
        if found is None:
            raise SlackApiError("not_found")
        user, index, old = found
        if args.get("hash") and args["hash"] != old["hash"]:
            raise SlackApiError("hash_conflict")
        new = copy.deepcopy(view)
        new["blocks"] = self._with_block_ids(new.get("blocks") or [])
        for key in ("id", "team_id", "app_id", "bot_id", "app_installed_team_id", "root_view_id", "previous_view_id"):
            new[key] = old.get(key)
        new.setdefault("callback_id", "")
        new.setdefault("private_metadata", "")
        new.setdefault("external_id", old.get("external_id", ""))
        new["state"] = old.get("state", {"values": {}})
        new["hash"] = f"{int(time.time())}.{secrets.token_hex(4)}"
        if index == -1:
            self._homes[user] = new
        else:
            self._views[user][index] = new
        self._view_errors.pop(new["id"], None)
        return {"view": copy.deepcopy(new)}

    def _m_views_publish(self, args: dict) -> dict:
        user = str(args.get("user_id") or "")
        if user not in self.users:
            raise SlackApiError("user_not_found")
        view = self._validate_view(args.get("view"))
        if view.get("type") != "home":
            raise SlackApiError("invalid_arguments", response_metadata={"messages": ["[ERROR] view.type must be home"]})
        old = self._homes.get(user)
        if old and args.get("hash") and args["hash"] != old["hash"]:
            raise SlackApiError("hash_conflict")
        stored = self._new_view(view)
        if old:
            stored["id"] = stored["root_view_id"] = old["id"]
        self._homes[user] = stored
        return {"view": copy.deepcopy(stored)}

    # ----------------------------------------------------- response_url
    async def _handle_response_url(self, request: web.Request) -> web.Response:
        key = request.match_info["key"]
        raw = await request.text()
        try:
            payload = json.loads(raw) if raw else {}
        except ValueError:
            payload = dict(parse_qsl(raw))
        if not isinstance(payload, dict):
            payload = {}
        if isinstance(payload.get("blocks"), str):
            try:
                payload["blocks"] = json.loads(payload["blocks"])
            except ValueError:
                pass
        call = Call("response_url", {"key": key, **payload})
        self.calls.append(call)
        queue = self._failures.get("response_url")
        if queue:
            status = queue.pop(0)[0]
            call.status = status if isinstance(status, int) else 200
            call.response = {"ok": False, "error": status if isinstance(status, str) else "request_failed"}
            return web.json_response(call.response, status=call.status)
        info = self._response_urls.get(key)
        if info is None:
            call.response = {"ok": False, "error": "expired_url"}
            return web.json_response(call.response, status=404)
        info["uses"] += 1
        if info["uses"] > 5:
            call.response = {"ok": False, "error": "used_url"}
            return web.json_response(call.response, status=404)
        try:
            self._apply_response(info, payload)
            call.response = {"ok": True}
        except SlackApiError as exc:
            call.response = {"ok": False, "error": exc.error}
        self._changed("response_url")
        return web.json_response(call.response)

    def _apply_response(self, info: dict, payload: dict) -> None:
        user, channel, source = info.get("user"), info.get("channel"), info.get("source") or {}
        blocks = self._validate_blocks(payload.get("blocks"))
        text = payload.get("text") or ""
        if _truthy(payload.get("delete_original")):
            self._delete_source(user, source)
            return
        if _truthy(payload.get("replace_original")) and source:
            if source.get("ephemeral"):
                for e in self._ephemerals.get(user or "", []):
                    if e["ts"] == source.get("ts"):
                        e["text"] = text
                        if blocks is not None:
                            e["blocks"] = self._with_block_ids(blocks)
                        else:
                            e.pop("blocks", None)
                        return
                raise SlackApiError("message_not_found")
            msg = self._find(source.get("channel") or "", source.get("ts") or "")
            if msg is None:
                raise SlackApiError("message_not_found")
            msg["text"] = text
            if blocks is not None:
                msg["blocks"] = self._with_block_ids(blocks)
            else:
                msg.pop("blocks", None)
            msg["edited"] = {"user": self.bot_user_id, "ts": self._new_ts()}
            return
        if not text and not blocks:
            raise SlackApiError("no_text")
        if payload.get("response_type") == "in_channel" and channel:
            msg = self._store(channel, self._bot_message(text, blocks), payload.get("thread_ts"))
            self._schedule_message_event(channel, msg)
            return
        self._add_ephemeral(user or "?", channel, text, blocks, payload.get("thread_ts"))

    def _delete_source(self, user: str | None, source: dict) -> None:
        if not source:
            return
        if source.get("ephemeral"):
            self.dismiss_ephemeral(user or "", source.get("ts") or "")
            return
        msg = self._find(source.get("channel") or "", source.get("ts") or "")
        if msg is not None:
            self._delete(source["channel"], msg)

    # ---------------------------------------------- requests to the app
    async def _client(self) -> ClientSession:
        if self._session is None or self._session.closed:
            self._session = ClientSession()
        return self._session

    def _require_app(self) -> tuple[str, str]:
        if not self.events_url or not self.signing_secret:
            raise RuntimeError("set events_url and signing_secret on the SlackStandIn to send requests to the app")
        return self.events_url, self.signing_secret

    async def _post_to_app(
        self, kind: str, body: str, content_type: str, payload: dict, retry_num: int | None = None
    ) -> Delivery:
        url, secret = self._require_app()
        headers = signing.signed_headers(body, secret, content_type=content_type, retry_num=retry_num)
        delivery = Delivery(kind=kind, body=body, headers=headers, payload=payload)
        self.deliveries.append(delivery)
        session = await self._client()
        try:
            async with session.post(
                url, data=body.encode("utf-8"), headers=headers, timeout=ClientTimeout(total=self.ack_timeout)
            ) as resp:
                delivery.status = resp.status
                delivery.response_text = await resp.text()
        except TimeoutError:
            delivery.error = "operation_timeout"
        except Exception as exc:  # connection refused etc.
            delivery.error = f"dispatch_failed: {exc.__class__.__name__}"
        self._changed(kind)
        return delivery

    def _issue_trigger(self, user: str) -> str:
        tid = f"{int(time.time())}.{next(self._ids)}.{secrets.token_hex(8)}"
        self._triggers[tid] = {"user": user, "issued": time.time()}
        self._last_actor = user
        return tid

    def _check_user(self, user: str) -> None:
        if user not in self.users:
            raise ValueError(f"unknown user {user!r}; known: {', '.join(self.users)}")

    # events
    def _message_event(self, channel: str, msg: dict) -> dict:
        event = {
            k: v
            for k, v in self._public(msg).items()
            if k not in ("reply_count", "reply_users", "reply_users_count", "latest_reply", "is_ephemeral")
        }
        event.update({"channel": channel, "event_ts": msg["ts"], "channel_type": self.channel_type(channel)})
        if event.get("thread_ts") == msg["ts"]:
            event.pop("thread_ts")
        return event

    def _schedule_message_event(self, channel: str, msg: dict) -> None:
        if not (self.events_url and self.signing_secret and self.deliver_bot_messages):
            return
        self._spawn(self.deliver_event(self._message_event(channel, msg)))

    def _spawn(self, coro) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def deliver_event(
        self, event: dict, *, event_id: str | None = None, retry_num: int | None = None
    ) -> Delivery:
        """POST an ``event_callback`` with ``event`` to the app (pass the same ``event_id`` + ``retry_num`` to replay a retry)."""
        body = signing.event_body(
            team_id=self.team_id,
            event=event,
            event_id=event_id,
            api_app_id=self.app_id,
            authorizations=[
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
        )
        return await self._post_to_app("event", body, signing.JSON, json.loads(body), retry_num=retry_num)

    async def send_user_message(
        self, user: str, channel: str, text: str, thread_ts: str | None = None
    ) -> tuple[dict, Delivery | None]:
        """A person types ``text`` in ``channel`` (or in the thread under ``thread_ts``).

        The message is stored, then a ``message`` event is delivered to the app (when
        ``events_url`` is set).  Returns ``(message, delivery)``.
        """
        self._check_user(user)
        if channel in self.users:
            channel = self.dm_channel(channel)
        if channel.startswith("D") and channel[1:] in self.users:
            self.dm_channel(channel[1:])
        if channel not in self.channels:
            raise ValueError(f"unknown channel {channel!r}")
        self._last_actor = user
        msg = {
            "type": "message",
            "user": user,
            "text": text,
            "team": self.team_id,
            "client_msg_id": str(uuid.uuid4()),
            "blocks": [
                {
                    "type": "rich_text",
                    "block_id": secrets.token_hex(2),
                    "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
                }
            ],
        }
        msg = self._store(channel, msg, thread_ts)
        self._changed("message")
        delivery = None
        if self.events_url and self.signing_secret:
            delivery = await self.deliver_event(self._message_event(channel, msg))
        return copy.deepcopy(msg), delivery

    def mention_candidates(self, user: str) -> dict[str, list[dict]]:
        """What the client's autocomplete offers ``user`` after ``#`` and ``@``: the
        channels they can see (public ones, private ones they are in) and the people."""
        channels = [
            {"id": ch["id"], "name": ch["name"]}
            for ch in self.channels.values()
            if not ch["is_im"] and (not ch["is_private"] or user in ch.get("members", []))
        ]
        people = [
            {"id": u["id"], "name": u["name"], "real_name": u["real_name"]}
            for u in self.users.values()
            if not u["deleted"]
        ]
        return {"channels": channels, "users": people}

    def escape_mentions(self, user: str, text: str) -> str:
        """What Slack sends for a command with ``should_escape``: a typed ``#general``
        becomes ``<#C…|general>``, ``@alex`` (name or display name, any case)
        ``<@U…|alex>``, ``@here``/``@channel``/``@everyone`` ``<!here>``…; a name
        that matches nothing stays as typed."""
        found = self.mention_candidates(user)
        channels = {c["name"].lower(): c for c in found["channels"]}
        people: dict[str, dict] = {}
        for u in self.users.values():
            if u["deleted"]:
                continue
            for name in (u["name"], u["profile"].get("display_name") or "", (u["real_name"] or "").split(" ")[0]):
                if name:
                    people.setdefault(name.lower(), u)

        def one(m: re.Match) -> str:
            sigil, name = m.group(1), m.group(2)
            key = name.lower()
            if sigil == "#" and key in channels:
                return f"<#{channels[key]['id']}|{channels[key]['name']}>"
            if sigil == "@" and key in ("here", "channel", "everyone"):
                return f"<!{key}>"
            if sigil == "@" and key in people:
                return f"<@{people[key]['id']}|{people[key]['name']}>"
            return m.group(0)

        return _TYPED_MENTION.sub(one, text)

    async def send_command(self, user: str, channel: str, command: str, text: str = "") -> Delivery:
        """A person runs ``command text`` in ``channel``; the ack body is shown like Slack shows it.
        For a command with ``should_escape`` (``escape_commands``) typed channels and
        people are sent as mentions, as Slack does."""
        self._check_user(user)
        if command in self.escape_commands:
            text = self.escape_mentions(user, text)
        if channel in self.users:
            channel = self.dm_channel(channel)
        key = secrets.token_hex(8)
        url = self.response_url(key, user=user, channel=channel)
        body = signing.slash_command_body(
            command=command,
            text=text,
            user_id=user,
            team_id=self.team_id,
            channel_id=channel,
            response_url=url,
            trigger_id=self._issue_trigger(user),
            user_name=self.users[user]["name"],
            channel_name=self.channels.get(channel, {}).get("name")
            if channel in self.channels and not channel.startswith("D")
            else None,
            team_domain=self.team_domain,
            api_app_id=self.app_id,
        )
        payload = dict(parse_qsl(body))
        delivery = await self._post_to_app("command", body, signing.FORM, payload)
        self._show_ack(delivery, user, channel, f"{command} {text}".strip())
        return delivery

    def _show_ack(self, delivery: Delivery, user: str, channel: str, what: str) -> None:
        """What Slack shows after a command's HTTP answer."""
        if delivery.error or (delivery.status or 0) >= 300:
            err = delivery.error.split(":")[0] if delivery.error else "dispatch_failed"
            self._add_ephemeral(user, channel, f'{what} failed with the error "{err}"', None)
            return
        text = delivery.response_text.strip()
        if not text:
            return
        data = delivery.response_json
        if data is None:
            self._add_ephemeral(user, channel, text, None)
            return
        try:
            blocks = self._validate_blocks(data.get("blocks"))
        except SlackApiError:
            self._add_ephemeral(user, channel, f'{what} failed with the error "invalid_blocks"', None)
            return
        if data.get("response_type") == "in_channel" and channel in self.channels:
            msg = self._store(channel, self._bot_message(data.get("text") or "", blocks), None)
            self._schedule_message_event(channel, msg)
            self._changed("message")
        elif data.get("text") or blocks:
            self._add_ephemeral(user, channel, data.get("text") or "", blocks)

    def _locate(self, user: str, target: dict) -> tuple[str, dict]:
        """Classify what was clicked: ("view", view) / ("home", view) / ("message", msg) / ("ephemeral", msg)."""
        if target.get("type") in ("modal", "home") and target.get("id"):
            found = self._find_view(target["id"])
            if found is None:
                raise ValueError(f"view {target['id']} is not open")
            _, index, view = found
            return ("home" if index == -1 else "view"), view
        if target.get("is_ephemeral") or target.get("subtype") == "ephemeral":
            for e in self._ephemerals.get(user, []):
                if e["ts"] == target.get("ts"):
                    return "ephemeral", e
            raise ValueError("that ephemeral message is gone")
        channel = target.get("channel")
        if channel:
            msg = self._find(channel, target.get("ts", ""))
            if msg is None:
                raise ValueError("message not found")
            return "message", {**msg, "channel": channel}
        for cid, msgs in self._messages.items():
            for m in msgs:
                if m["ts"] == target.get("ts"):
                    return "message", {**m, "channel": cid}
        raise ValueError("message not found")

    @staticmethod
    def _find_element(blocks: list[dict], action_id: str) -> tuple[dict, dict] | None:
        for b in blocks or []:
            candidates: list[dict] = []
            if b.get("type") == "actions":
                candidates = b.get("elements") or []
            elif b.get("type") == "section" and b.get("accessory"):
                candidates = [b["accessory"]]
            elif b.get("type") == "input" and b.get("dispatch_action") and b.get("element"):
                candidates = [b["element"]]
            for el in candidates:
                if el.get("action_id") == action_id:
                    return b, el
        return None

    @staticmethod
    def _option(el: dict, value: Any) -> dict | None:
        options = list(el.get("options") or [])
        for g in el.get("option_groups") or []:
            options.extend(g.get("options") or [])
        for o in options:
            if o.get("value") == value:
                return o
        return None

    def _action(self, block: dict, el: dict, value: Any) -> dict:
        kind = el.get("type", "button")
        action: dict[str, Any] = {
            "type": kind,
            "action_id": el["action_id"],
            "block_id": block.get("block_id", ""),
            "action_ts": f"{time.time():.6f}",
        }
        if kind == "button":
            action["text"] = el.get("text")
            if value is not None or "value" in el:
                action["value"] = value if value is not None else el.get("value")
            if el.get("style"):
                action["style"] = el["style"]
        elif kind in ("static_select", "overflow", "radio_buttons"):
            opt = self._option(el, value)
            if opt is None:
                raise ValueError(f"{el['action_id']}: no option with value {value!r}")
            action["selected_option"] = opt
        elif kind in ("checkboxes", "multi_static_select"):
            wanted = value if isinstance(value, list) else ([] if value is None else [value])
            action["selected_options"] = [o for v in wanted if (o := self._option(el, v))]
        elif kind == "users_select":
            action["selected_user"] = value
        elif kind == "conversations_select":
            action["selected_conversation"] = value
        elif kind == "channels_select":
            action["selected_channel"] = value
        elif kind == "plain_text_input":
            action["value"] = value
        else:
            action["value"] = value
        return action

    async def click(
        self, user: str, message_or_view: dict, action_id: str, value: Any = None, *, values: dict | None = None
    ) -> Delivery:
        """A person clicks/selects ``action_id`` in a message, an ephemeral message, a modal or the Home tab.

        ``value`` overrides a button's value, or names the option for selects,
        radio buttons and checkboxes (a list for checkboxes).  ``values`` are the
        current inputs of a modal (same shape as :meth:`submit_view`).
        """
        self._check_user(user)
        where, target = self._locate(user, message_or_view)
        found = self._find_element(target.get("blocks") or [], action_id)
        if found is None:
            raise ValueError(f"no element with action_id {action_id!r} in that {where}")
        block, el = found
        action = self._action(block, el, value)
        trigger = self._issue_trigger(user)
        kwargs: dict[str, Any] = {}
        if where in ("view", "home"):
            if where == "view" and values is not None:
                target["state"] = {"values": self._normalise_values(target, values)}
            view = copy.deepcopy(target)
            kwargs = {"view": view, "container": {"type": "view", "view_id": view["id"]}}
        else:
            channel = target.get("channel")
            key = secrets.token_hex(8)
            source = {"channel": channel, "ts": target["ts"], "ephemeral": where == "ephemeral"}
            url = self.response_url(key, user=user, channel=channel, source=source)
            container = {
                "type": "message",
                "message_ts": target["ts"],
                "channel_id": channel,
                "is_ephemeral": where == "ephemeral",
            }
            if target.get("thread_ts") and target["thread_ts"] != target["ts"]:
                container["thread_ts"] = target["thread_ts"]
            kwargs = {"channel_id": channel, "container": container, "response_url": url}
            if where == "message":
                kwargs["message"] = self._public({k: v for k, v in target.items() if k != "channel"})
        body = signing.block_actions_body(
            user_id=user,
            team_id=self.team_id,
            action_id=action_id,
            action=action,
            trigger_id=trigger,
            user_name=self.users[user]["name"],
            team_domain=self.team_domain,
            api_app_id=self.app_id,
            **kwargs,
        )
        payload = json.loads(dict(parse_qsl(body))["payload"])
        return await self._post_to_app("block_actions", body, signing.FORM, payload)

    def _normalise_values(self, view: dict, values: dict) -> dict:
        """Accept ``{block: {action: "text"}}`` shorthands; fill in every input like Slack does."""
        out: dict[str, dict] = {}
        for b in view.get("blocks") or []:
            if b.get("type") != "input" or not b.get("element"):
                continue
            el = b["element"]
            bid, aid, kind = b.get("block_id", ""), el.get("action_id", ""), el.get("type")
            given = (values.get(bid) or {}).get(aid)
            if isinstance(given, dict) and "type" in given:
                out.setdefault(bid, {})[aid] = given
                continue
            if kind == "plain_text_input":
                out.setdefault(bid, {})[aid] = {"type": kind, "value": given if given not in ("",) else None}
            elif kind in ("static_select", "radio_buttons"):
                opt = self._option(el, given) if given is not None else None
                out.setdefault(bid, {})[aid] = {"type": kind, "selected_option": opt}
            elif kind in ("checkboxes", "multi_static_select"):
                wanted = given if isinstance(given, list) else ([] if given in (None, "") else [given])
                out.setdefault(bid, {})[aid] = {
                    "type": kind,
                    "selected_options": [o for v in wanted if (o := self._option(el, v))],
                }
            elif kind == "datepicker":
                out.setdefault(bid, {})[aid] = {"type": kind, "selected_date": given or None}
            elif kind == "users_select":
                out.setdefault(bid, {})[aid] = {"type": kind, "selected_user": given or None}
            elif kind in ("conversations_select", "channels_select"):
                key = "selected_conversation" if kind == "conversations_select" else "selected_channel"
                out.setdefault(bid, {})[aid] = {"type": kind, key: given or None}
            else:
                out.setdefault(bid, {})[aid] = {"type": kind, "value": given}
        # values for blocks the view does not describe are passed through untouched
        for bid, acts in values.items():
            for aid, given in (acts or {}).items():
                if aid not in out.get(bid, {}):
                    out.setdefault(bid, {})[aid] = (
                        given if isinstance(given, dict) else {"type": "plain_text_input", "value": given}
                    )
        return out

    @staticmethod
    def client_side_errors(view: dict, state_values: dict) -> dict:
        """The checks Slack's client makes before it lets a modal be submitted."""
        errors = {}
        for b in view.get("blocks") or []:
            if b.get("type") != "input" or not b.get("element"):
                continue
            el = b["element"]
            st = (state_values.get(b.get("block_id", "")) or {}).get(el.get("action_id", "")) or {}
            filled = any(
                st.get(k)
                for k in (
                    "value",
                    "selected_option",
                    "selected_options",
                    "selected_date",
                    "selected_user",
                    "selected_conversation",
                    "selected_channel",
                )
            )
            if not b.get("optional") and not filled:
                errors[b.get("block_id", "")] = "Please fill out this field."
            elif el.get("type") == "plain_text_input" and st.get("value"):
                n = len(st["value"])
                if el.get("min_length") and n < el["min_length"]:
                    errors[b.get("block_id", "")] = f"Please enter at least {el['min_length']} characters."
                elif el.get("max_length") and n > el["max_length"]:
                    errors[b.get("block_id", "")] = f"Please enter at most {el['max_length']} characters."
        return errors

    async def submit_view(self, user: str, view_id: str, values: dict, *, enforce_required: bool = True) -> Delivery:
        """A person presses the modal's submit button; the app's ``response_action`` is applied.

        Raises ``ValueError`` (with ``.errors``) when Slack's client would refuse the
        submission (a required field empty, a length limit broken).
        """
        self._check_user(user)
        stack = self._views.get(user) or []
        index = next((i for i, v in enumerate(stack) if v["id"] == view_id), None)
        if index is None:
            raise ValueError(f"view {view_id} is not open for {user}")
        view = stack[index]
        state_values = self._normalise_values(view, values)
        if enforce_required:
            errors = self.client_side_errors(view, state_values)
            if errors:
                exc = ValueError(f"the form is not complete: {errors}")
                exc.errors = errors  # type: ignore[attr-defined]
                raise exc
        view["state"] = {"values": state_values}
        body = signing.view_submission_body(
            user_id=user,
            team_id=self.team_id,
            view=copy.deepcopy(view),
            values=state_values,
            trigger_id=self._issue_trigger(user),
            user_name=self.users[user]["name"],
            team_domain=self.team_domain,
            api_app_id=self.app_id,
        )
        payload = json.loads(dict(parse_qsl(body))["payload"])
        delivery = await self._post_to_app("view_submission", body, signing.FORM, payload)
        self._apply_submission_ack(user, view_id, delivery)
        return delivery

    def _apply_submission_ack(self, user: str, view_id: str, delivery: Delivery) -> None:
        stack = self._views.get(user) or []
        index = next((i for i, v in enumerate(stack) if v["id"] == view_id), None)
        if index is None:
            return
        if delivery.error or (delivery.status or 0) >= 300:
            self._view_errors[view_id] = {"": "We had some trouble connecting. Try again?"}
            self._changed("view")
            return
        data = delivery.response_json or {}
        action = data.get("response_action")
        if action == "errors":
            self._view_errors[view_id] = dict(data.get("errors") or {})
        elif action == "update" and isinstance(data.get("view"), dict):
            old = stack[index]
            new = self._new_view(
                data["view"], root=stack[0] if index else None, previous=stack[index - 1] if index else None
            )
            new["id"] = old["id"]
            if index == 0:
                new["root_view_id"] = old["id"]
            stack[index] = new
            self._view_errors.pop(view_id, None)
        elif action == "push" and isinstance(data.get("view"), dict):
            stack.append(self._new_view(data["view"], root=stack[0], previous=stack[-1]))
            self._view_errors.pop(view_id, None)
        elif action == "clear":
            self._views[user] = []
            self._view_errors.pop(view_id, None)
        else:
            del stack[index:]
            self._view_errors.pop(view_id, None)
        self._changed("view")

    async def close_view(self, user: str, view_id: str) -> Delivery | None:
        """A person closes a modal (the X / Cancel); ``view_closed`` is sent when the view asked for it."""
        stack = self._views.get(user) or []
        index = next((i for i, v in enumerate(stack) if v["id"] == view_id), None)
        if index is None:
            return None
        view = stack[index]
        clear = bool(view.get("clear_on_close"))
        closed = stack[:] if clear else stack[index:]
        self._views[user] = [] if clear else stack[:index]
        self._view_errors.pop(view_id, None)
        self._changed("view")
        delivery = None
        if view.get("notify_on_close") and self.events_url and self.signing_secret:
            body = signing.view_closed_body(
                user_id=user,
                team_id=self.team_id,
                view=copy.deepcopy(closed[-1] if clear else view),
                is_cleared=clear,
                user_name=self.users[user]["name"],
                team_domain=self.team_domain,
                api_app_id=self.app_id,
            )
            delivery = await self._post_to_app(
                "view_closed", body, signing.FORM, json.loads(dict(parse_qsl(body))["payload"])
            )
        return delivery

    async def open_home(self, user: str) -> Delivery | None:
        """A person opens the app's Home tab: ``app_home_opened`` is delivered."""
        self._check_user(user)
        self._last_actor = user
        if not (self.events_url and self.signing_secret):
            return None
        event = {
            "type": "app_home_opened",
            "user": user,
            "channel": self.dm_channel(user),
            "tab": "home",
            "event_ts": self._new_ts(),
        }
        if user in self._homes:
            event["view"] = copy.deepcopy(self._homes[user])  # type: ignore[assignment]
        return await self.deliver_event(event)
