"""The intake as a state machine over steps described in prompts/intake.yaml.

Pure domain: it takes what the user typed or clicked and returns where the
conversation is now and what to say; the conversation persists and sends it.
The state is an ``IntakeState`` (stored as JSON) so that a restart resumes exactly
there.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from bot.consult.model import FREE_TEXT_FIELDS, Group, IntakeState
from bot.consult.words import chosen_words, merge_words
from bot.texts import PROMPTS, Texts, parse_yaml

COMMANDS = {"back", "skip", "cancel", "restart"}
ACCEPT_WORDS = {"ok", "okay", "yes", "y", "accept", "use these", "fine", "sure", "next", "continue", "done"}


class StepId:
    """The steps the code itself refers to. The YAML may add, reorder and reword
    steps freely, but these must exist with these kinds (checked at load)."""

    RELATIONSHIP = "relationship"
    SITUATION = "situation"
    CONSIDERING = "considering"
    PRINCIPLES = "principles"
    QUESTION = "question"
    GROUP = "group"
    PREVIEW = "preview"

    KINDS = {
        RELATIONSHIP: "choice",
        SITUATION: "text",
        CONSIDERING: "text",
        PRINCIPLES: "principles",
        QUESTION: "text",
        GROUP: "group",
        PREVIEW: "preview",
    }
    # The texts the principles are suggested from.
    SUGGEST_FROM = (SITUATION, CONSIDERING)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    # For a choice of durations: [from, up to but not including) in months; None = open.
    months: tuple[float, float | None] | None = None

    def holds(self, months: float) -> bool:
        if self.months is None:
            return False
        low, high = self.months
        return months >= low and (high is None or months < high)


_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "eighteen": 18,
    "twenty": 20, "thirty": 30, "couple": 2, "few": 3, "several": 4, "half": 0.5,
}  # fmt: skip
_UNITS = {
    "day": 1 / 30, "days": 1 / 30, "d": 1 / 30,
    "week": 0.25, "weeks": 0.25, "wk": 0.25, "wks": 0.25, "w": 0.25,
    "month": 1, "months": 1, "mo": 1, "mos": 1, "mth": 1, "mths": 1, "m": 1,
    "year": 12, "years": 12, "yr": 12, "yrs": 12, "y": 12,
}  # fmt: skip
_RELATIVE = {
    "yesterday": 1 / 30, "last week": 0.25, "last month": 1, "this year": 3, "last year": 12,
    "recently": 1, "just now": 0, "the year before last": 24, "a year ago": 12,
}  # fmt: skip
_QUANTITY = re.compile(
    r"(?P<n>\d+(?:[.,]\d+)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
    r"(?P<half>\s+and\s+a\s+half)?\s*(?:of\s+)?(?:a\s+)?"
    r"(?P<unit>" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")\b"
    r"(?P<half_after>\s+and\s+a\s+half)?"
)
_LESS = re.compile(r"\b(?:under|less than|fewer than|not quite|almost|nearly|not even|within)\b")
_MORE = re.compile(r"\b(?:over|more than|above|longer than|just over|past)\b")


def parse_months(text: str) -> float | None:
    """How many months a typed duration means, or None when it names none:
    "about 3 years ago" 36, "18 months" 18, "a year and a half" 18, "1 yr 6 mo" 18,
    "a couple of weeks" 0.5, "last year" 12. A range ("2-5 years") is not one duration."""
    t = re.sub(r"\s+", " ", text.lower().replace("-", " - ")).strip()
    if re.search(r"\d\s*(?:-|–|to)\s*\d", text.lower()):
        return None
    for phrase, months in sorted(_RELATIVE.items(), key=lambda kv: -len(kv[0])):
        if re.search(rf"\b{phrase}\b", t):
            return float(months)
    total, found = 0.0, False
    for m in _QUANTITY.finditer(t):
        raw = m.group("n").replace(",", ".")
        n = float(raw) if raw[0].isdigit() else float(_NUMBER_WORDS[raw])
        if m.group("half") or m.group("half_after"):
            n += 0.5
        unit = m.group("unit")
        if unit in ("m", "d", "w", "y") and not raw[0].isdigit():
            continue  # "a m..." is not "a month"
        total += n * _UNITS[unit]
        found = True
    if not found:
        return None
    # "under 6 months" is just short of 6, "over 5 years" just past 5.
    if _LESS.search(t):
        total -= 0.01
    elif _MORE.search(t):
        total += 1  # "more than 5 years": past 5 by more than a rounding
    return max(total, 0.0)


@dataclass(frozen=True)
class Step:
    id: str
    kind: str
    required: bool
    prompt: str
    field_label: str = ""
    tip: str = ""
    choices: tuple[Choice, ...] = ()
    when: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    def text(self, key: str, default: str = "") -> str:
        return self.texts.get(key, default)

    def label_of(self, value: str | None) -> str | None:
        for c in self.choices:
            if c.value == value:
                return c.label
        return None


class IntakeSpec:
    KINDS = {"choice", "text", "principles", "group", "preview"}

    def __init__(self, data: dict[str, Any], source: str):
        self.source = source
        self.data = data
        self._texts = Texts(data, source)
        steps = []
        for raw in data.get("steps", []):
            missing = [k for k in ("id", "kind", "prompt") if k not in raw]
            if missing:
                raise ValueError(f"{source}: a step is missing {', '.join(missing)}")
            if raw["kind"] not in self.KINDS:
                raise ValueError(f"{source}: step `{raw['id']}` has unknown kind `{raw['kind']}`")
            choices = tuple(
                Choice(
                    str(c["value"]),
                    str(c["label"]),
                    (float(c["months"][0]), float(c["months"][1]) if len(c["months"]) > 1 else None)
                    if c.get("months")
                    else None,
                )
                for c in raw.get("choices", [])
            )
            if raw["kind"] == "choice" and not choices:
                raise ValueError(f"{source}: choice step `{raw['id']}` has no choices")
            known = {"id", "kind", "required", "prompt", "field_label", "tip", "choices", "when"}
            steps.append(
                Step(
                    id=raw["id"],
                    kind=raw["kind"],
                    required=bool(raw.get("required", raw["kind"] != "choice")),
                    prompt=raw["prompt"],
                    field_label=raw.get("field_label", ""),
                    tip=raw.get("tip", ""),
                    choices=choices,
                    when={str(k): str(v) for k, v in (raw.get("when") or {}).items()},
                    texts={k: v for k, v in raw.items() if k not in known},
                )
            )
        if not steps or steps[-1].kind != "preview":
            raise ValueError(f"{source}: the last step must be the preview")
        self.steps = steps
        self.by_id = {s.id: s for s in steps}
        for step_id, kind in StepId.KINDS.items():
            found = self.by_id.get(step_id)
            if found is None:
                raise ValueError(f"{source}: the code needs a step `{step_id}` (kind {kind})")
            if found.kind != kind:
                raise ValueError(f"{source}: step `{step_id}` should be of kind {kind}, not {found.kind}")
        for step in steps:
            if step.kind == "text" and step.id not in FREE_TEXT_FIELDS:
                raise ValueError(
                    f"{source}: a post has no place for text step `{step.id}`; expected one of "
                    + ", ".join(FREE_TEXT_FIELDS)
                )
            for other in step.when:
                if other not in self.by_id:
                    raise ValueError(f"{source}: step `{step.id}` depends on an unknown step `{other}`")

    def text(self, dotted: str, **fmt: Any) -> str:
        return self._texts(dotted, **fmt)

    def raw(self, dotted: str) -> Any:
        return self._texts.raw(dotted)

    @staticmethod
    def applies(step: Step, state: IntakeState) -> bool:
        """Whether this intake asks the step, given the answers so far."""
        if any(state.answer(k) != v for k, v in step.when.items()):
            return False
        if step.kind == "group":
            return len(state.groups) > 1
        return True

    def numbering(self, step_id: str, state: IntakeState) -> tuple[int, int] | None:
        """ "Step N of M", counting only the steps this intake asks (no preview):
        a current client is never told "1" then "3"."""
        asked = [s.id for s in self.steps if s.kind != "preview" and self.applies(s, state)]
        if step_id not in asked:
            return None
        return asked.index(step_id) + 1, len(asked)

    @property
    def text_steps(self) -> list[Step]:
        return [s for s in self.steps if s.kind == "text"]


@cache
def load_spec(path: str | None = None) -> IntakeSpec:
    p = Path(path) if path else PROMPTS / "intake.yaml"
    return IntakeSpec(parse_yaml(p.read_text(encoding="utf-8")), str(p))


@dataclass
class Outcome:
    step: str
    state: IntakeState
    error: str | None = None  # show, then ask the same step again
    notice: str | None = None  # show before the next step
    finished: str | None = None  # "cancelled" | "restart"
    action: str | None = None  # at the preview: "post" or "edit"


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", s.lower())).strip()


class IntakeFlow:
    def __init__(
        self,
        spec: IntakeSpec,
        *,
        suggest: Callable[[str], list[str]],
        principle_keys: list[str],
        resolve_principle: Callable[[str], str | None],
        max_chars: int = 3000,
    ):
        self.spec = spec
        self.suggest = suggest
        self.principle_keys = principle_keys
        self.resolve_principle = resolve_principle
        self.max_chars = max_chars

    def _error(self, step_id: str, state: IntakeState, key: str, **fmt: Any) -> Outcome:
        return Outcome(step_id, state, error=self.spec.text(f"validation.{key}", **fmt))

    # ---- navigation --------------------------------------------------------
    def start(self, groups: list[Group]) -> Outcome:
        state = IntakeState(groups=list(groups))
        return Outcome(self._next_from(-1, state), state)

    def visible(self, step: Step, state: IntakeState) -> bool:
        return self.spec.applies(step, state)

    def _next_from(self, index: int, state: IntakeState) -> str:
        for step in self.spec.steps[index + 1 :]:
            if self.visible(step, state):
                if step.kind == "principles" and state.suggested is None:
                    text = " ".join(filter(None, (state.answer(k) for k in StepId.SUGGEST_FROM)))
                    state.suggested = self.suggest(text) if text else []
                return step.id
        return self.spec.steps[-1].id

    def _advance(self, step: Step, state: IntakeState, value: Any) -> Outcome:
        state.answers[step.id] = value
        if step.id in StepId.SUGGEST_FROM:
            state.suggested = None  # the text changed: suggest afresh
        # An answer that no longer applies (time since therapy ended, once the
        # person is not a former client) is dropped rather than shown.
        for other in self.spec.steps:
            if other.when and other.id in state.answers and not self.visible(other, state):
                del state.answers[other.id]
        state.preview = None
        state.history.append(step.id)
        return Outcome(self._next_from(self.spec.steps.index(step), state), state)

    # ---- input -------------------------------------------------------------
    def handle_text(self, step_id: str, state: IntakeState, text: str) -> Outcome:
        step = self.spec.by_id[step_id]
        word = _norm(text)
        if word in COMMANDS:
            return self.command(step_id, state, word)
        if step.kind == "choice":
            value = self._match_choice(step.choices, text)
            if value is None:
                return self._error(step_id, state, "not_a_choice")
            return self._advance(step, state, value)
        if step.kind == "group":
            groups = tuple(Choice(g.id, g.name) for g in state.groups)
            value = self._match_choice(groups, text.lstrip("#"))
            if value is None:
                return self._error(step_id, state, "not_a_choice")
            return self._advance(step, state, value)
        if step.kind == "principles":
            keys = self._parse_principles(text, state)
            if keys is None:
                return self._error(step_id, state, "not_a_choice")
            return self._advance(step, state, keys)
        if step.kind == "preview":
            if word in ("post", "post anonymously", "send"):
                return Outcome(step_id, state, action="post")
            if word == "edit":
                return Outcome(step_id, state, action="edit")
            return self._error(step_id, state, "not_a_choice")
        return self.answer_text(step_id, state, text)

    def answer_text(self, step_id: str, state: IntakeState, text: str) -> Outcome:
        """A free-text answer, typed in the DM or submitted in the private form."""
        step = self.spec.by_id[step_id]
        text = (text or "").strip()
        if not text:
            if step.required:
                return self._error(step_id, state, "required")
            return self._advance(step, state, None)
        if len(text) > self.max_chars:
            return self._error(step_id, state, "too_long", length=len(text), limit=self.max_chars)
        return self._advance(step, state, text)

    def choose(self, step_id: str, state: IntakeState, value: str) -> Outcome:
        """A button click on a choice, group or principles step."""
        step = self.spec.by_id[step_id]
        if step.kind == "choice" and value not in {c.value for c in step.choices}:
            return self._error(step_id, state, "not_a_choice")
        if step.kind == "group" and value not in {g.id for g in state.groups}:
            return self._error(step_id, state, "not_a_choice")
        if step.kind == "principles":
            if value == "accept":
                keys = list(state.suggested or [])
            else:
                keys = [k for k in value.split(",") if k in self.principle_keys]
            return self._advance(step, state, keys)
        if step.kind not in ("choice", "group"):
            return self._error(step_id, state, "not_a_choice")
        return self._advance(step, state, value)

    def command(self, step_id: str, state: IntakeState, word: str) -> Outcome:
        step = self.spec.by_id[step_id]
        if word == "cancel":
            return Outcome(step_id, state, finished="cancelled")
        if word == "restart":
            return Outcome(step_id, state, finished="restart")
        if word == "back":
            if not state.history:
                return self._error(step_id, state, "nothing_to_go_back_to")
            previous = state.history.pop()
            state.preview = None
            return Outcome(previous, state)
        if word == "skip":
            if step.required or step.kind == "preview":
                return self._error(step_id, state, "cannot_skip")
            return self._advance(step, state, None)
        raise ValueError(word)

    def apply_edit(self, state: IntakeState, fields: dict[str, str]) -> Outcome:
        """The preview's Edit form: new texts for the free-text steps, then a new preview."""
        for step in self.spec.text_steps:
            if step.id not in fields:
                continue
            text = (fields[step.id] or "").strip()
            if step.required and not text:
                return Outcome(
                    StepId.PREVIEW, state, error=f"{step.field_label}: " + self.spec.text("validation.required")
                )
            if len(text) > self.max_chars:
                too_long = self.spec.text("validation.too_long", length=len(text), limit=self.max_chars)
                return Outcome(StepId.PREVIEW, state, error=f"{step.field_label}: {too_long}")
            state.answers[step.id] = text or None
        if state.preview is not None:
            # "What I removed" stays cumulative: the preview's count already holds
            # what earlier edits carried over.
            state.removed_before = dict(state.preview.removed)
        state.edited = True
        state.preview = None
        return Outcome(StepId.PREVIEW, state)

    def remove_words(self, state: IntakeState, checked: list[str] | None, typed: str | None) -> Outcome:
        """The preview's Remove words form: the words go from every field, then a new preview."""
        words = chosen_words(checked, typed)
        if not words:
            return Outcome(StepId.PREVIEW, state, error=self.spec.text("validation.remove_none"))
        state.removed_words = merge_words(state.removed_words, words)
        state.preview = None
        notice = self.spec.by_id[StepId.PREVIEW].text("removed_words_notice").format(count=len(words))
        return Outcome(StepId.PREVIEW, state, notice=notice)

    # ---- parsing -----------------------------------------------------------
    @staticmethod
    def _match_choice(choices: tuple[Choice, ...], text: str) -> str | None:
        word = _norm(text)
        if not word:
            return None
        if word.isdigit():
            n = int(word)
            return choices[n - 1].value if 1 <= n <= len(choices) else None
        labels = {_norm(c.label): c.value for c in choices}
        labels.update({_norm(c.value): c.value for c in choices})
        if word in labels:
            return labels[word]
        if any(c.months for c in choices):
            months = parse_months(text)
            if months is not None:
                held = [c.value for c in choices if c.holds(months)]
                if held:
                    return held[0]
        starts = {v for lab, v in labels.items() if lab.startswith(word) or word.startswith(lab)}
        if len(starts) == 1:
            return starts.pop()
        contains = {v for lab, v in labels.items() if word in lab.split() or lab in word}
        if len(contains) == 1:
            return contains.pop()
        close = difflib.get_close_matches(word, list(labels), n=2, cutoff=0.75)
        if len(close) == 1 or (close and labels[close[0]] == labels[close[-1]]):
            return labels[close[0]]
        return None

    def _parse_principles(self, text: str, state: IntakeState) -> list[str] | None:
        word = _norm(text)
        if word in ACCEPT_WORDS:
            return list(state.suggested or [])
        numbers = re.findall(r"\d+", text)
        if numbers and not re.sub(r"[\d\s,;and]+", "", text.lower()):
            picked = []
            for n in numbers:
                i = int(n)
                if not 1 <= i <= len(self.principle_keys):
                    return None
                key = self.principle_keys[i - 1]
                if key not in picked:
                    picked.append(key)
            return picked
        picked = []
        for part in re.split(r"[,;/]|\band\b", text):
            if not part.strip():
                continue
            resolved = self.resolve_principle(part.strip())
            if resolved is None:
                return None
            if resolved not in picked:
                picked.append(resolved)
        return picked or None
