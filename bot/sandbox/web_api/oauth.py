"""Several workspaces behind one Web API URL, and the OAuth install that gives the app
a bot token in each: Slack's authorize page (``/oauth/v2/authorize``) and
``oauth.v2.access``, as strict as Slack's.

Each workspace is a :class:`~bot.sandbox.web_api.SlackStandIn` of its own (its
people, channels, messages, recorded calls); this front answers every Web API call
with the workspace whose token the call carries (a token never installed, or revoked
by an uninstall, is ``invalid_auth`` / ``token_revoked``), and every ``response_url``
with the workspace that issued it. Nothing works in a workspace before the app is
installed there.

An install, as Slack runs it: the browser goes to ``/slack/install``, which sends it to
``/oauth/v2/authorize?client_id&scope&state&redirect_uri`` here; the fake answers for
the workspace named by ``team`` (what ``/slack/install?team=T…`` passes on) with a
redirect to the app's redirect URL with a ``code`` and the same ``state``; the app
trades the code with ``oauth.v2.access``: once, within 10 minutes, with its client ID
and secret, and with the redirect URL the authorize step had (when it had one). The
token is granted exactly the scopes asked for, which must be among the manifest's.
On Enterprise Grid, a workspace added with ``org_install=True`` is installed org-wide:
one token for every such workspace of the organisation (the fake answers that token's
Web API calls as the first of them; ``response_url``s still go to the one that issued them).
"""

from __future__ import annotations

import base64
import secrets
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from aiohttp import web

from bot.sandbox.serving import serve
from bot.sandbox.web_api.state import BOT_SCOPES, Call

if TYPE_CHECKING:
    from bot.sandbox.web_api import SlackStandIn

CODE_SECONDS = 600  # Slack's codes last 10 minutes and are single use


