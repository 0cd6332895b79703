"""From intake answers to the de-identified post content (what gets stored and shown)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.consult.intake import IntakeSpec
from bot.consult.model import FREE_TEXT_FIELDS, PostContent
from bot.consult.words import removed_counts, review_words
from bot.risk import assess_many


def risk_in(texts: list[str]) -> str | None:
    """The risk kind (bot/risk) the intake's answers describe, read together (typed,
    private-form and edited answers all land in the same answers), or None."""
    return assess_many([t for t in texts if t]).kind


def compose(
    spec: IntakeSpec,
    answers: dict[str, Any],
    engine: Any,
    terms: list[str],
    removed_words: Sequence[str] = (),
    removed_before: dict[str, int] | None = None,
) -> PostContent:
    """The post's content: labels for the choices, de-identified free text (person
    placeholders consistent across fields), what was removed, review warnings, and
    the words kept that the poster should check. ``removed_words`` (chosen by the
    poster) go from every field like workspace terms, and are counted apart."""
    texts = [answers.get(k) or "" for k in FREE_TEXT_FIELDS]
    results = engine.redact_many(texts, terms=tuple(terms) + tuple(removed_words))
    removed: dict[str, int] = dict(removed_before or {})  # what earlier previews removed, before an Edit
    for label, n in removed_counts(texts, results, removed_words).items():
        removed[label] = removed.get(label, 0) + n
    warnings: list[str] = []
    for r in results:
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
        risk=(kind := risk_in(texts)) is not None,
        risk_kind=kind,
        review=review_words(texts, results),
        **deidentified,
    )
