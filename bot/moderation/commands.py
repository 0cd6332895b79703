"""Parsing `/boundary-admin …` text (Slack escapes channels and users for us when
the command has should_escape: true)."""

from __future__ import annotations

import re
from dataclasses import dataclass

CHANNEL = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|([^>]*))?>$")
USER = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|([^>]*))?>$")


@dataclass
class AdminCommand:
    sub: str
    action: str = ""
    arg: str = ""


def parse(text: str) -> AdminCommand:
    words = (text or "").strip().split(None, 2)
    if not words:
        return AdminCommand("help")
    sub = words[0].lower()
    aliases = {
        "channel": "channel",
        "channels": "channels",
        "moderator": "moderators",
        "moderators": "moderators",
        "term": "terms",
        "terms": "terms",
        "review_channel": "review-channel",
        "reviewchannel": "review-channel",
        "resource": "resources",
        "risk-resources": "resources",
    }
    sub = aliases.get(sub, sub)
    rest = words[1:]
    if (
        sub in ("channel", "moderators", "terms")
        and rest
        and rest[0].lower() in ("add", "remove", "rm", "delete", "list")
    ):
        action = {"rm": "remove", "delete": "remove"}.get(rest[0].lower(), rest[0].lower())
        return AdminCommand(sub, action, rest[1].strip() if len(rest) > 1 else "")
    if sub == "channels":
        return AdminCommand("channel", "list")
    return AdminCommand(sub, "", " ".join(rest).strip())


def channel_ref(arg: str) -> tuple[str, str] | None:
    m = CHANNEL.match(arg.strip())
    return (m.group(1), m.group(2) or "") if m else None


def user_ref(arg: str) -> str | None:
    m = USER.match(arg.strip())
    return m.group(1) if m else None


def post_number(arg: str) -> int | None:
    m = re.fullmatch(r"#?\s*(\d{1,9})", arg.strip())
    return int(m.group(1)) if m else None


def post_or_reply(arg: str) -> tuple[int, int | None] | None:
    """`17` (Dilemma #17) or `17.2` (its anonymous reply 2)."""
    m = re.fullmatch(r"#?\s*(\d{1,9})(?:\s*[.·/]\s*(?:reply\s*)?(\d{1,6}))?", arg.strip(), re.IGNORECASE)
    if not m:
        return None
    return int(m.group(1)), (int(m.group(2)) if m.group(2) else None)
