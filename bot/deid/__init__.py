"""De-identification of boundary dilemmas (no Slack in here).

from bot.deid import Deidentifier, DeidResult, Span, get_engine
r = get_engine().redact(text, terms=("Maple Grove Clinic",))
"""

from .engine import MAX_CHARS, Deidentifier, DeidInputError, get_engine
from .model import LABELS, DeidResult, Span

__all__ = ["Deidentifier", "DeidResult", "Span", "get_engine", "DeidInputError", "LABELS", "MAX_CHARS"]