class SlackWorkspaces:
    """Several workspaces behind one Web API URL, and the OAuth install that gives the app a bot token in each."""

    def __init__(
        self,
        *,
        client_id: str = "1111.2222",
        client_secret: str = "fake-client-secret",
        redirect_urls: list[str] | None = None,
    ):
        self.client_id = client_id
        self.client_secret = client_secret
        # the app's Redirect URLs (manifest.yml oauth_config.redirect_urls, with the real host)
        self.redirect_urls = list(redirect_urls or [])
        self.workspaces: dict[str, SlackStandIn] = {}
        self.calls: list[Call] = []  # oauth.v2.access, and calls no workspace could take
        self.base_url: str | None = None
        self._codes: dict[str, dict] = {}
        self._revoked: set[str] = set()
        self._runner: web.AppRunner | None = None

    # ---- workspaces --------------------------------------------------------
    def add(self, team_id: str, **kwargs: Any) -> SlackStandIn:
        """A workspace (``enterprise_id=``, ``org_install=`` for Enterprise Grid), with no
        token until the app is installed there."""
        from bot.sandbox.web_api import SlackStandIn

        stand_in = SlackStandIn(team_id=team_id, valid_tokens=set(), **kwargs)
        stand_in.base_url = self.base_url
        self.workspaces[team_id] = stand_in
        return stand_in

    def __getitem__(self, team_id: str) -> SlackStandIn:
        return self.workspaces[team_id]

    def tokens(self, team_id: str) -> set[str]:
        return set(self.workspaces[team_id].valid_tokens or ())

    def connect(self, events_url: str, signing_secret: str) -> None:
        """Where every workspace sends its requests: the one app, signed with its secret."""
        for ws in self.workspaces.values():
            ws.events_url, ws.signing_secret = events_url, signing_secret

    def _sharing_install(self, ws: SlackStandIn) -> list[SlackStandIn]:
        """The workspaces one install covers: itself, or its organisation's org-wide ones."""
        if not ws.org_install:
            return [ws]
        return [w for w in self.workspaces.values() if w.org_install and w.enterprise_id == ws.enterprise_id]

    async def uninstall(self, team_id: str) -> None:
        """Someone removes the app: its tokens stop working at once, then Slack tells the
        app (``tokens_revoked``, then ``app_uninstalled``)."""
        ws = self.workspaces[team_id]
        for w in self._sharing_install(ws):
            self._revoked |= set(w.valid_tokens or ())
            w.valid_tokens = set()
        await ws.deliver_event({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [ws.bot_user_id]}})
        await ws.deliver_event({"type": "app_uninstalled"})

    # ---- the HTTP side -------------------------------------------------------
    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_get("/oauth/v2/authorize", self._authorize)
        app.router.add_post("/response_url/{key}", self._response_url)
        app.router.add_post("/upload/{file_id}", self._upload)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._runner, real_port = await serve(self.make_app(), host, port)
        self.base_url = f"http://{host}:{real_port}/"
        for ws in self.workspaces.values():
            ws.base_url = self.base_url
        return self.base_url

    @property
    def api_url(self) -> str:
        assert self.base_url, "start() the workspaces first"
        return self.base_url + "api/"

    async def stop(self) -> None:
        for ws in self.workspaces.values():
            await ws.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        if method == "oauth.v2.access":
            return await self._oauth_v2_access(request)
        auth = request.headers.get("Authorization", "")
        token = auth[len("Bearer ") :].strip() if auth.startswith("Bearer ") else None
        if token is None and request.method == "POST" and request.can_read_body:
            token = dict(parse_qsl(await request.text())).get("token")
        for ws in self.workspaces.values():
            if token and token in (ws.valid_tokens or ()):
                return await ws._handle_api(request)
        error = "token_revoked" if token in self._revoked else ("not_authed" if not token else "invalid_auth")
        self.calls.append(Call(method, {}, 200, {"ok": False, "error": error}, token=token))
        return web.json_response({"ok": False, "error": error})

    async def _response_url(self, request: web.Request) -> web.StreamResponse:
        key = request.match_info["key"]
        for ws in self.workspaces.values():
            if key in ws._response_urls:
                return await ws._handle_response_url(request)
        return web.json_response({"ok": False, "error": "expired_url"}, status=404)

    async def _upload(self, request: web.Request) -> web.StreamResponse:
        """A file's upload URL (files.getUploadURLExternal): the workspace that issued it takes the bytes."""
        for ws in self.workspaces.values():
            if request.match_info["file_id"] in ws.files:
                return await ws._handle_upload(request)
        return web.Response(status=404, text="not found")

    def _page(self, status: int, error: str) -> web.Response:
        return web.Response(status=status, text=f"Slack (fake): {error}", content_type="text/plain")

    async def _authorize(self, request: web.Request) -> web.Response:
        """Slack's page where an admin approves the install; here approved at once for the
        workspace ``team`` names (or the only one)."""
        q = request.query
        if q.get("client_id") != self.client_id:
            return self._page(400, "invalid_client_id")
        asked = [s for s in q.get("scope", "").split(",") if s]
        if not asked or not set(asked) <= set(BOT_SCOPES):
            return self._page(400, "invalid_scope")
        if [s for s in q.get("user_scope", "").split(",") if s]:
            return self._page(400, "invalid_scope")  # the manifest asks for no user scopes
        team = q.get("team") or (next(iter(self.workspaces)) if len(self.workspaces) == 1 else "")
        ws = self.workspaces.get(team)
        if ws is None:
            return self._page(400, "choose a workspace: /slack/install?team=<team id>")
        given = q.get("redirect_uri")
        # Slack: a given redirect_uri must be under one of the app's Redirect URLs; without
        # one, the first of them is used
        if given and not any(given.startswith(url) for url in self.redirect_urls):
            return self._page(400, "bad_redirect_uri")
        redirect = given or (self.redirect_urls[0] if self.redirect_urls else "")
        if not redirect:
            return self._page(400, "bad_redirect_uri: the app has no Redirect URL")
        code = f"{ws.team_id}.{secrets.token_hex(8)}"
        self._codes[code] = {
            "team": ws.team_id,
            "scopes": asked,
            "redirect_uri": redirect,
            "given_redirect": bool(given),
            "issued": time.time(),
            "installer": next((u for u, v in ws.users.items() if v.get("is_admin")), ws.bot_user_id),
        }
        parts = urlsplit(redirect)
        query = "&".join(x for x in (parts.query, urlencode({"code": code, "state": q.get("state", "")})) if x)
        raise web.HTTPFound(urlunsplit((parts.scheme, parts.netloc, parts.path, query, "")))

    async def _oauth_v2_access(self, request: web.Request) -> web.Response:
        args: dict[str, str] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            args.update(dict(parse_qsl(await request.text(), keep_blank_values=True)))
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            try:
                cid, _, secret = base64.b64decode(auth[len("Basic ") :]).decode().partition(":")
            except ValueError:
                cid, secret = "", ""
            args.setdefault("client_id", cid)
            args.setdefault("client_secret", secret)
        call = Call("oauth.v2.access", {k: v for k, v in args.items() if k != "client_secret"})
        self.calls.append(call)
        call.response = self._exchange(args)
        return web.json_response(call.response)

    def _exchange(self, args: dict[str, str]) -> dict:
        if args.get("client_id") != self.client_id:
            return {"ok": False, "error": "invalid_client_id"}
        if args.get("client_secret") != self.client_secret:
            return {"ok": False, "error": "bad_client_secret"}
        grant = self._codes.pop(args.get("code") or "", None)  # single use, even when the rest is wrong
        if grant is None or time.time() - grant["issued"] > CODE_SECONDS:
            return {"ok": False, "error": "invalid_code"}
        if grant["given_redirect"] and args.get("redirect_uri") != grant["redirect_uri"]:
            return {"ok": False, "error": "bad_redirect_uri"}
        ws = self.workspaces[grant["team"]]
        token = f"xoxb-{ws.enterprise_id if ws.org_install else ws.team_id}-{secrets.token_hex(6)}"
        for w in self._sharing_install(ws):
            w.valid_tokens = {token}  # a new install replaces the old token
            w.scopes = list(grant["scopes"])
        org = {"id": ws.enterprise_id, "name": f"{ws.enterprise_id} org"} if ws.enterprise_id else None
        return {
            "ok": True,
            "access_token": token,
            "token_type": "bot",
            "scope": ",".join(grant["scopes"]),
            "bot_user_id": ws.bot_user_id,
            "app_id": ws.app_id,
            "team": None if ws.org_install else {"id": ws.team_id, "name": ws.team_name},
            "enterprise": org,
            "is_enterprise_install": ws.org_install,
            "authed_user": {"id": grant["installer"]},
        }
