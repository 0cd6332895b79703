"""`python -m bot` — run the app; `python -m bot ask|deid …` — the domain tools;
`python -m bot keygen` — print a new BOUNDARY_SECRET_KEY (make it once and keep it);
`python -m bot healthcheck` — exit 0 if the running app answers GET /healthz (the
container's HEALTHCHECK)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "ask":
        from bot.principles.cli import main as ask_main

        return ask_main(argv[1:])
    if argv and argv[0] == "keygen":
        from bot.identity import new_key

        print(new_key())
        return 0
    if argv and argv[0] == "healthcheck":
        return healthcheck()
    if argv and argv[0] == "deid":
        from bot.deid.cli import main as deid_main

        return deid_main(argv[1:])
    import gc

    # Importing the app creates ~150,000 objects that live as long as the process: the
    # collector's passes over them meanwhile find nothing to free (~10 % of the imports' CPU).
    # Frozen afterwards, so that the collector's later full passes skip them too.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        from bot.server import main as serve
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
    return serve(argv)


def healthcheck() -> int:
    """GET /healthz on this host's port (PORT, else app.port): 0 when it answers 200."""
    import urllib.request

    from bot.config import ConfigError, load_settings

    try:
        port = load_settings().port
    except ConfigError:
        port = 3000
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=4) as r:
            return 0 if r.status == 200 else 1
    except OSError as exc:
        print(f"unhealthy: {type(exc).__name__}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
