"""From intake answers to the de-identified post content (what gets stored and shown)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from bot.consult.intake import IntakeSpec
from bot.consult.model import FREE_TEXT_FIELDS, PostContent


@cache
def _risk_regex(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def suggests_risk(spec: IntakeSpec, texts: list[str]) -> bool:
    pattern = _risk_regex(tuple(spec.raw("risk.patterns")))
    return any(pattern.search(t) for t in texts if t)


def compose(
    spec: IntakeSpec,
    answers: dict[str, Any],
    engine: Any,
    terms: list[str],
    removed_before: dict[str, int] | None = None,
) -> PostContent:
    """The post's content: labels for the choices, de-identified free text (person
    placeholders consistent across fields), what was removed, and review warnings."""
    texts = [answers.get(k) or "" for k in FREE_TEXT_FIELDS]
    results = engine.redact_many(texts, terms=tuple(terms))
    removed: dict[str, int] = dict(removed_before or {})  # what earlier previews removed, before an Edit
    warnings: list[str] = []
    for r in results:
        for label, n in r.removed.items():
            removed[label] = removed.get(label, 0) + n
        for w in r.warnings:
            if w not in warnings:
                warnings.append(w)
    fields = tuple(
        (step.field_label, step.label_of(answers[step.id]) or "")
        for step in spec.steps
        if step.kind == "choice" and answers.get(step.id)
    )
    deidentified = {
        key: (r.text.strip() if answers.get(key) else None) for key, r in zip(FREE_TEXT_FIELDS, results, strict=True)
    }
    return PostContent(
        fields=fields,
        principles=tuple(answers.get("principles") or ()),
        removed=removed,
        warnings=tuple(warnings),
        risk=suggests_risk(spec, texts),
        **deidentified,
    )
