"""Structured (JSON) logging.

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


def setup_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
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
