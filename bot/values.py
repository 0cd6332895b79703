"""What the app's buttons and forms carry to name a post or a flag (issue 12).

Everything the app sends names a post by its number in the workspace, never by its row id
(one count over all workspaces, which a member reading a message's raw data could use to
estimate how many consults the other workspaces post), followed by the tag of the
workspace key it was minted for:

- ``p17~<tag>``: Dilemma #17; ``p17.2~<tag>``: its anonymous reply 2 (the Block buttons);
- ``f17.2~<tag>``: the second flag ever made on Dilemma #17 (Remove / Dismiss).

The tag is the first 10 characters of base32(HMAC-SHA256(key, "values:" + team key)), the
key derived from BOUNDARY_SECRET_KEY for this purpose only (``Identity.value_tags``). A
number means something only in the workspace it was counted in, and a click can come
from another key than the one the message was sent under (a workspace switched between
its own install and its organisation's, T… to E…; a shared channel): a value whose tag is
not the request's workspace key's (under the current or an earlier secret) names no post
(``ELSEWHERE``), so the click is answered "I can't find that post", never acted on
another workspace's Dilemma #17. The tag depends on the workspace key only: it says
nothing of how many posts there are.

Buttons and forms sent before numbering carry bare digits, the row id (``917``,
``917.2``, a flag's ``41``): still accepted, and looked up among the request's
workspace's posts only (a row id is one workspace's). A ``p``/``f`` value without a tag
(never released) is refused like a foreign one.

Values are minted while a workspace is being rendered for (``minting(tags, team_key)``,
set by the gateway around every render, and by a listener that builds buttons itself);
minting outside one is a bug and raises.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from bot.consult.model import FlagNumber, FlagRef, PostNumber, PostRef

POST_PREFIX = "p"
FLAG_PREFIX = "f"
TAG_SEP = "~"
TAG_CHARS = 10  # 50 bits of base32
_MAX_DIGITS = 9  # a value of more is no post (and no int overflow in the database)
_TAG = rf"(?:{TAG_SEP}([a-z2-7]{{{TAG_CHARS}}}))?"
_POST = re.compile(rf"({POST_PREFIX})?(\d{{1,{_MAX_DIGITS}}})(?:\.(\d{{1,6}}))?{_TAG}")
_FLAG = re.compile(rf"(?:{FLAG_PREFIX}(\d{{1,{_MAX_DIGITS}}})\.(\d{{1,6}}){_TAG}|(\d{{1,{_MAX_DIGITS}}}))")

# What a value minted for another workspace key (or untagged) names: no post has number 0,
# so every lookup finds nothing and the click is answered "I can't find that post".
ELSEWHERE = PostNumber(0)
FLAG_ELSEWHERE = FlagNumber(0, 0)


class ValueTags:
    """The tag of a workspace key, under the current secret (minting) or any (checking:
    a rotated secret keeps old messages' buttons working)."""

    def __init__(self, keys_newest_first: Sequence[bytes]):
        if not keys_newest_first:
            raise ValueError("at least one key is required")
        self._keys = list(keys_newest_first)

    @staticmethod
    def _tag(key: bytes, team_key: str) -> str:
        mac = hmac.new(key, b"values:" + team_key.encode(), hashlib.sha256).digest()
        return base64.b32encode(mac).decode().lower()[:TAG_CHARS]

    def tag(self, team_key: str) -> str:
        return self._tag(self._keys[0], team_key)

    def fits(self, team_key: str, tag: str) -> bool:
        if not team_key:
            return False
        return any(hmac.compare_digest(self._tag(k, team_key), tag) for k in self._keys)


_MINTING: ContextVar[tuple[ValueTags, str] | None] = ContextVar("bot_values_minting", default=None)


@contextmanager
def minting(tags: ValueTags, team_key: str) -> Iterator[None]:
    """Values built inside are tagged for ``team_key`` (the request's ``Team.id``)."""
    token = _MINTING.set((tags, team_key))
    try:
        yield
    finally:
        _MINTING.reset(token)


def _tagged(value: str) -> str:
    current = _MINTING.get()
    if current is None:
        raise RuntimeError("a post's value minted outside bot.values.minting (no workspace key)")
    tags, team_key = current
    return f"{value}{TAG_SEP}{tags.tag(team_key)}"


def post_value(number: int, reply: int | None = None) -> str:
    """A button's value or a form's metadata naming Dilemma #number (or one of its replies),
    tagged for the workspace key being rendered for."""
    return _tagged(f"{POST_PREFIX}{number}.{reply}" if reply else f"{POST_PREFIX}{number}")


def flag_value(post_number: int, flag_number: int) -> str:
    return _tagged(f"{FLAG_PREFIX}{post_number}.{flag_number}")


def post_or_reply_ref(value: object, tags: ValueTags, team_key: str) -> tuple[PostRef, int | None] | None:
    """A post (and reply) from a value clicked in workspace ``team_key``: ``p17~tag`` /
    ``p17.2~tag`` by number (``ELSEWHERE`` when the tag is not this key's, or missing),
    ``917`` / ``917.2`` by row id (a button sent before); None for anything else."""
    if not isinstance(value, str):
        return None
    m = _POST.fullmatch(value)
    if m is None:
        return None
    numbered, tag = m.group(1) is not None, m.group(4)
    if not numbered and tag is not None:
        return None  # the app never tags a row id
    n = int(m.group(2))
    reply = int(m.group(3)) if m.group(3) else None
    if reply == 0:
        return None
    if not numbered:
        return n, reply
    if tag is None or not tags.fits(team_key, tag):
        return ELSEWHERE, reply
    return PostNumber(n), reply


def post_ref(value: object, tags: ValueTags, team_key: str) -> PostRef | None:
    """A post from a value that names no reply (``p17~tag``, or a row id ``917``)."""
    parsed = post_or_reply_ref(value, tags, team_key)
    if parsed is None or parsed[1] is not None:
        return None
    return parsed[0]


def flag_ref(value: object, tags: ValueTags, team_key: str) -> FlagRef | None:
    """A flag from a value: ``f17.2~tag`` by number (``FLAG_ELSEWHERE`` when the tag is not
    this key's, or missing), ``41`` by row id (a button sent before)."""
    if not isinstance(value, str):
        return None
    m = _FLAG.fullmatch(value)
    if m is None:
        return None
    if m.group(4) is not None:
        return int(m.group(4))
    if int(m.group(2)) == 0:
        return None
    tag = m.group(3)
    if tag is None or not tags.fits(team_key, tag):
        return FLAG_ELSEWHERE
    return FlagNumber(int(m.group(1)), int(m.group(2)))
