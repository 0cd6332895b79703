"""Structured (JSON) logging, to stdout (where container hosts and Heroku-style
hosts collect it). On a terminal the same fields are printed as a readable line,
unless LOG_FORMAT=json; LOG_LEVEL (or app.log_level) sets the level.

Log lines carry the kind of request and its latency, never a user ID next to
content and never dilemma text: `log_event` only accepts whitelisted fields.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

SAFE_FIELDS = {
    "kind",
    "name",
    "status",
    "latency_ms",
    "retry",
    "error",
    "path",
    "post",
    "count",
    "method",
    "attempt",
    "mode",
    "url",
    "port",
    "reason",
    "job",
    "purged",
    "detail",
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "t": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[0] is not None:
            # The type only: tracebacks can quote local variables holding user text.
            line["exc"] = record.exc_info[0].__name__
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """The JSON line's fields, for a person at a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        fields = dict(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[0] is not None:
            fields["exc"] = record.exc_info[0].__name__
        extra = " ".join(f"{k}={v}" for k, v in fields.items())
        when = time.strftime("%H:%M:%S", time.gmtime(record.created))
        return f"{when} {record.levelname:<7} {record.name}: {record.getMessage()}" + (f"  {extra}" if extra else "")


def setup_logging(level: str = "INFO", fmt: str | None = None, stream=None) -> None:
    """fmt: "json" or "text"; None: text when the stream is a terminal, JSON otherwise."""
    stream = sys.stdout if stream is None else stream
    if fmt is None:
        isatty = getattr(stream, "isatty", None)
        fmt = "text" if isatty is not None and isatty() else "json"
    handler = logging.StreamHandler(stream)
    handler.setFormatter(TextFormatter() if fmt == "text" else JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # slack_sdk logs request bodies at DEBUG; keep it quiet whatever the level.
    logging.getLogger("slack_sdk").setLevel(logging.WARNING)
    logging.getLogger("slack_bolt").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def log_event(logger: logging.Logger, msg: str, level: int = logging.INFO, **fields: Any) -> None:
    unknown = set(fields) - SAFE_FIELDS
    if unknown:
        raise ValueError(f"log field(s) not allowed: {sorted(unknown)}")
    logger.log(level, msg, extra={"fields": fields})
