"""The local sandbox: the real app, a stand-in for Slack and a Slack-like page, on one port.

``python -m bot`` without ``SLACK_BOT_TOKEN`` ends up in :func:`run_sandbox`.  What runs:

* :class:`~bot.sandbox.web_api.SlackStandIn` on a random loopback port: the Web API the
  app calls (``settings.slack_api_url`` points at it, with the token ``xoxb-sandbox``);
* the real app, built by the caller's ``build_app(settings, client_base_url)``, whose
  routes (``POST /slack/events``, ``GET /healthz``) are served as they are in production,
  signature checks included (a random signing secret is generated per run);
* the page at ``/`` (static files in ``static/``) and its JSON API under ``/sandbox/``.
  Every person's action on the page becomes a signed HTTP request from the stand-in to
  ``/slack/events``, exactly like Slack's.

Reset stops the app, deletes the sandbox's SQLite file, forgets the stand-in's state and
builds the app again on the same port.
"""

from __future__ import annotations

import asyncio
import errno
import inspect
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.config import StartupError
from bot.sandbox.web_api import Delivery, SlackStandIn

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
SANDBOX_TOKEN = "xoxb-sandbox"
CONSULT_CHANNEL = {"id": "C0CONSULT", "name": "peer-consult"}
REVIEW_CHANNEL = "G0REVIEW"
MODERATOR = "U0MOD"
COMMANDS = [
    {"command": "/boundary", "hint": "help · principles · consult · mine · or a question"},
    {"command": "/boundary-admin", "hint": "status · channels · approval on|off · terms … (moderators)"},
]
PEOPLE_ROLES = {"U0PRACT": "practitioner", "U0COLL1": "colleague", "U0COLL2": "colleague", "U0MOD": "moderator"}

BuildApp = Callable[[Any, str], "web.Application | Awaitable[web.Application]"]


class ResetRefused(Exception):
    pass


def sandbox_database_path(settings: Any) -> Path | None:
    """The SQLite file behind ``settings.database_url``; None when it is not a SQLite file."""
    url = getattr(settings, "database_url", None)
    if not url:
        return None
    try:
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
    except Exception:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


