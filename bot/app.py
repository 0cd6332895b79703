"""Building the Bolt app and the aiohttp application that serves it."""

from __future__ import annotations

import copy
import logging
import traceback
import weakref
from pathlib import Path

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_bolt.listener_matcher.async_builtins import AsyncBuiltinListenerMatcher
from slack_bolt.request.payload_utils import (
    to_action,
    to_command,
    to_event,
    to_message,
    to_options,
    to_shortcut,
    to_step,
    to_view,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.gateway import GatewayError
from bot.http import MAX_BODY_BYTES, events_handler, health_handler
from bot.listeners import register_listeners
from bot.listeners.context import team_of, user_of
from bot.logs import log_event
from bot.outgoing import Notice
from bot.shutdown import track_listeners
from bot.storage.outage import is_database_down
from bot.texts import text

log = logging.getLogger("bot.app")


class _NoRedundantTokenWarning(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment even when it is given a client
    made with that very token (ours carries the API URL and the retry handlers), then
    warns at every start that the token "will be unused". The token is used, through
    the client; only that warning is dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def create_app(
    services,
    client: AsyncWebClient,
    *,
    signing_secret: str | None,
    process_before_response: bool = False,
) -> AsyncApp:
    bolt_log = logging.getLogger("slack_bolt.App")
    if not any(isinstance(f, _NoRedundantTokenWarning) for f in bolt_log.filters):
        bolt_log.addFilter(_NoRedundantTokenWarning())
    installations = getattr(services, "installations", None)
    oauth: dict = {}
    if installations is not None:  # several workspaces: each request's token from the installation store
        s = services.settings
        oauth = dict(
            oauth_settings=installations.oauth_settings(
                scopes=s.oauth_scopes, redirect_uri=s.redirect_uri, api_url=s.slack_api_url
            ),
            authorize=installations.authorize(),
            # what a person in a workspace with no installation (any more) is told
            user_facing_authorize_error_message=text("messages.install.not_installed"),
        )
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret,
        process_before_response=process_before_response,
        request_verification_enabled=bool(signing_secret),
        logger=bolt_log,
        **oauth,
    )

    # Requests are logged by the front door: bot/http.py in HTTP mode, bot/socket_mode.py in Socket Mode.
    @app.error
    async def on_error(error, body):
        # Where, not what: an exception's message may quote user text.
        frames = traceback.extract_tb(error.__traceback__)
        where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno} {frames[-1].name}" if frames else ""
        if is_database_down(error):
            log_event(log, "database unavailable", logging.ERROR, error=type(error).__name__, detail=where)
            await tell_to_try_again(services, body)
            return
        log_event(log, "listener failed", logging.ERROR, error=type(error).__name__, detail=where)

    register_listeners(app, services)
    track_listeners(app, services.in_flight)
    _match_on_the_body(app)
    return app


class _BodyMatcher(AsyncBuiltinListenerMatcher):
    """A built-in matcher (`app.action(...)`, `app.view(...)`, `app.event(...)`, …) given the
    request body directly. Bolt hands it its one argument, ``body``, by building every
    argument a listener could ask for (the payload parsed eight ways, the context's
    utilities) and keeping that one; Bolt tries the listeners in order until one
    matches, so a request paid for that some 24 times (~5,000 of the ~10,000 calls of
    Bolt's per consult). The same function, the same argument, the same answer; the
    payload is still parsed those eight ways once per request, by the first matcher
    tried, so a body of the wrong shape raises where and as it did (bot/http.py answers 400)."""

    async def async_matches(self, req, resp) -> bool:  # type: ignore[no-untyped-def]
        if req not in _PARSED:
            _parse_as_bolt_does(req.body)
            _PARSED.add(req)
        return await self.func(body=req.body)  # type: ignore[misc, no-any-return]


_PARSED: weakref.WeakSet[object] = weakref.WeakSet()  # requests whose payload was parsed


def _parse_as_bolt_does(body: dict) -> None:
    for parse in (to_options, to_shortcut, to_action, to_view, to_command, to_event, to_message, to_step):
        parse(body)


def _match_on_the_body(app: AsyncApp) -> None:
    for listener in getattr(app, "_async_listeners", ()):
        matchers = []
        for matcher in listener.matchers:
            if type(matcher) is AsyncBuiltinListenerMatcher and list(matcher.arg_names) == ["body"]:
                fast = copy.copy(matcher)
                fast.__class__ = _BodyMatcher
                matcher = fast
            matchers.append(matcher)
        listener.matchers = matchers


async def tell_to_try_again(services, body: dict) -> None:
    """Slack has had its acknowledgement and will not send this again: what the
    person did was not saved, so they hear it and can repeat it. Thread replies in a
    consult channel are not the writer's to repeat and get no DM."""
    event = body.get("event") if isinstance(body.get("event"), dict) else None
    if event is not None and event.get("channel_type") != "im":
        return
    user_id = user_of(body) or (str(event.get("user") or "") if event else "")
    if not user_id:
        return
    try:
        await services.gateway.dm(team_of(body), user_id, Notice(text("messages.errors.database_unavailable")))
    except GatewayError as exc:
        log_event(log, "could not tell the user to try again", logging.WARNING, error=exc.code)


def build_web_app(app: AsyncApp, signing_secret: str, *, store=None) -> web.Application:
    """The HTTP front door; with `store`, /healthz also reports whether the database answers."""
    web_app = web.Application(client_max_size=MAX_BODY_BYTES)
    web_app.router.add_post("/slack/events", events_handler(app, signing_secret))
    web_app.router.add_get("/healthz", health_handler(store))
    if app.oauth_flow is not None:
        from bot.slack.installs import install_routes

        install_routes(web_app, app)
    return web_app
