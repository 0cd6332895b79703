"""Everything the app can say or show, as plain values.

The domain decides *what* to say by building one of these; ``bot.blocks.render``
turns each into Slack's Block Kit, and the gateway sends it. So the domain never
touches Block Kit, and every message the app can send is listed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.consult.model import Group, IntakeState, OwnPost, PostContent

# ---- the intake (DM) ---------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """A sentence from prompts/, already formatted (mrkdwn)."""

    text: str


@dataclass(frozen=True)
class ModalNotice:
    """A modal holding one sentence and a Close button: opened at once on a click whose
    form takes a while to prepare (a trigger_id opens a modal only within 3 s), then
    replaced by the form, or kept saying why there is none."""

    text: str


@dataclass(frozen=True)
class IntakeIntro:
    pass


@dataclass(frozen=True)
class StepPrompt:
    step_id: str
    state: IntakeState
    ref: str


@dataclass(frozen=True)
class PreviewPrompt:
    content: PostContent
    ref: str
    target: Group | None
    resources: dict[str, str] = field(default_factory=dict)  # the workspace's risk resources


@dataclass(frozen=True)
class StartPrompt:
    """No intake is open: a button to start one."""


@dataclass(frozen=True)
class AlreadyOpen:
    step_label: str


@dataclass(frozen=True)
class TextForm:
    step_id: str
    ref: str


@dataclass(frozen=True)
class PrinciplesForm:
    ref: str
    selected: tuple[str, ...]


@dataclass(frozen=True)
class EditForm:
    ref: str
    content: PostContent


@dataclass(frozen=True)
class RemoveWordsForm:
    """The preview's one-step removal: the words to check, as checkboxes, and a
    box for any other word."""

    ref: str
    words: tuple[str, ...]


# ---- the post and its discussion --------------------------------------------


# A post is named by its ``number`` in the workspace ("Dilemma #17") in everything that is
# sent: what people read, and button values, form metadata and message metadata
# (bot/values.py). Its row id, one count over all workspaces, is in none of these values,
# so no renderer can send it; each handler looks the number up in the request's workspace.


@dataclass(frozen=True)
class ChannelPost:
    number: int
    content: PostContent
    resolved: bool = False


@dataclass(frozen=True)
class ThreadReply:
    kind: str  # "anonymous" | "op"
    text: str
    number: int | None = None  # anonymous replies are numbered, so moderators can name one


@dataclass(frozen=True)
class ReplyForm:
    kind: str  # "anonymous" | "op"
    number: int


@dataclass(frozen=True)
class ReplyCheck:
    """The reply form's second step: the words de-identification kept but is
    unsure about, to remove (ticked or typed) before the reply is posted."""

    kind: str  # "anonymous" | "op"
    number: int
    reply: str  # as written, to edit further
    redacted: str  # as it would be posted now
    words: tuple[str, ...]


@dataclass(frozen=True)
class RelayNotice:
    number: int
    count: int
    permalink: str | None
    resolved: bool
    # What the replies say (de-identified, as public in the channel; never who wrote them).
    replies: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConsultRecord:
    """A de-identified record of one consultation, for the poster's notes: only what was
    posted and replied in the channel, never who anyone is."""

    number: int
    posted_on: str  # the date it was posted, YYYY-MM-DD
    made_on: str  # the date the record was made
    content: PostContent
    replies: tuple[str, ...]
    resolved: bool


@dataclass(frozen=True)
class MyPosts:
    posts: tuple[OwnPost, ...]


# ---- moderation --------------------------------------------------------------


@dataclass(frozen=True)
class AdminAnswer:
    """An answer to `/boundary-admin` (mrkdwn; user text in it already escaped)."""

    text: str


@dataclass(frozen=True)
class BlockQuestion:
    """`/boundary-admin block 17` asks first: "Block …? [Block] [Cancel]"; only the click blocks.
    The question and its buttons name the post by its number (and reply)."""

    number: int
    reply: int | None = None


@dataclass(frozen=True)
class ApprovalRequest:
    number: int
    channel: str
    content: PostContent


@dataclass(frozen=True)
class FlagNotice:
    number: int
    flag_number: int  # its place among the post's flags (Store.flag_numbers)
    content: PostContent
    reason: str = ""  # the flagger's optional reason, de-identified


@dataclass(frozen=True)
class FlagForm:
    """Flag: the small form asking for an optional reason. ``respond_to`` is the
    clicked message's response_url, for the ephemeral confirmation with its undo."""

    number: int
    respond_to: str = ""


@dataclass(frozen=True)
class Decided:
    """A review-channel message replaced by its outcome (buttons gone)."""

    title: str
    outcome: str


@dataclass(frozen=True)
class RejectForm:
    number: int


@dataclass(frozen=True)
class QueueItem:
    """A post waiting for a moderator: to approve (flag_number None) or a flag to decide."""

    number: int
    flag_number: int | None = None  # the flag's place among the post's flags
    excerpt: str = ""  # the de-identified question (or situation), as the channel sees it
    reason: str = ""  # a flag's optional reason from the colleague who flagged it


@dataclass(frozen=True)
class ModeratorHome:
    settings: str
    awaiting: tuple[QueueItem, ...] = ()
    flags: tuple[QueueItem, ...] = ()


@dataclass(frozen=True)
class HomeView:
    posts: tuple[OwnPost, ...] = ()
    moderator: ModeratorHome | None = None
