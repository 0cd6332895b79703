"""Shared Block Kit pieces, built with slack_sdk's models so that rendering
validates itself (to_dict raises on an invalid block), plus the limits the models
don't check."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.mrkdwn import escape

__all__ = ["escape"]

# Action IDs used by more than one surface (help, answers, the DM, App Home).
CONSULT_START = "consult_start"

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_FALLBACK_TEXT = 3000


def clip(text: str, limit: int) -> str:
    """At most ``limit`` characters; a longer text is shortened at a word boundary
    (a single over-long word is cut) and ends with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if not text[limit - 1].isspace():
        space = max(cut.rfind(" "), cut.rfind("\n"))
        if space > (limit - 1) // 2:
            cut = cut[:space]
    return cut.rstrip(" \n,;:-–—") + "…"


@dataclass
class Message:
    """What a listener sends: fallback text (notifications, screen readers) and blocks."""

    text: str
    blocks: list[dict] = field(default_factory=list)

    def kwargs(self) -> dict:
        return {"text": clip(self.text, MAX_FALLBACK_TEXT), "blocks": self.blocks}


@dataclass(frozen=True)
class Document:
    """A plain-text file the app gives someone to download (never formatted or escaped:
    it is a file, not mrkdwn)."""

    filename: str
    title: str
    text: str


def render(blocks: Iterable[Block | None]) -> list[dict]:
    out = [b.to_dict() for b in blocks if b is not None]
    if len(out) > MAX_MESSAGE_BLOCKS:
        raise ValueError(f"{len(out)} blocks; a message holds at most {MAX_MESSAGE_BLOCKS}")
    return out


def header(text: str) -> HeaderBlock:
    return HeaderBlock(text=PlainTextObject(text=clip(text, MAX_HEADER_TEXT), emoji=True))


def sections(mrkdwn: str, accessory=None, block_id: str | None = None) -> list[SectionBlock]:
    """One or more sections: long text is split on paragraph or line breaks so no
    section exceeds Slack's 3,000 characters."""
    chunks: list[str] = []
    current = ""
    for para in mrkdwn.split("\n"):
        candidate = f"{current}\n{para}" if current else para
        if len(candidate) <= MAX_SECTION_TEXT:
            current = candidate
            continue
        if current:
            chunks.append(current)
        while len(para) > MAX_SECTION_TEXT:
            chunks.append(para[:MAX_SECTION_TEXT])
            para = para[MAX_SECTION_TEXT:]
        current = para
    if current or not chunks:
        chunks.append(current or " ")
    out = []
    for i, chunk in enumerate(chunks):
        last = i == len(chunks) - 1
        out.append(
            SectionBlock(
                text=MarkdownTextObject(text=chunk),
                accessory=accessory if last else None,
                block_id=block_id if i == 0 else None,
            )
        )
    return out


def plain_sections(text: str) -> list[SectionBlock]:
    """User text as plain_text sections: Slack shows it literally, so it can neither
    format (bold, strike, code, quotes) nor ping or link (``<!channel>`` stays text).
    Long text is split into pieces of at most 3,000 characters, at a line or word
    break where there is one."""
    chunks: list[str] = []
    rest = text.strip() or " "
    while len(rest) > MAX_SECTION_TEXT:
        cut = max(rest.rfind("\n", 0, MAX_SECTION_TEXT), rest.rfind(" ", 0, MAX_SECTION_TEXT))
        cut = cut if cut > MAX_SECTION_TEXT // 2 else MAX_SECTION_TEXT
        chunks.append(rest[:cut].rstrip() or rest[:cut])
        rest = rest[cut:].lstrip() or " "
    chunks.append(rest)
    return [SectionBlock(text=PlainTextObject(text=chunk, emoji=False)) for chunk in chunks]


def labelled(label_mrkdwn: str, text: str) -> list[SectionBlock]:
    """An app-made label (mrkdwn, e.g. ``*Situation*``) above user text shown literally."""
    return [section(label_mrkdwn), *plain_sections(text)]


def section(mrkdwn: str, accessory=None, block_id: str | None = None) -> SectionBlock:
    return SectionBlock(
        text=MarkdownTextObject(text=clip(mrkdwn, MAX_SECTION_TEXT)), accessory=accessory, block_id=block_id
    )


def fields_section(pairs: list[tuple[str, str]]) -> SectionBlock:
    """Up to 10 labelled fields; values are escaped by the caller's choice of text."""
    return SectionBlock(
        fields=[MarkdownTextObject(text=clip(f"*{label}*\n{value}", 2000)) for label, value in pairs[:10]]
    )


def context(*mrkdwn: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(t, 3000)) for t in mrkdwn[:10]])


def divider() -> DividerBlock:
    return DividerBlock()


def confirm(title: str, body: str, yes: str, no: str) -> ConfirmObject:
    """Slack's "are you sure?" dialog on a button (title, yes and no at most 100 characters)."""
    return ConfirmObject(title=clip(title, 100), text=clip(body, 300), confirm=clip(yes, 30), deny=clip(no, 30))


def button(
    text: str,
    action_id: str,
    value: str = "",
    style: str | None = None,
    url: str | None = None,
    confirm: ConfirmObject | None = None,
) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text=clip(text, 75), emoji=True),
        action_id=action_id,
        value=value or None,
        style=style,
        url=url,
        confirm=confirm,
    )


def actions(*buttons: ButtonElement, block_id: str | None = None) -> ActionsBlock:
    return ActionsBlock(elements=list(buttons), block_id=block_id)
