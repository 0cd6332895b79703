"""What the app's buttons and forms carry to name a post or a flag (issue 12).

Everything the app sends names a post by its number in the workspace, never by its row id
(one count over all workspaces, which a member reading a message's raw data could use to
estimate how many consults the other workspaces post):

- ``p17``: Dilemma #17 of the request's workspace; ``p17.2``: its anonymous reply 2
  (the Block buttons);
- ``f17.2``: the second flag ever made on Dilemma #17 (Remove / Dismiss).

Buttons and forms sent before carry bare digits, the row id (``917``, ``917.2``, a flag's
``41``): still accepted, so old messages keep working. Either kind is looked up among the
request's workspace's posts only (``Store.find_post`` / ``Store.find_flag``); the prefix
tells them apart, since a number and a row id can both be ``3``.
"""

from __future__ import annotations

import re

from bot.consult.model import FlagNumber, FlagRef, PostNumber, PostRef

POST_PREFIX = "p"
FLAG_PREFIX = "f"
_MAX_DIGITS = 9  # a value of more is no post (and no int overflow in the database)
_POST = re.compile(rf"({POST_PREFIX})?(\d{{1,{_MAX_DIGITS}}})(?:\.(\d{{1,6}}))?")
_FLAG = re.compile(rf"(?:{FLAG_PREFIX}(\d{{1,{_MAX_DIGITS}}})\.(\d{{1,6}})|(\d{{1,{_MAX_DIGITS}}}))")


def post_value(number: int, reply: int | None = None) -> str:
    """A button's value or a form's metadata naming Dilemma #number (or one of its replies)."""
    return f"{POST_PREFIX}{number}.{reply}" if reply else f"{POST_PREFIX}{number}"


def flag_value(post_number: int, flag_number: int) -> str:
    return f"{FLAG_PREFIX}{post_number}.{flag_number}"


def post_or_reply_ref(value: object) -> tuple[PostRef, int | None] | None:
    """A post (and reply) from a value: ``p17`` / ``p17.2`` by number, ``917`` / ``917.2``
    by row id (a button sent before); None for anything else."""
    if not isinstance(value, str):
        return None
    m = _POST.fullmatch(value)
    if m is None:
        return None
    n = int(m.group(2))
    reply = int(m.group(3)) if m.group(3) else None
    if reply == 0:
        return None
    return (PostNumber(n) if m.group(1) else n), reply


def post_ref(value: object) -> PostRef | None:
    """A post from a value that names no reply (``p17``, or a row id ``917``)."""
    parsed = post_or_reply_ref(value)
    if parsed is None or parsed[1] is not None:
        return None
    return parsed[0]


def flag_ref(value: object) -> FlagRef | None:
    """A flag from a value: ``f17.2`` by number, ``41`` by row id (a button sent before)."""
    if not isinstance(value, str):
        return None
    m = _FLAG.fullmatch(value)
    if m is None:
        return None
    if m.group(3) is not None:
        return int(m.group(3))
    if int(m.group(2)) == 0:
        return None
    return FlagNumber(int(m.group(1)), int(m.group(2)))
