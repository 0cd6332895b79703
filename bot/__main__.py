"""`python -m bot` — run the app; `python -m bot ask|deid …` — the domain tools;
`python -m bot keygen` — print a new BOUNDARY_SECRET_KEY (make it once and keep it)."""

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
    if argv and argv[0] == "deid":
        from bot.deid.cli import main as deid_main

        return deid_main(argv[1:])
    from bot.server import main as serve

    return serve(argv)


if __name__ == "__main__":
    sys.exit(main())
