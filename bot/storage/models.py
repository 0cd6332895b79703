"""The database schema. What is stored, and what deliberately is not:

- no Slack user ID of a poster in the clear: `author_hash` (keyed HMAC) finds a
  user's own posts and enforces blocks; `author_enc` (encrypted) lets the app DM
  replies to the poster;
- raw intake answers only on open intakes, and only encrypted with a key of that
  intake's own (`intake_keys`), which is deleted when the intake closes: what
  copies of the ciphertext remain (WAL, free pages, backups) cannot be read then
  (crypto-shredding, see bot/storage/vault.py);
- posts keep de-identified text only, and lose even that on delete or retention.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """The same instant in UTC; a naive value is taken to be UTC already (what we store)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class UTCDateTime(TypeDecorator):
    """Every time value is written in UTC and read back timezone-aware, in UTC.

    SQLite keeps no zone (it returns naive values, which ``timestamp()`` would read as
    the server's local time); PostgreSQL's timestamptz does. A value in another zone is
    converted before it is written, so comparisons in SQL compare instants."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else as_utc(value)

    def process_result_value(self, value, dialect):
        return None if value is None else as_utc(value)


class Base(DeclarativeBase):
    pass


class Intake(Base):
    __tablename__ = "intakes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    author_hash: Mapped[str] = mapped_column(String(64), index=True)
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    step: Mapped[str] = mapped_column(String(40))
    # The state (raw answers, history, preview), encrypted with this intake's own key.
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    @property
    def state(self) -> dict:
        """The decrypted state, set by the Store on every intake it returns; never stored."""
        return self.__dict__.get("_opened_state") or {}

    @state.setter
    def state(self, value: dict) -> None:
        self.__dict__["_opened_state"] = value


class IntakeKey(Base):
    """An open intake's data key, wrapped by the app's secret key; deleted when the
    intake closes, which leaves its ciphertext unreadable. UNLOGGED on PostgreSQL
    (never in the WAL, archives, replicas or base backups; emptied after a crash)."""

    __tablename__ = "intake_keys"
    intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id", ondelete="CASCADE"), primary_key=True)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)


class Post(Base):
    """A consultation post. ``id`` is the row's key, never shown to anyone (foreign keys,
    button values, message metadata); ``number`` is what people see ("Dilemma #17"),
    counted within the workspace (``team_id``: the organisation's for an org-wide
    install) from 1, allocated through ``post_counters`` (Store.post_from_intake)."""

    __tablename__ = "posts"
    __table_args__ = (Index("uq_posts_team_number", "team_id", "number", unique=True),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    number: Mapped[int] = mapped_column(Integer)  # Dilemma #number, within team_id
    intake_ref: Mapped[str] = mapped_column(String(40), unique=True)  # one post per intake
    delivery_key: Mapped[str | None] = mapped_column(String(40), nullable=True)  # in the Slack message's metadata
    channel_id: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(20), index=True)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    content: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # de-identified fields only
    author_hash: Mapped[str] = mapped_column(String(64), index=True)
    author_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    review_channel: Mapped[str | None] = mapped_column(String(32), nullable=True)
    review_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class PostCounter(Base):
    """The last post number given in a workspace (an upsert takes the next one, under
    the row's lock: two processes posting at once get different numbers)."""

    __tablename__ = "post_counters"
    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class PostMessage(Base):
    """Messages the app wrote in a post's thread (deleted with the post)."""

    __tablename__ = "post_messages"
    __table_args__ = (Index("uq_post_messages_number", "post_id", "number", unique=True),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    ts: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(20))  # anonymous | op | copy (a duplicate found and kept track of)
    number: Mapped[int | None] = mapped_column(Integer, nullable=True)  # anonymous replies: Dilemma #17, reply 2
    author_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)  # an anonymous reply's writer, keyed
    delivery_key: Mapped[str | None] = mapped_column(String(80), nullable=True, unique=True, index=True)


class Relay(Base):
    """Thread replies waiting to be relayed to the poster as one DM."""

    __tablename__ = "relays"
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    first_reply_ts: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class Flag(Base):
    __tablename__ = "flags"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    flagger_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="open")  # open, removed, dismissed, withdrawn
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)  # optional, de-identified
    review_channel: Mapped[str | None] = mapped_column(String(32), nullable=True)
    review_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ProcessedKey(Base):
    """Idempotency keys (event IDs, button clicks) already handled."""

    __tablename__ = "processed_keys"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class Setting(Base):
    __tablename__ = "settings"
    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Moderator(Base):
    __tablename__ = "moderators"
    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Channel(Base):
    __tablename__ = "channels"
    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # False: removed in Slack, overrides config
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuthorBlock(Base):
    __tablename__ = "author_blocks"
    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    author_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    post_number: Mapped[int] = mapped_column(Integer)  # the post's shown number in this workspace
    reply_number: Mapped[int | None] = mapped_column(Integer, nullable=True)  # blocked for a reply, not a post
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Term(Base):
    __tablename__ = "terms"
    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    term: Mapped[str] = mapped_column(String(200), primary_key=True)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    moderator_id: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(60))
    post_number: Mapped[int | None] = mapped_column(Integer, nullable=True)  # shown number, in this workspace
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class JobRun(Base):
    __tablename__ = "job_runs"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_run_at: Mapped[datetime] = mapped_column(UTCDateTime())
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    # The lease of the run in progress (Store.claim_job), and how many runs were claimed.
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    runs: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class KeyFingerprint(Base):
    """A fingerprint (derived, never the key itself) of each secret key the database
    was written with: a start with keys matching none of them is refused."""

    __tablename__ = "key_fingerprints"
    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
