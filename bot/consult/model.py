"""The consult's typed values: the intake's state, a post's content and status.

They are stored as JSON (the intake's state, a post's content), so each has
``to_json``/``from_json``; ``from_json`` accepts what earlier versions stored.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class PostStatus(StrEnum):
    PENDING = "pending"  # recorded; on its way to Slack
    AWAITING_APPROVAL = "awaiting_approval"  # waits for a moderator
    POSTED = "posted"
    DELETED = "deleted"  # by its poster
    REMOVED = "removed"  # by a moderator
    REJECTED = "rejected"  # by a moderator, before it was posted
    FAILED = "failed"  # Slack will never accept it

    @classmethod
    def gone(cls) -> tuple[PostStatus, ...]:
        return (cls.DELETED, cls.REMOVED, cls.REJECTED, cls.FAILED)

    @classmethod
    def live(cls) -> tuple[PostStatus, ...]:
        return (cls.PENDING, cls.AWAITING_APPROVAL, cls.POSTED)


@dataclass(frozen=True)
class Group:
    """A consultation channel, as the intake offers it."""

    id: str
    name: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Group | None:
        if not data or not data.get("id"):
            return None
        return cls(str(data["id"]), str(data.get("name") or data["id"]))


FREE_TEXT_FIELDS = ("situation", "considering", "question")


@dataclass(frozen=True)
class PostContent:
    """What colleagues see, de-identified, and what the poster was told about it."""

    fields: tuple[tuple[str, str], ...] = ()  # (label, chosen value) of the choice steps
    principles: tuple[str, ...] = ()
    situation: str | None = None
    considering: str | None = None
    question: str | None = None
    removed: dict[str, int] = field(default_factory=dict)  # label -> count, over the whole intake
    warnings: tuple[str, ...] = ()
    risk: bool = False
    risk_kind: str | None = None  # bot.risk kind of the first risk recognised in the answers
    # words left in the text that the poster should check (de-identification's review spans)
    review: tuple[str, ...] = ()

    def digest(self) -> str:
        """A short fingerprint of this content: tells an old preview's buttons from the current one's."""
        raw = json.dumps(self.to_json(), sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(raw).hexdigest()[:12]

    def text_of(self, key: str) -> str | None:
        return getattr(self, key) if key in FREE_TEXT_FIELDS else None

    def with_texts(self, **texts: str | None) -> PostContent:
        unknown = set(texts) - set(FREE_TEXT_FIELDS)
        if unknown:
            raise ValueError(f"not free-text fields: {sorted(unknown)}")
        return replace(self, **texts)  # type: ignore[arg-type]  # only str | None fields, checked above

    def to_json(self) -> dict[str, Any]:
        return {
            "fields": [list(f) for f in self.fields],
            "principles": list(self.principles),
            "situation": self.situation,
            "considering": self.considering,
            "question": self.question,
            "removed": dict(self.removed),
            "warnings": list(self.warnings),
            "risk": self.risk,
            "risk_kind": self.risk_kind,
            "review": list(self.review),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> PostContent:
        data = data or {}
        return cls(
            fields=tuple((str(a), str(b)) for a, b in data.get("fields") or []),
            principles=tuple(data.get("principles") or ()),
            situation=data.get("situation"),
            considering=data.get("considering"),
            question=data.get("question"),
            removed={str(k): int(v) for k, v in (data.get("removed") or {}).items()},
            warnings=tuple(data.get("warnings") or ()),
            risk=bool(data.get("risk")),
            risk_kind=data.get("risk_kind") or None,
            review=tuple(str(w) for w in data.get("review") or ()),
        )


@dataclass
class IntakeState:
    """Where an intake is: the answers so far and what the app worked out from them.

    ``history`` is the steps answered, in order, for ``back``; ``suggested`` the
    principles the app suggested (None until the principles step is reached);
    ``preview`` the de-identified content last shown (None when an answer changed
    since); ``target`` the group that preview was going to; ``removed_words`` the
    words the poster chose at the preview to remove from every field.
    """

    answers: dict[str, Any] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    suggested: list[str] | None = None
    preview: PostContent | None = None
    target: Group | None = None
    edited: bool = False
    removed_words: list[str] = field(default_factory=list)
    # What earlier previews removed from text the Edit form then replaced: the
    # edited text starts from the de-identified one, so those removals still hold.
    removed_before: dict[str, int] = field(default_factory=dict)
    # The DM message showing the current step or preview ({"channel", "ts", "step"}):
    # its buttons are taken away once a newer one is shown.
    prompt_at: dict[str, str] | None = None

    def answer(self, step_id: str) -> Any:
        return self.answers.get(step_id)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "answers": dict(self.answers),
            "history": list(self.history),
            "groups": [g.to_json() for g in self.groups],
        }
        if self.suggested is not None:
            out["suggested"] = list(self.suggested)
        if self.preview is not None:
            out["preview"] = self.preview.to_json()
        if self.target is not None:
            out["target"] = self.target.to_json()
        if self.edited:
            out["edited"] = True
        if self.removed_words:
            out["removed_words"] = list(self.removed_words)
        if self.removed_before:
            out["removed_before"] = dict(self.removed_before)
        if self.prompt_at:
            out["prompt_at"] = dict(self.prompt_at)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> IntakeState:
        data = data or {}
        groups = [g for g in (Group.from_json(x) for x in data.get("groups") or []) if g is not None]
        return cls(
            answers=dict(data.get("answers") or {}),
            history=list(data.get("history") or []),
            groups=groups,
            suggested=list(data["suggested"]) if data.get("suggested") is not None else None,
            preview=PostContent.from_json(data["preview"]) if data.get("preview") else None,
            target=Group.from_json(data.get("target")),
            edited=bool(data.get("edited")),
            removed_words=[str(w) for w in data.get("removed_words") or []],
            removed_before={str(k): int(v) for k, v in (data.get("removed_before") or {}).items()},
            prompt_at={str(k): str(v) for k, v in data["prompt_at"].items()} if data.get("prompt_at") else None,
        )


@dataclass(frozen=True)
class OwnPost:
    """One of the poster's own posts, as `/boundary mine` and the Home tab list it (by its
    number in the workspace: shown, and in the buttons' values)."""

    number: int
    status: PostStatus
    resolved: bool
    question: str


@dataclass(frozen=True)
class PostNumber:
    """A post named by its number in the request's workspace ("Dilemma #17"): what the
    app's buttons, forms and message metadata carry (never the row id, a count over all
    workspaces)."""

    number: int


# How a click or a form names a post: by number (everything the app sends now) or, for a
# button or form sent before, by the bare row id it carried. Either is looked up among the
# request's workspace's posts only (Store.find_post).
PostRef = int | PostNumber


@dataclass(frozen=True)
class FlagNumber:
    """A flag named by its post's number in the workspace and its place among that post's
    flags (1 for the first flag ever made on it; flags are never deleted, a withdrawn one
    is reopened in place, so the place does not change)."""

    post: int
    number: int


FlagRef = int | FlagNumber  # an int: a flag's row id, from a button sent before
