"""Making user text inert in Slack's mrkdwn.

Slack has no escape for its formatting characters, only for ``& < >`` (which
carry pings, links and channel mentions). So user text is escaped for those and,
where it is shown inside the app's own formatted structure, its formatting
characters are neutralised too (see ``inert``).
"""

from __future__ import annotations


def escape(text: str) -> str:
    """No pings, links or mentions: ``&``, ``<`` and ``>`` become entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """The inverse of escape: Slack's three entities back to the characters typed
    ("&amp;lt;" becomes "&lt;", as typed)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
