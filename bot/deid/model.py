"""Value types shared by the engine, the recognisers and the callers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .review_spans import ReviewSpan

LABELS = ("NAME", "AGE", "DATE", "LOCATION", "ORG", "CONTACT", "ID")


@dataclass(frozen=True, order=True)
class Span:
    """A removed detail. Offsets are on the ORIGINAL text the caller passed."""

    start: int
    end: int
    label: str
    kind: str = ""  # finer type: "email", "school", "address", ...
    placeholder: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "label": self.label}


@dataclass
class DeidResult:
    text: str
    spans: list[Span] = field(default_factory=list)
    removed: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # words left visible but worth checking (bot.deid.review_spans.ReviewSpan)
    review: list[ReviewSpan] = field(default_factory=list)


@dataclass(frozen=True)
class Candidate:
    """A recogniser's proposal, on the normalised text.

    `priority` settles which label a merged span keeps; `source` names the
    recogniser so the benchmark can measure each one's contribution.
    """

    start: int
    end: int
    label: str
    kind: str = ""
    priority: int = 50
    source: str = ""
