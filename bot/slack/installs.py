"""Installed in several workspaces: Bolt's OAuth flow, with slack-sdk's SQLAlchemy
installation and state stores on the app's own database (tables made by migration
0007), and the bot token of each workspace for the gateway.

Bolt and the gateway find a token the same way, in the same table: Bolt for each
request it receives (its ``AsyncInstallationStoreAuthorize``; a workspace that has not
installed the app gets Bolt's "please install" answer and reaches no listener), the
gateway for each call it makes (``Installations.client_for``). Org-wide installs on
Enterprise Grid are stored under the organisation (``team_id`` null), workspace
installs under the workspace; the data key (``Team.id``, ``bot.listeners.context``) is
the organisation's ID for the first and the workspace's for the second, and
``bot_for_key`` finds the token from that key alone (what a background job has).
"""

from __future__ import annotations

import logging
import time
from functools import cache
from html import escape as escape_html
from pathlib import Path

import yaml
from aiohttp import web
from cryptography.fernet import InvalidToken, MultiFernet
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_callback_options import AsyncCallbackOptions, AsyncFailureArgs, AsyncSuccessArgs
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore, SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import Text, and_, desc, or_
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.types import TypeDecorator

from bot.gateway import Team
from bot.logs import log_event
from bot.texts import text

log = logging.getLogger("bot.installs")

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"


@cache
def bot_scopes() -> tuple[str, ...]:
    """What /slack/install asks a workspace for, unless SLACK_SCOPES says otherwise: the bot
    scopes of manifest.yml, the file the app is created from, so the two cannot drift."""
    with open(MANIFEST, encoding="utf-8") as fh:
        return tuple(yaml.safe_load(fh)["oauth_config"]["scopes"]["bot"])


INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600  # an install started must finish within 10 minutes
# How long the gateway keeps a workspace's token before reading it again: after an
# uninstall or a reinstall handled by another process, calls made with the old token
# fail (token_revoked) for at most this long.
TOKEN_SECONDS = 10.0


def authorize_url(api_url: str | None) -> str:
    """Slack's authorize page, next to the Web API it was given (the fake Slack has one too)."""
    base = (api_url or "https://slack.com/api/").rstrip("/")
    if base.endswith("/api"):
        base = base[: -len("/api")]
    return base + "/oauth/v2/authorize"


TOKEN_COLUMNS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")


class Sealed(TypeDecorator):
    """A token column written encrypted with the app's secret key (Fernet, keys derived
    for this purpose; any key of BOUNDARY_SECRET_KEY reads it): a copy of the database
    alone does not give anyone the workspaces' bot tokens."""

    impl = Text
    cache_ok = True

    def __init__(self, fernet: MultiFernet):
        super().__init__()
        self.fernet = fernet

    def process_bind_param(self, value, dialect):
        return None if value is None else self.fernet.encrypt(str(value).encode()).decode()

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        try:
            return self.fernet.decrypt(value.encode()).decode()
        except InvalidToken:  # written under a key no longer configured: no token
            return None


class SealedInstallationStore(AsyncSQLAlchemyInstallationStore):
    """slack-sdk's store, its token columns sealed (the rest as slack-sdk reads and writes it)."""

    def __init__(self, *, client_id: str, engine: AsyncEngine, fernet: MultiFernet):
        super().__init__(client_id=client_id, engine=engine, logger=log)
        for table in (self.bots, self.installations):
            for name in TOKEN_COLUMNS:
                if name in table.c:
                    table.c[name].type = Sealed(fernet)


