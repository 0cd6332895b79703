"""``python -m bot.sandbox [--demo] [--port N]``: the local sandbox on its own.

``python -m bot`` without ``SLACK_BOT_TOKEN`` is the usual way in; this entry point
exists so that the sandbox can also be run with the small demo app (``--demo``), e.g.
while changing the sandbox itself.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys


def _real_build_app():
    try:
        from bot.server import sandbox_web_app  # the real app: (settings, client_base_url) -> web.Application
    except ImportError:
        return None
    return sandbox_web_app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.sandbox", description=__doc__.splitlines()[0])
    parser.add_argument("--demo", action="store_true", help="run the small demo app instead of Boundary Consult")
    parser.add_argument("--port", type=int, help="HTTP port (default: settings / PORT / 3000)")
    args = parser.parse_args(argv)

    from bot.config import ConfigError, load_settings
    from bot.sandbox.server import run_sandbox

    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    if args.port is not None:
        settings.port = args.port
    if settings.database_url is None or args.demo:
        settings.database_url = (
            f"sqlite:///{settings.data_dir / ('sandbox-demo.sqlite3' if args.demo else 'sandbox.sqlite3')}"
        )
    build_app = None if args.demo else _real_build_app()
    if build_app is None:
        if not args.demo:
            print("bot.server.sandbox_web_app is not available: running the demo app.", file=sys.stderr)
        from bot.sandbox.demo_app import build_app
    logging.basicConfig(level=getattr(logging, str(settings.log_level).upper(), logging.INFO))
    try:
        assert build_app is not None  # the real app's builder, or the demo's
        asyncio.run(run_sandbox(settings, build_app))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
