"""De-identification of boundary dilemmas (no Slack in here).

from bot.deid import Deidentifier, DeidResult, Span, get_engine
r = get_engine().redact(text, terms=("Maple Grove Clinic",))

From async code, run it off the event loop: ``await off_loop(engine.redact, text)``.
The names below are imported on first use, so importing ``bot.deid.offload``
does not compile the recognisers.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Deidentifier": "engine",
    "DeidInputError": "engine",
    "MAX_CHARS": "engine",
    "get_engine": "engine",
    "DeidResult": "model",
    "Span": "model",
    "LABELS": "model",
    "off_loop": "offload",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    mod = _EXPORTS.get(name)
    if mod is None:
        raise AttributeError(f"module 'bot.deid' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{mod}"), name)
    globals()[name] = value
    return value