class Installations:
    """The installation and state stores, and the token of each installed workspace."""

    def __init__(
        self, engine: AsyncEngine, client_id: str, client_secret: str, client: AsyncWebClient, fernet: MultiFernet
    ):
        self.client_id = client_id
        self.client_secret = client_secret
        self.client = client  # the base client: API URL, timeout, retry handlers; no token
        self.store = SealedInstallationStore(client_id=client_id, engine=engine, fernet=fernet)
        self.states = AsyncSQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=engine, logger=log)
        self._tokens: dict[str, tuple[float, str | None]] = {}
        self._clients: dict[str, AsyncWebClient] = {}

    async def bot_for_key(self, key: str) -> Bot | None:
        """The newest bot installation for a data key: a workspace's ID, or an Enterprise
        Grid organisation's for its org-wide install."""
        c = self.store.bots.c
        query = (
            self.store.bots.select()
            .where(
                and_(
                    c.client_id == self.client_id,
                    c.bot_token.is_not(None),
                    or_(
                        and_(c.team_id == key, c.is_enterprise_install.is_(False)),
                        and_(c.enterprise_id == key, c.is_enterprise_install.is_(True)),
                    ),
                )
            )
            .order_by(desc(c.installed_at), desc(c.id))
            .limit(1)
        )
        async with self.store.engine.connect() as conn:
            for row in (await conn.execute(query)).mappings():
                return SQLAlchemyInstallationStore.build_bot_entity(row)
        return None

    async def token(self, team: Team) -> str | None:
        cached = self._tokens.get(team.id)
        if cached is not None and time.monotonic() - cached[0] < TOKEN_SECONDS:
            return cached[1]
        bot = await self.bot_for_key(team.id)
        token = bot.bot_token if bot is not None else None
        self._tokens[team.id] = (time.monotonic(), token)
        return token

    async def client_for(self, team: Team) -> AsyncWebClient:
        """A client with this workspace's bot token (one per token, kept); a workspace
        with no installation gets a client without one, whose calls fail not_authed."""
        token = await self.token(team)
        if token is None:
            log_event(log, "no installation for this workspace", logging.WARNING, detail=team.id)
        client = self._clients.get(token or "")
        if client is None:
            base = self.client
            client = AsyncWebClient(
                token=token,
                base_url=base.base_url,
                timeout=base.timeout,
                retry_handlers=list(base.retry_handlers or []),
            )
            self._clients[token or ""] = client
        return client

    def forget(self, team: Team) -> None:
        """Drops what this process keeps of a workspace's token (installed again, or gone)."""
        token = self._tokens.pop(team.id, (0.0, None))[1]
        if token is not None:
            self._clients.pop(token, None)

    async def remove(self, team: Team) -> None:
        """The app was uninstalled (or its bot token revoked): every installation row of
        that workspace (or organisation, for an org-wide install) goes."""
        enterprise_id: str | None = team.enterprise_id
        team_id: str | None = team.id
        if team.is_enterprise_install:
            enterprise_id, team_id = team.enterprise_id or team.id, None
        await self.store.async_delete_installation(enterprise_id=enterprise_id, team_id=team_id)
        await self.store.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)
        if enterprise_id and team_id:
            # installed before the workspace joined an organisation: stored without one
            await self.store.async_delete_installation(enterprise_id=None, team_id=team_id)
            await self.store.async_delete_bot(enterprise_id=None, team_id=team_id)
        self.forget(team)

    def authorize(self) -> AsyncInstallationStoreAuthorize:
        """Bolt's authorize on the same store; auth.test answers are kept per token (the
        installation itself is read at every request, so an uninstall takes effect at once)."""
        return AsyncInstallationStoreAuthorize(
            logger=logging.getLogger("slack_bolt.authorize"),
            installation_store=self.store,
            client_id=self.client_id,
            client_secret=self.client_secret,
            bot_only=True,
            cache_enabled=True,
        )

    def oauth_settings(
        self, *, scopes: list[str] | None, redirect_uri: str | None, api_url: str | None
    ) -> AsyncOAuthSettings:
        return AsyncOAuthSettings(
            client_id=self.client_id,
            client_secret=self.client_secret,
            scopes=list(scopes or bot_scopes()),
            user_scopes=[],
            redirect_uri=redirect_uri,
            install_path=INSTALL_PATH,
            # /slack/install sends the browser straight to Slack's page (no page of ours between)
            install_page_rendering_enabled=False,
            redirect_uri_path=REDIRECT_PATH,
            callback_options=AsyncCallbackOptions(success=self._success, failure=self._failure),
            authorization_url=authorize_url(api_url),
            installation_store=self.store,
            installation_store_bot_only=True,
            state_store=self.states,
            state_expiration_seconds=STATE_SECONDS,
            logger=logging.getLogger("slack_bolt.oauth"),
        )

    async def _success(self, args: AsyncSuccessArgs) -> BoltResponse:
        i = args.installation
        key = (i.enterprise_id if i.is_enterprise_install else i.team_id) or ""
        self._tokens.pop(key, None)
        name = (i.enterprise_name if i.is_enterprise_install else i.team_name) or key
        log_event(log, "installed", detail=key, kind="org" if i.is_enterprise_install else "workspace")
        return _page(200, "installed", text("messages.install.success", workspace=name))

    async def _failure(self, args: AsyncFailureArgs) -> BoltResponse:
        log_event(log, "install failed", logging.WARNING, reason=args.reason, status=args.suggested_status_code)
        return _page(
            args.suggested_status_code,
            "failed",
            text("messages.install.failure", reason=args.reason),
            again=INSTALL_PATH,
        )


def _page(status: int, kind: str, said: str, again: str | None = None) -> BoltResponse:
    """A plain page: the title, the text's paragraphs (escaped: a workspace's name is
    anyone's to choose), and a link to start again after a failure."""
    title = escape_html(text(f"messages.install.title_{kind}"))
    body = "".join(f"<p>{escape_html(p.strip())}</p>" for p in said.split("\n\n") if p.strip())
    if again:
        body += f'<p><a href="{escape_html(again)}">{escape_html(text("messages.install.again"))}</a></p>'

    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>'
        "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#222}"
        "h1{font-size:1.4em}</style></head>"
        f"<body><h1>{title}</h1>{body}</body></html>"
    )
    return BoltResponse(status=status, body=html, headers={"Content-Type": "text/html; charset=utf-8"})


def install_routes(web_app: web.Application, app: AsyncApp) -> None:
    """GET /slack/install and /slack/oauth_redirect, answered by Bolt's OAuth flow."""
    flow = app.oauth_flow
    assert flow is not None

    async def handle(request: web.Request) -> web.Response:
        started = time.perf_counter()
        bolt_request = AsyncBoltRequest(body="", query=request.query_string, headers=dict(request.headers))
        if request.path == flow.install_path:
            response = await flow.handle_installation(bolt_request)
        else:
            response = await flow.handle_callback(bolt_request)
        log_event(
            log,
            "request",
            kind="oauth",
            name=request.path,
            status=response.status,
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return await to_aiohttp_response(response)

    web_app.router.add_get(flow.install_path, handle)
    web_app.router.add_get(flow.redirect_uri_path, handle)
