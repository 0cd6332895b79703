"""From intake answers to the de-identified post content (what gets stored and shown)."""

from __future__ import annotations

import re
from functools import lru_cache

from bot.consult.intake import IntakeSpec

FREE_TEXT = ("situation", "considering", "question")


@lru_cache(maxsize=8)
def _risk_regex(patterns: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def suggests_risk(spec: IntakeSpec, texts: list[str]) -> bool:
    pattern = _risk_regex(tuple(spec.data["risk"]["patterns"]))
    return any(pattern.search(t) for t in texts if t)


def compose(spec: IntakeSpec, answers: dict, engine, terms: list[str]) -> dict:
    """The post's content: labels for the choices, de-identified free text (person
    placeholders consistent across fields), what was removed, and review warnings."""
    texts = [answers.get(k) or "" for k in FREE_TEXT]
    results = engine.redact_many(texts, terms=tuple(terms))
    removed: dict[str, int] = {}
    warnings: list[str] = []
    for r in results:
        for label, n in r.removed.items():
            removed[label] = removed.get(label, 0) + n
        for w in r.warnings:
            if w not in warnings:
                warnings.append(w)
    content = {
        "fields": [],
        "principles": list(answers.get("principles") or []),
        "removed": removed,
        "warnings": warnings,
        "risk": suggests_risk(spec, texts),
    }
    for step in spec.steps:
        if step.kind == "choice" and answers.get(step.id):
            content["fields"].append([step.field_label, step.label_of(answers[step.id])])
    for key, r in zip(FREE_TEXT, results, strict=True):
        content[key] = r.text.strip() if answers.get(key) else None
    return content
