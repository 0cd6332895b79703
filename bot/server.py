"""`python -m bot`: HTTP mode, Socket Mode (SLACK_APP_TOKEN) or, without a bot
token, the local sandbox."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import time

from aiohttp import web

from bot.app import build_web_app, create_app
from bot.config import ConfigError, Settings, StartupError, load_settings
from bot.guard import ConnectionGuard, GuardedSite, listen_backlog
from bot.guard import install as install_guard
from bot.http import health_handler
from bot.logs import log_event, setup_logging
from bot.services import build_services
from bot.storage.outage import is_database_down
from bot.warmup import warm_up
from bot.worker import Worker

log = logging.getLogger("bot.server")


def _where(url: str) -> str:
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL: say which kind, not what it holds
        return url.split(":", 1)[0]


async def start_app(settings: Settings, *, warm: bool = True):
    """Services, the Bolt app and its worker, ready to serve. ``warm=False``: the
    engines are left to ``bot.warmup.warm_up``, run once the port is open."""
    try:
        services = await build_services(settings)
    except Exception as exc:
        if not is_database_down(exc):
            raise
        hint = "check DATABASE_URL and that the database is running"
        if "rejected SSL" in str(exc):  # asyncpg: sslmode=require (or verify-…) and a server without TLS
            hint = (
                "the server does not accept SSL: check sslmode= in DATABASE_URL (the host's form may need it removed)"
            )
        raise StartupError(
            f"the database at {_where(settings.resolved_database_url())} cannot be reached "
            f"({type(exc).__name__}); {hint}"
        ) from None
    if warm:  # the lexicons, the matcher and the risk cues, then gc.freeze() (bot/warmup.py)
        await warm_up(services.matcher)
    app = create_app(services, services.client, signing_secret=settings.signing_secret)
    worker = Worker(services)
    return services, app, worker


class BotTokenRefused(StartupError):
    pass


async def join_configured_channels(services) -> dict[str, str]:
    """Joins the consultation channels the app is not in yet, so the first post there
    does not fail with not_in_channel; says in the log which it cannot post in (and
    `/boundary-admin status` shows them). Never stops the start: Slack may be slow."""
    from slack_sdk.errors import SlackApiError

    from bot.gateway import Team
    from bot.socket_mode import REFUSED

    settings = services.settings
    if settings.oauth and not settings.team_id:
        return {}  # several workspaces, config/ names channels for none of them
    try:
        if settings.team_id and settings.oauth:  # the workspace config/ names (its token: by that key)
            team = Team(settings.team_id)
        else:
            try:
                auth = await services.client.auth_test()
            except SlackApiError as exc:
                error = str(exc.response.get("error") or "")
                if error in REFUSED and settings.bot_token:
                    # No call the app makes can succeed: the start fails with one line (serve()).
                    raise BotTokenRefused(
                        f"Slack refused SLACK_BOT_TOKEN ({error}): set it to the app's Bot User OAuth Token "
                        "(xoxb-…, OAuth & Permissions), or reinstall the app if it was revoked"
                    ) from None
                raise
            team = Team(str(auth["team_id"]), auth.get("enterprise_id") or None)
        states = await services.admin.join_configured_channels(team)
    except BotTokenRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - reported, and retried at the next start
        log_event(log, "consultation channels not checked", logging.WARNING, error=type(exc).__name__)
        return {}
    for channel, state in states.items():
        if state not in ("member", "joined"):
            log_event(log, "consultation channel the app cannot post in", logging.WARNING, detail=channel, reason=state)
    log_event(log, "consultation channels checked", count=len(states))
    return states


async def serve(settings: Settings) -> None:
    socket_mode = settings.socket_mode
    if not socket_mode and not settings.signing_secret:
        raise ConfigError("SLACK_SIGNING_SECRET is required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)")
    services, app, worker = await start_app(settings, warm=False)
    handler = None
    if socket_mode:
        from bot.socket_mode import LoggedSocketModeHandler

        handler = LoggedSocketModeHandler(app, settings.app_token or "")
        # Slack reaches the app over the WebSocket (no signing secret needed: nothing
        # arrives over HTTP); only the health check is served.
        web_app = web.Application()
        web_app.router.add_get("/healthz", health_handler(services.store, socket=handler.client.health))
    else:
        web_app = build_web_app(app, settings.signing_secret or "", store=services.store)
    guard = ConnectionGuard()
    install_guard(web_app, guard)
    # aiohttp gives requests under way this long to finish when the runner is cleaned up.
    runner = web.AppRunner(web_app, access_log=None, shutdown_timeout=settings.shutdown_seconds)
    await runner.setup()
    try:
        # A burst of new connections must not overflow the listen queue (default 128);
        # slow ones are timed out and capped (bot/guard.py).
        await GuardedSite(runner, "0.0.0.0", settings.port, guard, backlog=listen_backlog()).start()
    except OSError as exc:
        await guard.close()
        await runner.cleanup()
        await services.close()
        raise StartupError(
            f"cannot listen on port {settings.port} ({exc.strerror or type(exc).__name__}): "
            "another process is using it; stop it or set PORT (or app.port) to a free port"
        ) from None
    log_event(log, "started", mode="socket" if socket_mode else "http", port=settings.port)
    stop_requested = asyncio.Event()
    warming = asyncio.create_task(warm_up(services.matcher))  # /healthz answers meanwhile
    joining = asyncio.create_task(join_configured_channels(services))

    # Slack refusing the bot token (found by that check) stops the app: see below.
    def refused(task: asyncio.Task) -> None:
        if not task.cancelled() and task.exception() is not None:
            stop_requested.set()

    joining.add_done_callback(refused)
    worker.start()  # its first tick sends posts left pending by a crash
    # SIGTERM (a deploy, a scale-down, `docker stop`) and Ctrl-C stop cleanly: see stop().
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop_requested.set)
    stopping = asyncio.create_task(stop_requested.wait())
    connecting: asyncio.Task | None = None
    try:
        if handler is not None:
            # Until the first connection (or the token's refusal); a stop ends the wait.
            connecting = asyncio.create_task(handler.connect_async())
            await asyncio.wait({connecting, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if handler.client.refused is not None:
                raise StartupError(handler.client.refused)
        await stopping
        if joining.done() and not joining.cancelled() and isinstance(joining.exception(), BotTokenRefused):
            raise StartupError(str(joining.exception()))
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        stopping.cancel()
        if connecting is not None and not connecting.done():
            connecting.cancel()
        await asyncio.wait([warming])  # a thread: it finishes (well under a second) rather than being cut
        await stop(settings, services, worker, runner, guard, handler, starting=joining)


async def stop(
    settings: Settings, services, worker: Worker, runner: web.AppRunner, guard, handler, starting=None
) -> None:
    """A clean stop, within settings.shutdown_seconds: no new requests (the listening
    socket, or the Socket Mode connection, is closed first; Slack sends what follows to
    another process or again later), then what was acknowledged is finished: requests
    under way, the listeners Bolt runs after its ack (an answer on its way to a
    response_url, an intake step, a submitted reply) and the worker's tick. Relay batches
    and pending posts are rows in the database, sent by the next process. Then the
    database is closed (SQLite checkpoints its WAL)."""
    deadline = time.monotonic() + settings.shutdown_seconds

    def left() -> float:
        return max(0.0, deadline - time.monotonic())

    if handler is not None:
        await handler.close_async()  # the WebSocket and its HTTP session
    for site in list(runner.sites):
        await site.stop()
    log_event(log, "stopping", count=services.in_flight.count, detail=f"up to {settings.shutdown_seconds:g} s")
    # Requests whose handler is still running (a slash command waiting for its ack).
    if hasattr(runner, "_shutdown_timeout"):  # aiohttp's, read at cleanup: the bound is for the whole stop
        runner._shutdown_timeout = left()
    await runner.cleanup()
    finished = await services.in_flight.wait_idle(left())
    ticked = await worker.stop(timeout=left())
    # The start-up channel check, if still under way, finishes too: cancelled in the middle of
    # a database statement, the connection's reset fails and the pool logs an error.
    if starting is not None and not starting.done():
        await asyncio.wait([starting], timeout=left())
        if not starting.done():
            starting.cancel()
            ticked = False
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await starting
    await guard.close()
    if not (finished and ticked):
        log_event(
            log,
            "stopped before all acknowledged work finished",
            logging.WARNING,
            count=services.in_flight.count,
            reason="shutdown_seconds reached",
        )
    await services.close()
    log_event(log, "stopped")


def use_sandbox_database(settings: Settings) -> str:
    """Points the sandbox at its own database and says which, in one line.

    Without SLACK_BOT_TOKEN the app is the sandbox: it must never open the database
    named by DATABASE_URL (or the config's storage.database_url), which may be a real
    deployment's (it would consume that deployment's queue). Only
    BOUNDARY_SANDBOX_DATABASE_URL chooses another database for it, on purpose."""
    named = settings.database_url
    source = settings.database_setting()  # read before database_url is replaced below
    settings.database_url = settings.sandbox_database_url  # None: data/sandbox.sqlite3
    used = (
        "BOUNDARY_SANDBOX_DATABASE_URL" if settings.sandbox_database_url else str(settings.data_dir / "sandbox.sqlite3")
    )
    line = f"Sandbox (no SLACK_BOT_TOKEN): using the database {used}"
    if named and named != settings.sandbox_database_url:
        line += f"; not opening the one named by {source} (set BOUNDARY_SANDBOX_DATABASE_URL to choose one on purpose)"
    return line


def main(argv: list[str] | None = None) -> int:
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings.log_level, settings.log_format)
    try:
        if settings.sandbox:
            from bot.sandbox.server import run_sandbox

            print(use_sandbox_database(settings), flush=True)
            asyncio.run(run_sandbox(settings, sandbox_web_app))
        else:
            asyncio.run(serve(settings))
    except StartupError as exc:  # (a ConfigError too: caught first)
        print(f"Cannot start: {exc}", file=sys.stderr)
        return 3
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, asyncio.CancelledError):
        pass
    return 0


async def sandbox_web_app(settings: Settings, client_base_url: str) -> web.Application:
    """The real app pointed at the sandbox's stand-in for Slack."""
    settings.slack_api_url = client_base_url
    services, app, worker = await start_app(settings)
    web_app = build_web_app(app, settings.signing_secret or "", store=services.store)

    async def lifecycle(_app):
        worker.interval = 1.0
        # The start-up jobs' log lines (retention, expiry) come out before the sandbox
        # prints its URL, so the URL is the last thing on a first run's screen.
        await worker.tick_logged()
        worker.start()
        yield
        await worker.stop()
        await services.close()

    web_app.cleanup_ctx.append(lifecycle)
    return web_app