class Sandbox:
    """Everything :func:`run_sandbox` runs, startable and stoppable (tests use port 0)."""

    def __init__(
        self,
        settings: Any,
        build_app: BuildApp,
        *,
        host: str = "localhost",
        port: int | None = None,
        slack: SlackStandIn | None = None,
    ):
        self.settings = settings
        self.build_app = build_app
        self.host = host
        self.port = settings.port if port is None else port
        self.slack = slack or SlackStandIn()
        self.epoch = 0
        self.version = 0
        self._runner: web.AppRunner | None = None
        self._subscribers: set[asyncio.Queue] = set()
        self._restarting: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()
        self.url: str | None = None
        self.slack.on_change(self._on_change)

    # ------------------------------------------------------------ lifecycle
    def _configure(self, api_url: str) -> None:
        s = self.settings
        s.in_sandbox = True
        s.bot_token = SANDBOX_TOKEN
        s.signing_secret = secrets.token_hex(16)
        s.slack_api_url = api_url
        s.app_token = None
        if getattr(s, "database_url", None) is None:
            s.database_url = f"sqlite:///{Path(s.data_dir) / 'sandbox.sqlite3'}"
        # The stand-in's workspace: one consultation channel, a private review channel,
        # a moderator.  A config file's real channel ids would not exist here.
        s.channels = [dict(CONSULT_CHANNEL)]
        s.review_channel = REVIEW_CHANNEL
        # Replies reach the poster within seconds instead of the production batching window.
        if getattr(s, "relay_batch_seconds", 0) > 5:
            s.relay_batch_seconds = 5
        if MODERATOR not in (s.moderators or []):
            s.moderators = list(s.moderators or []) + [MODERATOR]
        self.slack.signing_secret = s.signing_secret
        self.slack.bot_name = "boundary-consult"

    async def start(self) -> str:
        if self.slack.base_url is None:
            api_base = await self.slack.start("127.0.0.1", 0)
        else:
            api_base = self.slack.base_url
        self._configure(api_base + "api/")
        db = sandbox_database_path(self.settings)
        if db is not None:
            db.parent.mkdir(parents=True, exist_ok=True)
        await self._serve(wait_for_port=False)
        return self.url  # type: ignore[return-value]

    async def _build(self) -> web.Application:
        app = self.build_app(self.settings, self.settings.slack_api_url)
        if inspect.isawaitable(app):
            app = await app
        if not isinstance(app, web.Application):
            raise TypeError("build_app must return an aiohttp web.Application")
        self._add_routes(app)
        return app

    async def _serve(self, *, wait_for_port: bool = True) -> None:
        """Listens on the port. After a reset the old socket may take a moment to go away,
        so a busy port is tried again for a few seconds; at start it is one clear line."""
        app = await self._build()
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        host, attempts = self.host, 50 if wait_for_port else 1
        last_error: OSError | None = None
        while attempts:
            try:
                site = web.TCPSite(runner, host, self.port, reuse_address=True)
                await site.start()
                break
            except OSError as exc:
                if host == "localhost" and exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
                    # "localhost" names ::1 too, which cannot be bound where IPv6 is off
                    # (many containers): the IPv4 loopback is still local only.
                    host = "127.0.0.1"
                    continue
                last_error, attempts = exc, attempts - 1
                if attempts:
                    await asyncio.sleep(0.1)
        else:
            await runner.cleanup()
            reason = (last_error.strerror if last_error else None) or type(last_error).__name__
            raise StartupError(
                f"cannot listen on port {self.port} for the sandbox ({reason}): "
                "another process is using it; stop it or set PORT (or app.port) to a free port"
            )
        self._runner = runner
        if not self.port:
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        shown = "localhost" if self.host in ("localhost", "0.0.0.0", "::", "127.0.0.1") else self.host
        self.url = f"http://{shown}:{self.port}/"
        self.slack.events_url = f"http://127.0.0.1:{self.port}/slack/events"
        self.slack.permalink_base = self.url
        self.epoch += 1
        self._on_change("started")

    async def _unserve(self) -> None:
        for q in list(self._subscribers):
            q.put_nowait(None)
        if self._runner is not None:
            await self.slack.drain(timeout=2)
            await self._runner.cleanup()
            self._runner = None

    async def stop(self) -> None:
        if self._restarting is not None:
            await asyncio.gather(self._restarting, return_exceptions=True)
        for t in list(self._tasks):
            t.cancel()
        await self._unserve()
        await self.slack.stop()

    async def reset(self) -> None:
        """Stop the app, delete the sandbox database, forget Slack's state, start again."""
        db = sandbox_database_path(self.settings)
        if getattr(self.settings, "database_url", None) and db is None:
            raise ResetRefused("reset only works when the sandbox keeps its data in a SQLite file")
        if db is not None and "sandbox" not in db.name:
            raise ResetRefused(f"refusing to delete {db}: the sandbox's database file name must contain 'sandbox'")
        await self._unserve()
        if db is not None:
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(str(db) + suffix).unlink(missing_ok=True)
        self.slack.reset()
        await self._serve()

    def _on_change(self, _reason: str) -> None:
        self.version += 1
        for q in list(self._subscribers):
            if q.qsize() < 5:
                q.put_nowait(self.version)

    # -------------------------------------------------------------- routes
    def _add_routes(self, app: web.Application) -> None:
        r = app.router
        r.add_get("/", self._index)
        # browsers ask for it on every page load; the page has no icon, so say so without a 404
        r.add_get("/favicon.ico", self._no_icon)
        r.add_get("/archives/{channel}/{p}", self._index)
        r.add_static("/static/", STATIC, append_version=False)
        r.add_get("/sandbox/state", self._state)
        r.add_get("/sandbox/events", self._events)
        r.add_post("/sandbox/message", self._message)
        r.add_post("/sandbox/click", self._click)
        r.add_post("/sandbox/submit", self._submit)
        r.add_post("/sandbox/close", self._close)
        r.add_post("/sandbox/dismiss", self._dismiss)
        r.add_post("/sandbox/home", self._home)
        r.add_post("/sandbox/reset", self._reset)
        r.add_get("/sandbox/files/{file_id}", self._file)

    async def _file(self, request: web.Request) -> web.StreamResponse:
        """A shared file's bytes, as a download, for someone in a channel it was shared in."""
        user = self._user_param(request.query.get("user"))
        f = self.slack.file(request.match_info["file_id"])
        if f is None or not any(user in self.slack.channels[ch]["members"] for ch, _ts in f["shares"]):
            raise web.HTTPNotFound(text="no such file here")
        return web.Response(
            body=f["content"],
            content_type="text/plain",
            charset="utf-8",
            headers={"Content-Disposition": f'attachment; filename="{f["name"]}"', "Cache-Control": "no-store"},
        )

    async def _no_icon(self, _request: web.Request) -> web.StreamResponse:
        return web.Response(status=204)

    async def _index(self, _request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    def _user_param(self, value: Any) -> str:
        user = str(value or "")
        if user not in self.slack.users or self.slack.users[user]["is_bot"]:
            raise web.HTTPBadRequest(
                text=json.dumps({"error": f"unknown person {user!r}"}), content_type="application/json"
            )
        return user

    async def _json(self, request: web.Request) -> dict:
        try:
            data = await request.json()
        except ValueError:
            raise web.HTTPBadRequest(text=json.dumps({"error": "send JSON"}), content_type="application/json") from None
        if not isinstance(data, dict):
            raise web.HTTPBadRequest(text=json.dumps({"error": "send a JSON object"}), content_type="application/json")
        return data

    def _people(self) -> list[dict]:
        return [
            {
                "id": u["id"],
                "name": u["real_name"],
                "role": PEOPLE_ROLES.get(u["id"], "member"),
                "is_admin": u["is_admin"],
            }
            for u in self.slack.users.values()
            if not u["is_bot"]
        ]

    def state_for(self, user: str) -> dict:
        s = self.slack
        channels = []
        for ch in s.channels.values():
            if ch["is_im"]:
                continue
            if ch["is_private"] and user not in ch.get("members", []):
                continue
            channels.append({"id": ch["id"], "name": ch["name"], "is_private": ch["is_private"], "kind": "channel"})
        dm = s.dm_channel(user)
        channels.append({"id": dm, "name": "Boundary Consult", "is_private": True, "kind": "app"})
        messages = {c["id"]: s.all_messages(c["id"]) for c in channels}
        return {
            "epoch": self.epoch,
            "version": self.version,
            "team": {"id": s.team_id, "name": s.team_name},
            "me": user,
            "bot": {"user_id": s.bot_user_id, "name": "Boundary Consult"},
            "people": self._people(),
            "users": {u["id"]: {"name": u["real_name"], "is_bot": u["is_bot"]} for u in s.users.values()},
            "channels": channels,
            "messages": messages,
            "ephemerals": s.ephemerals(user),
            "views": s.views(user),
            "view_errors": {v["id"]: s.view_errors(v["id"]) for v in s.views(user)},
            "home": s.home(user),
            "commands": [{**c, "escape": c["command"] in s.escape_commands} for c in COMMANDS],
            "mentions": s.mention_candidates(user),
            "database": str(sandbox_database_path(self.settings) or ""),
        }

    async def _state(self, request: web.Request) -> web.Response:
        user = request.query.get("user") or "U0PRACT"
        return web.json_response(self.state_for(self._user_param(user)), headers={"Cache-Control": "no-store"})

    async def _events(self, request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        )
        await resp.prepare(request)
        queue: asyncio.Queue = asyncio.Queue()
        self._subscribers.add(queue)
        try:
            await resp.write(
                f"retry: 500\nevent: hello\ndata: {json.dumps({'epoch': self.epoch, 'version': self.version})}\n\n".encode()
            )
            while True:
                try:
                    item = await asyncio.wait_for(queue.get(), timeout=15)
                except TimeoutError:
                    await resp.write(b": keep-alive\n\n")
                    continue
                if item is None:
                    break
                while not queue.empty():  # coalesce bursts
                    nxt = queue.get_nowait()
                    if nxt is None:
                        item = None
                        break
                    item = nxt
                if item is None:
                    break
                await resp.write(
                    f"event: change\ndata: {json.dumps({'epoch': self.epoch, 'version': item})}\n\n".encode()
                )
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self._subscribers.discard(queue)
        return resp

    @staticmethod
    def _delivery_json(delivery) -> dict:
        if delivery is None:
            return {"ok": True}
        ok = delivery.error is None and (delivery.status or 0) < 300
        out: dict[str, Any] = {"ok": ok, "status": delivery.status}
        if delivery.error:
            out["error"] = delivery.error
        return out

    async def _message(self, request: web.Request) -> web.Response:
        data = await self._json(request)
        user = self._user_param(data.get("user"))
        channel = str(data.get("channel") or "")
        text = str(data.get("text") or "")
        thread_ts = data.get("thread_ts") or None
        if not text.strip():
            return web.json_response({"ok": False, "error": "empty message"}, status=400)
        if channel.startswith("D") and channel[1:] in self.slack.users:
            if channel != self.slack.dm_channel(user):
                return web.json_response(
                    {"ok": False, "error": "that is someone else's conversation with the app"}, status=403
                )
        if channel not in self.slack.channels:
            return web.json_response({"ok": False, "error": "channel_not_found"}, status=400)
        if text.startswith("/") and not thread_ts:
            command, _, rest = text.strip().partition(" ")
            delivery: Delivery | None = await self.slack.send_command(user, channel, command, rest.strip())
        else:
            _, delivery = await self.slack.send_user_message(user, channel, text, thread_ts=thread_ts)
        return web.json_response(self._delivery_json(delivery))

    def _target(self, user: str, data: dict) -> dict:
        kind = data.get("kind")
        if kind in ("view", "home"):
            view_id = data.get("view_id")
            views = self.slack.views(user) if kind == "view" else [self.slack.home(user) or {}]
            for v in views:
                if v.get("id") == view_id:
                    return v
            raise web.HTTPConflict(
                text=json.dumps({"ok": False, "error": "that view is no longer open"}), content_type="application/json"
            )
        if kind == "ephemeral":
            for e in self.slack.ephemerals(user):
                if e["ts"] == data.get("ts"):
                    return e
            raise web.HTTPConflict(
                text=json.dumps({"ok": False, "error": "that message is gone"}), content_type="application/json"
            )
        channel = str(data.get("channel") or "")
        msg = self.slack._find(channel, str(data.get("ts") or ""))
        if msg is None:
            raise web.HTTPConflict(
                text=json.dumps({"ok": False, "error": "that message is gone"}), content_type="application/json"
            )
        return {**msg, "channel": channel}

    async def _click(self, request: web.Request) -> web.Response:
        data = await self._json(request)
        user = self._user_param(data.get("user"))
        target = self._target(user, data)
        try:
            delivery = await self.slack.click(
                user, target, str(data.get("action_id") or ""), data.get("value"), values=data.get("values")
            )
        except ValueError as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=400)
        return web.json_response(self._delivery_json(delivery))

    async def _submit(self, request: web.Request) -> web.Response:
        data = await self._json(request)
        user = self._user_param(data.get("user"))
        try:
            delivery = await self.slack.submit_view(user, str(data.get("view_id") or ""), data.get("values") or {})
        except ValueError as exc:
            errors = getattr(exc, "errors", None)
            return web.json_response(
                {"ok": False, "error": str(exc), "errors": errors or {}}, status=422 if errors else 409
            )
        out = self._delivery_json(delivery)
        out["errors"] = self.slack.view_errors(str(data.get("view_id")))
        return web.json_response(out)

    async def _close(self, request: web.Request) -> web.Response:
        data = await self._json(request)
        user = self._user_param(data.get("user"))
        delivery = await self.slack.close_view(user, str(data.get("view_id") or ""))
        return web.json_response(self._delivery_json(delivery))

    async def _dismiss(self, request: web.Request) -> web.Response:
        data = await self._json(request)
        user = self._user_param(data.get("user"))
        self.slack.dismiss_ephemeral(user, str(data.get("ts") or ""))
        return web.json_response({"ok": True})

    async def _home(self, request: web.Request) -> web.Response:
        data = await self._json(request)
        user = self._user_param(data.get("user"))
        delivery = await self.slack.open_home(user)
        return web.json_response(self._delivery_json(delivery))

    async def _reset(self, request: web.Request) -> web.Response:
        if self._restarting is not None and not self._restarting.done():
            return web.json_response({"ok": True, "restarting": True, "epoch": self.epoch}, status=202)
        db = sandbox_database_path(self.settings)
        if getattr(self.settings, "database_url", None) and (db is None or "sandbox" not in db.name):
            return web.json_response(
                {"ok": False, "error": "reset only deletes a SQLite file whose name contains 'sandbox'"}, status=409
            )

        async def later():
            await asyncio.sleep(0.05)  # let this response go out first
            try:
                await self.reset()
            except Exception:
                log.exception("sandbox reset failed")

        epoch = self.epoch
        self._restarting = asyncio.ensure_future(later())
        return web.json_response({"ok": True, "restarting": True, "epoch": epoch}, status=202)


async def run_sandbox(settings: Any, build_app: BuildApp) -> None:
    """Run the sandbox until cancelled (Ctrl-C)."""
    sandbox = Sandbox(settings, build_app)
    url = await sandbox.start()
    db = sandbox_database_path(settings)
    print(
        "\nBoundary Consult — local sandbox (no Slack workspace or tokens needed)\n"
        f"  open {url} in your browser\n"
        f"  the app's Slack endpoint: {url}slack/events (signed requests, as from Slack)\n"
        f"  sandbox data: {db or settings.database_url}\n"
        "  Ctrl-C to stop\n",
        flush=True,
    )
    try:
        await asyncio.Event().wait()
    finally:
        await sandbox.stop()
