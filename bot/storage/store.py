"""The one storage interface the domain uses. Every write that must happen once
(posting, relaying, handling an event) is an atomic conditional statement, so that
several processes sharing one PostgreSQL database cannot both do it.

Each method runs in its own short transaction, unless the caller opened one with
``transaction()``: then every call inside joins it, so that an intake step or a
click reads and writes the database in one transaction. Slack is never called
inside one (a slow answer would hold the database's write lock on SQLite).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    Boolean,
    Text,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal_column,
    null,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from bot.consult.model import FlagNumber, FlagRef, PostNumber, PostRef
from bot.logs import log_event
from bot.storage import models as m
from bot.storage.db import create_engine, migrate_when_due
from bot.storage.models import utcnow
from bot.storage.vault import IntakeVault

log = logging.getLogger("bot.storage")
# A consultation record shared as a file in the poster's DM: its row holds the file's ID
# (in the ts column), and it is deleted with files.delete, not chat.delete.
RECORD_FILE = "record_file"
# Kinds of post_messages rows that are the app's messages in the poster's DM (a relay of
# replies, a consultation record), not in the post's thread. Only their ts is stored: the
# DM is found again from the post's sealed author when they must be deleted.
DM_KINDS = ("relay", "record", RECORD_FILE)


class ChannelRow(NamedTuple):
    channel_id: str
    name: str
    active: bool


@dataclass(frozen=True)
class WorkspaceRows:
    """What the database holds of one workspace's settings (bot/moderation/workspace.py
    merges it with config/): read together, in one statement."""

    settings: dict[str, Any]
    channels: list[ChannelRow]  # in the order they were added
    terms: list[str]  # sorted
    moderators: list[str]


def _workspace_statement() -> Any:
    """The settings, channels, terms and moderators of the workspace ``team_id`` (a bound
    parameter), as one UNION ALL: one round trip instead of four. Built once; the settings'
    JSON values come as text (json.loads, as the JSON column type does)."""
    team: Any = bindparam("team_id")
    when = m.Channel.created_at.type

    def none(type_: Any) -> Any:
        return null().cast(type_)  # a typed NULL, for both dialects' UNION

    def row(kind: str, a: Any, b: Any, c: Any, d: Any) -> Any:
        return select(literal_column(f"'{kind}'").label("kind"), a.label("a"), b.label("b"), c.label("c"), d.label("d"))

    return union_all(
        row("s", m.Setting.key, m.Setting.value.cast(Text), none(Boolean), none(when)).where(m.Setting.team_id == team),
        row("c", m.Channel.channel_id, m.Channel.name, m.Channel.active, m.Channel.created_at).where(
            m.Channel.team_id == team
        ),
        row("t", m.Term.term, none(Text), none(Boolean), none(when)).where(m.Term.team_id == team),
        row("m", m.Moderator.user_id, none(Text), none(Boolean), none(when)).where(m.Moderator.team_id == team),
    ).order_by(literal_column("kind"), literal_column("d"), literal_column("a"))


_WORKSPACE = _workspace_statement()
# Statements every intake step runs, built once with bound parameters: building one
# and computing its cache key each time cost more CPU than its round trip.
_OPEN_INTAKE = (  # the newest open intake of a person, with its wrapped key
    select(m.Intake, m.IntakeKey.wrapped)
    .outerjoin(m.IntakeKey, m.IntakeKey.intake_id == m.Intake.id)
    .where(m.Intake.team_id == bindparam("team_id"), m.Intake.author_hash.in_(bindparam("hashes", expanding=True)))
    .order_by(m.Intake.id.desc())
    .limit(1)
)
_BLOCKED = (
    select(func.count())
    .select_from(m.AuthorBlock)
    .where(
        m.AuthorBlock.team_id == bindparam("team_id"),
        m.AuthorBlock.author_hash.in_(bindparam("hashes", expanding=True)),
    )
)
_UNREAD = object()  # _opened(): the intake's key not read yet


def _rows(result: Any) -> int:
    """Rows an UPDATE or DELETE touched (its result is a CursorResult at run time)."""
    return cast(CursorResult[Any], result).rowcount or 0


class Store:
    def __init__(self, engine: AsyncEngine, secrets: list[str] | None = None):
        self.engine = engine
        self.vault = IntakeVault(secrets)
        # Closes counted against scrubs done: a close that commits while a scrub runs is
        # scrubbed by the next one, never forgotten by the one that started before it.
        self._closes = 0
        self._scrubbed = 0
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._ambient: ContextVar[AsyncSession | None] = ContextVar(f"store-{id(self)}", default=None)
        self.transactions = 0  # committed or not: counted for benchmarks and tests

    @classmethod
    async def open(cls, url: str, secrets: list[str] | None = None) -> Store:
        engine = create_engine(url)
        await migrate_when_due(engine, url)  # Alembic in a child process, only when due
        store = cls(engine, secrets)
        await store.checkpoint()  # what a kill left in the WAL
        return store

    def use_secrets(self, secrets: list[str]) -> None:
        """Wraps intake keys with BOUNDARY_SECRET_KEY (newest first), so intakes
        survive a restart and are shared by processes with the same keys."""
        self.vault = IntakeVault(secrets)

    async def close(self) -> None:
        try:
            await self.checkpoint()
        finally:
            await self.engine.dispose()

    def in_transaction(self) -> bool:
        return self._ambient.get() is not None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One transaction for everything the block does with the store (nested
        calls join the outermost one)."""
        current = self._ambient.get()
        if current is not None:
            yield current
            return
        self.transactions += 1
        async with self._sessions() as s:
            async with s.begin():
                token = self._ambient.set(s)
                try:
                    yield s
                finally:
                    self._ambient.reset(token)
            await self._after_commit(s)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        current = self._ambient.get()
        if current is not None:
            yield current
            return
        self.transactions += 1
        async with self._sessions() as s:
            async with s.begin():
                yield s
            await self._after_commit(s)

    async def _after_commit(self, s: AsyncSession) -> None:
        if s.info.pop("shredded", False):
            self._closes += 1
            closes = self._closes
            if self.engine.dialect.name == "sqlite" and await self.checkpoint():
                self._scrubbed = max(self._scrubbed, closes)

    @staticmethod
    async def _insert_once(s: AsyncSession, row: m.Base) -> bool:
        """Adds the row; False (and the transaction intact) if its key exists."""
        try:
            async with s.begin_nested():
                s.add(row)
            return True
        except IntegrityError:
            return False

    # ---- idempotency -------------------------------------------------------
    async def claim_key(self, key: str) -> bool:
        """True the first time a key is seen, by any process (one statement: no savepoint)."""
        async with self.session() as s:
            first = self._insert(m.ProcessedKey).values(key=key[:200], created_at=utcnow())
            return _rows(await s.execute(first.on_conflict_do_nothing(index_elements=["key"]))) == 1

    async def prune_keys(self, older_than: timedelta) -> int:
        async with self.session() as s:
            res = await s.execute(delete(m.ProcessedKey).where(m.ProcessedKey.created_at < utcnow() - older_than))
            return _rows(res)

    # ---- intakes -----------------------------------------------------------
    # The state is stored only encrypted with the intake's own key (IntakeVault);
    # every way an intake closes deletes that key in the same transaction, and on
    # SQLite a checkpoint after the commit takes the old pages out of the WAL.
    async def _opened(self, s: AsyncSession, intake: m.Intake | None, wrapped: Any = _UNREAD) -> m.Intake | None:
        """The intake with its state decrypted; None when it cannot be read. An
        intake whose key is gone (PostgreSQL empties the unlogged key table after
        a crash) is deleted; one that no configured secret opens is left alone.
        ``wrapped``: its wrapped key, when the caller read it with the intake (None: no key)."""
        if intake is None:
            return None
        if wrapped is _UNREAD:
            row = await s.get(m.IntakeKey, intake.id)
            wrapped = row.wrapped if row is not None else None
        data_key = self.vault.unwrap(wrapped, intake.id) if wrapped is not None else None
        if data_key is not None:  # for a save in the same transaction (a step reads, then saves)
            s.info.setdefault("intake_keys", {})[intake.id] = data_key
        state = self.vault.open(data_key, intake.id, intake.sealed) if data_key is not None else None
        if state is None:
            if wrapped is None:
                await s.execute(delete(m.Intake).where(m.Intake.id == intake.id))
                s.info["shredded"] = True
            log_event(log, "intake unreadable", reason="key gone" if wrapped is None else "no secret key opens it")
            return None
        intake.state = state
        return intake

    async def open_intake(self, team_id: str, hashes: Iterable[str]) -> m.Intake | None:
        async with self.session() as s:
            res = await s.execute(_OPEN_INTAKE, {"team_id": team_id, "hashes": list(hashes)})
            found = res.first()
            return await self._opened(s, found[0], found[1]) if found is not None else None

    async def post_by_intake(self, team_id: str, ref: str) -> m.Post | None:
        """The post an intake became (by the intake's reference), if it became one."""
        async with self.session() as s:
            res = await s.execute(select(m.Post).where(m.Post.team_id == team_id, m.Post.intake_ref == ref).limit(1))
            return res.scalar_one_or_none()

    async def get_intake(self, intake_id: int) -> m.Intake | None:
        async with self.session() as s:
            return await self._opened(s, await s.get(m.Intake, intake_id))

    async def intakes_by_ref(self, refs: Iterable[str]) -> list[m.Intake]:
        """The open intakes with these references, their state decrypted."""
        async with self.session() as s:
            res = await s.execute(select(m.Intake).where(m.Intake.ref.in_(list(refs))))
            opened = [await self._opened(s, row) for row in res.scalars()]
            return [intake for intake in opened if intake is not None]

    async def create_intake(self, team_id: str, author_hash: str, ref: str, step: str, state: dict) -> m.Intake:
        async with self.session() as s:
            old = select(m.Intake.id).where(m.Intake.team_id == team_id, m.Intake.author_hash == author_hash)
            await self._shred(s, old)
            intake = m.Intake(
                team_id=team_id,
                author_hash=author_hash,
                ref=ref,
                step=step,
                sealed=b"",
                created_at=utcnow(),
                updated_at=utcnow(),
            )
            s.add(intake)
            await s.flush()  # its id is in the key's and the ciphertext's associated data
            data_key = self.vault.new_key()
            s.add(m.IntakeKey(intake_id=intake.id, wrapped=self.vault.wrap(data_key, intake.id)))
            intake.sealed = self.vault.seal(data_key, intake.id, state)
            intake.state = state
        return intake

    async def save_intake(
        self, intake_id: int, step: str, state: dict, expect_step: str | None = None, *, touch: bool = True
    ) -> bool:
        """Saves the intake; with expect_step, only if it is still at that step (a
        second click on an old button then changes nothing). ``touch=False``: the
        person did nothing (bookkeeping), so the idle clock is not reset."""
        conds = [m.Intake.id == intake_id]
        if expect_step is not None:
            conds.append(m.Intake.step == expect_step)
        async with self.session() as s:
            data_key = s.info.get("intake_keys", {}).get(intake_id)
            if data_key is None:
                row = await s.get(m.IntakeKey, intake_id)
                data_key = self.vault.unwrap(row.wrapped, intake_id) if row is not None else None
            if data_key is None:
                return False
            sealed = self.vault.seal(data_key, intake_id, state)
            values: dict[str, Any] = {"step": step, "sealed": sealed}
            if touch:
                values["updated_at"] = utcnow()
            res = await s.execute(update(m.Intake).where(*conds).values(**values))
            return _rows(res) == 1

    @staticmethod
    async def _shred(s: AsyncSession, ids) -> int:
        """Deletes the intakes `ids` (a select of intake IDs) and their keys."""
        ids = list((await s.execute(ids)).scalars())
        if not ids:
            return 0
        await s.execute(delete(m.IntakeKey).where(m.IntakeKey.intake_id.in_(ids)))
        res = await s.execute(delete(m.Intake).where(m.Intake.id.in_(ids)))
        s.info["shredded"] = True
        for intake_id in ids:
            s.info.get("intake_keys", {}).pop(intake_id, None)
        return _rows(res)

    async def delete_intake(self, intake_id: int) -> bool:
        async with self.session() as s:
            return await self._shred(s, select(m.Intake.id).where(m.Intake.id == intake_id)) == 1

    async def expire_intakes(self, idle: timedelta) -> int:
        async with self.session() as s:
            return await self._shred(s, select(m.Intake.id).where(m.Intake.updated_at < utcnow() - idle))

    async def checkpoint(self) -> bool:
        """SQLite: copies the WAL into the database and truncates it, so that the
        pages an intake's close overwrote (secure_delete) leave the WAL too. False
        when a reader kept it from finishing (the next close or shutdown retries)."""
        if self.engine.dialect.name != "sqlite":
            return True
        async with self.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.exec_driver_sql("PRAGMA busy_timeout=2000")  # a busy reader: give up soon, retry later
            try:
                row = (await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")).first()
                finished = row is None or row[0] == 0  # the first column is "busy"
            except DBAPIError:  # "database is locked"
                finished = False
            finally:
                await conn.exec_driver_sql("PRAGMA busy_timeout=30000")
        return finished

    async def scrub(self) -> bool:
        """Run by the worker after intakes closed in this process: takes their deleted
        key rows out of the files. SQLite: the checkpoint again, if the one after the
        close was kept from finishing. PostgreSQL: the (tiny, unlogged) key table's live
        rows are copied into a new file and the old one dropped (TRUNCATE, under the
        table's exclusive lock). VACUUM FULL would not do: it copies a deleted row into
        the new file as well while any transaction anywhere on the server (another
        process, another database, an autovacuum ANALYZE) began before the delete, and
        plain VACUUM leaves the bytes in the page. True when nothing is left to scrub."""
        closes = self._closes
        if self._scrubbed >= closes:
            return True
        if self.engine.dialect.name == "sqlite":
            done = await self.checkpoint()
        else:
            try:
                async with self.engine.begin() as conn:
                    await conn.exec_driver_sql("SET LOCAL lock_timeout = '500ms'")  # never hold intakes up for long
                    await conn.exec_driver_sql("LOCK TABLE intake_keys IN ACCESS EXCLUSIVE MODE")
                    live = [
                        dict(r)
                        for r in (await conn.execute(select(m.IntakeKey.intake_id, m.IntakeKey.wrapped))).mappings()
                    ]
                    await conn.exec_driver_sql("TRUNCATE intake_keys")
                    if live:
                        await conn.execute(insert(m.IntakeKey), live)
                done = True
            except DBAPIError:
                done = False
        if done:
            self._scrubbed = max(self._scrubbed, closes)
        else:
            log_event(log, "closed intakes' keys not yet scrubbed: retried on the next tick")
        return done

    # ---- posts -------------------------------------------------------------
    async def post_from_intake(
        self, intake_id: int, expect_step: str, lease: timedelta | None = None, **fields
    ) -> m.Post | None:
        """Closes the intake and records the post in one transaction; None when
        the intake was already posted (a double click, a second process). With a
        lease the post is born claimed by its creator, so the background worker
        leaves it alone unless the creator dies before delivering it."""
        now = utcnow()
        claim = dict(claimed_until=now + lease, attempts=1) if lease else dict(attempts=0)
        async with self.session() as s:
            closed = select(m.Intake.id).where(m.Intake.id == intake_id, m.Intake.step == expect_step)
            if await self._shred(s, closed) != 1:
                return None
            number = await self._next_number(s, fields["team_id"])
            post = m.Post(created_at=now, resolved=False, number=number, **claim, **fields)
            s.add(post)
        return post

    async def _next_number(self, s: AsyncSession, team_id: str) -> int:
        """The workspace's next post number, taken in the caller's transaction by one
        upsert of its counter row: on PostgreSQL a concurrent poster waits on the row's
        lock until this transaction ends and then counts on from what it committed (a
        rollback gives the number back); SQLite has one writer at a time. A workspace
        without a counter starts after its highest number (1 for a new one)."""
        first = select(func.coalesce(func.max(m.Post.number), 0) + 1).where(m.Post.team_id == team_id)
        stmt = (
            self._insert(m.PostCounter)
            .values(team_id=team_id, last_number=first.scalar_subquery())
            .on_conflict_do_update(index_elements=["team_id"], set_={"last_number": m.PostCounter.last_number + 1})
            .returning(m.PostCounter.last_number)
        )
        return int((await s.execute(stmt)).scalar_one())

    async def get_post(self, post_id: int, team_id: str | None = None) -> m.Post | None:
        async with self.session() as s:
            post = await s.get(m.Post, post_id)
            if post is None or (team_id is not None and post.team_id != team_id):
                return None
            return post

    async def posts_by_id(self, team_id: str, post_ids: Iterable[int]) -> dict[int, m.Post]:
        """This workspace's posts among these row ids, by row id."""
        ids = list(post_ids)
        if not ids:
            return {}
        async with self.session() as s:
            res = await s.execute(select(m.Post).where(m.Post.team_id == team_id, m.Post.id.in_(ids)))
            return {post.id: post for post in res.scalars()}

    async def post_by_number(self, team_id: str, number: int) -> m.Post | None:
        """The post shown as "Dilemma #number" in this workspace (what a moderator types)."""
        async with self.session() as s:
            res = await s.execute(select(m.Post).where(m.Post.team_id == team_id, m.Post.number == number))
            return res.scalar_one_or_none()

    async def find_post(self, team_id: str, ref: PostRef) -> m.Post | None:
        """The post a button or form names, among this workspace's posts only: by its
        number (``PostNumber``, what the app sends now) or by its row id (an ``int``,
        what a button or form sent before carries)."""
        if isinstance(ref, PostNumber):
            return await self.post_by_number(team_id, ref.number)
        return await self.get_post(ref, team_id)

    async def post_by_message(self, channel_id: str, ts: str) -> m.Post | None:
        async with self.session() as s:
            res = await s.execute(select(m.Post).where(m.Post.channel_id == channel_id, m.Post.message_ts == ts))
            return res.scalar_one_or_none()

    async def posts_by_author(self, team_id: str, hashes: Iterable[str], limit: int = 20) -> list[m.Post]:
        async with self.session() as s:
            res = await s.execute(
                select(m.Post)
                .where(
                    m.Post.team_id == team_id,
                    m.Post.author_hash.in_(list(hashes)),
                    m.Post.status.in_(["pending", "awaiting_approval", "posted"]),
                )
                .order_by(m.Post.id.desc())
                .limit(limit)
            )
            return list(res.scalars())

    async def claim_post(
        self, post_id: int, lease: timedelta, statuses=("pending",), new_status: str | None = None
    ) -> m.Post | None:
        """Takes the right to deliver a post for `lease`; None if another worker
        holds it. new_status moves it on in the same statement (an approval)."""
        now = utcnow()
        values = dict(claimed_until=now + lease, attempts=m.Post.attempts + 1)
        if new_status:
            values["status"] = new_status
        async with self.session() as s:
            res = await s.execute(
                update(m.Post)
                .where(
                    m.Post.id == post_id,
                    m.Post.status.in_(statuses),
                    or_(m.Post.claimed_until.is_(None), m.Post.claimed_until < now),
                )
                .values(**values)
            )
            if _rows(res) != 1:
                return None
            return await s.get(m.Post, post_id)

    async def mark_posted(self, post_id: int, ts: str) -> bool:
        """Records the message; False when the post stopped being pending meanwhile
        (deleted or removed while it was being sent): the caller takes it down."""
        values = dict(status="posted", message_ts=ts, posted_at=utcnow(), claimed_until=None, next_attempt_at=None)
        async with self.session() as s:
            res = await s.execute(
                update(m.Post).where(m.Post.id == post_id, m.Post.status == "pending").values(**values)
            )
            return _rows(res) == 1

    async def release_post(self, post_id: int, retry_at: datetime) -> None:
        async with self.session() as s:
            await s.execute(
                update(m.Post).where(m.Post.id == post_id).values(claimed_until=None, next_attempt_at=retry_at)
            )

    async def due_posts(self) -> list[int]:
        now = utcnow()
        async with self.session() as s:
            res = await s.execute(
                select(m.Post.id)
                .where(
                    m.Post.status == "pending",
                    or_(m.Post.next_attempt_at.is_(None), m.Post.next_attempt_at <= now),
                    or_(m.Post.claimed_until.is_(None), m.Post.claimed_until < now),
                )
                .order_by(m.Post.id)
            )
            return list(res.scalars())

    async def update_post(self, post_id: int, expect_status: Iterable[str] | None = None, **values) -> bool:
        conds = [m.Post.id == post_id]
        if expect_status is not None:
            conds.append(m.Post.status.in_(list(expect_status)))
        async with self.session() as s:
            res = await s.execute(update(m.Post).where(*conds).values(**values))
            return _rows(res) == 1

    async def purge_post(self, post_id: int, status: str) -> None:
        """Deletes everything a post said; the row stays so its number is not reused."""
        async with self.session() as s:
            await s.execute(
                update(m.Post)
                .where(m.Post.id == post_id)
                .values(status=status, content=None, author_enc=None, purged_at=utcnow())
            )
            await s.execute(delete(m.Relay).where(m.Relay.post_id == post_id))
            await s.execute(update(m.Flag).where(m.Flag.post_id == post_id).values(reason=None))

    @staticmethod
    def _purgeable(days: int, team_id: str) -> list[Any]:
        return [
            m.Post.team_id == team_id,
            m.Post.created_at < utcnow() - timedelta(days=days),
            m.Post.purged_at.is_(None),
            m.Post.status.not_in(["awaiting_approval", "pending"]),
        ]

    async def purgeable_with_dms(self, days: int, team_id: str) -> list[m.Post]:
        """The posts retention is about to purge that still have messages in their
        poster's DM (those go first, while the sealed author still finds the DM)."""
        with_dms = select(m.PostMessage.post_id).where(m.PostMessage.kind.in_(DM_KINDS))
        async with self.session() as s:
            res = await s.execute(select(m.Post).where(*self._purgeable(days, team_id), m.Post.id.in_(with_dms)))
            return list(res.scalars())

    async def purge_older_than(self, days: int, team_id: str, keep: Iterable[int] = ()) -> int:
        """Purges old post text. Posts still waiting for a moderator or for Slack
        are kept until they are out (else they would go out empty); purged_at, not
        content (JSON null is not SQL NULL), tells what was already purged. ``keep``:
        posts left for the next run (their DM copies could not be deleted yet)."""
        conds = self._purgeable(days, team_id)
        keep = list(keep)
        if keep:
            conds.append(m.Post.id.not_in(keep))
        async with self.session() as s:
            res = await s.execute(
                update(m.Post).where(*conds).values(content=None, author_enc=None, purged_at=utcnow())
            )
            return _rows(res)

    async def purge_team(self, team_id: str) -> dict[str, int]:
        """Everything kept of one workspace goes, in one transaction, the way retention
        and an intake's close remove it: open intakes with their keys (shredded), every
        post's text and sealed author (the row stays, so its number is not reused) with
        its relays and flag reasons, and the workspace's settings, moderators, channels,
        terms, blocks, audit log and job notes."""
        posts = select(m.Post.id).where(m.Post.team_id == team_id)
        async with self.session() as s:
            intakes = await self._shred(s, select(m.Intake.id).where(m.Intake.team_id == team_id))
            res = await s.execute(
                update(m.Post)
                .where(m.Post.team_id == team_id, m.Post.purged_at.is_(None))
                .values(content=None, author_enc=None, purged_at=utcnow())
            )
            purged = _rows(res)
            # what was waiting for Slack will not go out: there is no token for it any more
            await s.execute(
                update(m.Post)
                .where(m.Post.team_id == team_id, m.Post.status.in_(["pending", "awaiting_approval"]))
                .values(status="failed", next_attempt_at=None, claimed_until=None)
            )
            await s.execute(delete(m.Relay).where(m.Relay.post_id.in_(posts)))
            await s.execute(update(m.Flag).where(m.Flag.post_id.in_(posts)).values(reason=None))
            for table in (m.Setting, m.Moderator, m.Channel, m.Term, m.AuthorBlock, m.AuditEntry):
                await s.execute(delete(table).where(table.team_id == team_id))
            for name in (f"channels:{team_id}"[:40], f"relays_given_up:{team_id}"[:40]):
                await s.execute(delete(m.JobRun).where(m.JobRun.name == name))
        return {"intakes": intakes, "posts": purged}

    async def teams(self) -> list[str]:
        async with self.session() as s:
            res = await s.execute(select(m.Post.team_id).distinct())
            teams = set(res.scalars())
            res = await s.execute(select(m.Setting.team_id).distinct())
            return sorted(teams | set(res.scalars()))

    async def add_post_message(self, post_id: int, ts: str, kind: str) -> None:
        async with self.session() as s:
            s.add(m.PostMessage(post_id=post_id, ts=ts, kind=kind))

    async def post_messages(self, post_id: int) -> list[m.PostMessage]:
        """The app's messages still in the post's channel (thread replies, kept copies)."""
        async with self.session() as s:
            res = await s.execute(
                select(m.PostMessage).where(
                    m.PostMessage.post_id == post_id, m.PostMessage.ts != "", m.PostMessage.kind.not_in(DM_KINDS)
                )
            )
            return list(res.scalars())

    async def dm_messages(self, post_id: int) -> list[m.PostMessage]:
        """The app's messages in the poster's DM that repeat what the thread said."""
        async with self.session() as s:
            res = await s.execute(
                select(m.PostMessage).where(m.PostMessage.post_id == post_id, m.PostMessage.kind.in_(DM_KINDS))
            )
            return list(res.scalars())

    async def forget_message(self, row_id: int) -> None:
        """A DM copy that is gone from Slack."""
        async with self.session() as s:
            await s.execute(delete(m.PostMessage).where(m.PostMessage.id == row_id))

    async def reserve_reply(self, post_id: int, author_hash: str, delivery_key: str) -> m.PostMessage | None:
        """The next reply number of a post, taken for one anonymous reply before it is
        sent; None when this delivery key was taken already (the same form twice)."""
        for _ in range(10):
            async with self.session() as s:
                taken = await s.execute(select(m.PostMessage.id).where(m.PostMessage.delivery_key == delivery_key))
                if taken.first() is not None:
                    return None
                last = await s.execute(select(func.max(m.PostMessage.number)).where(m.PostMessage.post_id == post_id))
                row = m.PostMessage(
                    post_id=post_id,
                    ts="",
                    kind="anonymous",
                    number=(last.scalar() or 0) + 1,
                    author_hash=author_hash,
                    delivery_key=delivery_key,
                )
                if await self._insert_once(s, row):
                    return row
        raise RuntimeError("could not number a reply")  # ten concurrent replies to one post, all colliding

    async def complete_reply(self, row_id: int, ts: str) -> None:
        async with self.session() as s:
            await s.execute(update(m.PostMessage).where(m.PostMessage.id == row_id).values(ts=ts))

    async def drop_reply(self, row_id: int) -> None:
        """A reserved reply that Slack did not take: its number and key are free again."""
        async with self.session() as s:
            await s.execute(delete(m.PostMessage).where(m.PostMessage.id == row_id, m.PostMessage.ts == ""))

    async def reply(self, post_id: int, number: int) -> m.PostMessage | None:
        async with self.session() as s:
            res = await s.execute(
                select(m.PostMessage).where(m.PostMessage.post_id == post_id, m.PostMessage.number == number)
            )
            return res.scalar_one_or_none()

    async def mark_reply_removed(self, row_id: int) -> None:
        """The reply is gone from Slack; its number stays taken (and its writer blockable)."""
        async with self.session() as s:
            await s.execute(update(m.PostMessage).where(m.PostMessage.id == row_id).values(ts="", kind="removed"))

    # ---- reply relay -------------------------------------------------------
    async def add_reply(self, post_id: int, reply_ts: str, window: timedelta) -> None:
        """Counts a thread reply for the poster's next relay. A post's very first reply
        is due at once (the poster hears within a worker tick); a reply after a relay
        went out starts a batch due ``window`` later. A relay row stays, at count 0,
        once its replies are taken: that is how a later reply knows it is not the first."""
        later = utcnow() + window
        waiting = m.Relay.count > 0
        # Waiting replies keep the earliest ts (replies can arrive out of order, or two
        # first replies race): the relay reads the thread from it on.
        keep_first = and_(waiting, m.Relay.first_reply_ts <= reply_ts)
        counted = (
            update(m.Relay)
            .where(m.Relay.post_id == post_id)
            .values(
                count=m.Relay.count + 1,
                first_reply_ts=case((keep_first, m.Relay.first_reply_ts), else_=reply_ts),
                due_at=case((waiting, m.Relay.due_at), else_=later),
            )
        )
        async with self.session() as s:
            if _rows(await s.execute(counted)) == 0:
                try:
                    async with s.begin_nested():
                        s.add(m.Relay(post_id=post_id, count=1, first_reply_ts=reply_ts, due_at=utcnow()))
                except IntegrityError:
                    # Another first reply made the row meanwhile: counted like any later one.
                    await s.execute(counted)

    async def put_back_relay(self, post_id: int, count: int, first_ts: str, due_at: datetime) -> None:
        """A relay that could not be sent waits again (with any reply that came meanwhile)."""
        async with self.session() as s:
            await s.execute(
                update(m.Relay)
                .where(m.Relay.post_id == post_id)
                .values(
                    count=m.Relay.count + count,
                    first_reply_ts=first_ts,
                    due_at=due_at,
                )
            )

    async def due_relays(self) -> list[tuple[int, int, str]]:
        """The relays due now, as read (post, count, first reply's ts): not yet taken."""
        async with self.session() as s:
            res = await s.execute(select(m.Relay).where(m.Relay.due_at <= utcnow(), m.Relay.count > 0))
            return [(r.post_id, r.count, r.first_reply_ts) for r in res.scalars()]

    async def take_relay(self, post_id: int, count: int, first_ts: str) -> bool:
        """Takes one relay as it was read (its count back to 0), in one conditional
        statement: only while it is still due with that count and first reply. Another
        worker that read the same relay finds it changed (taken, or taken and counting
        new replies, or put back for later) and takes nothing."""
        async with self.session() as s:
            taken = await s.execute(
                update(m.Relay)
                .where(
                    m.Relay.post_id == post_id,
                    m.Relay.count == count,
                    m.Relay.first_reply_ts == first_ts,
                    m.Relay.due_at <= utcnow(),
                )
                .values(count=0)
            )
            return _rows(taken) == 1

    async def take_due_relays(self) -> list[tuple[int, int, str]]:
        """Takes due relays (their count back to 0); each is taken by exactly one worker."""
        return [relay for relay in await self.due_relays() if await self.take_relay(*relay)]

    async def drop_relay(self, post_id: int) -> None:
        """A post nobody can be told about any more (purged, deleted): its relay row goes."""
        async with self.session() as s:
            await s.execute(delete(m.Relay).where(m.Relay.post_id == post_id))

    async def relays_waiting(self) -> int:
        """Posts with replies not yet relayed to their poster."""
        async with self.session() as s:
            res = await s.execute(select(func.count()).select_from(m.Relay).where(m.Relay.count > 0))
            return int(res.scalar() or 0)

    # ---- flags -------------------------------------------------------------
    async def add_flag(
        self, post_id: int, flagger_hash: str, earlier: Iterable[str] = (), reason: str | None = None
    ) -> m.Flag | None:
        """Records a flag; None when this person flagged the post already (under
        ``flagger_hash`` or, before a key rotation, one of the ``earlier`` hashes).
        A flag its flagger withdrew is opened again."""
        hashes = [flagger_hash, *earlier]
        async with self.session() as s:
            res = await s.execute(
                select(m.Flag).where(m.Flag.post_id == post_id, m.Flag.flagger_hash.in_(hashes)).limit(1)
            )
            existing = res.scalars().first()
            if existing is not None:
                if existing.status != "withdrawn":
                    return None
                existing.status, existing.reason = "open", reason
                existing.review_channel = existing.review_ts = None
                return existing
            flag = m.Flag(post_id=post_id, flagger_hash=flagger_hash, status="open", reason=reason, created_at=utcnow())
            s.add(flag)
        return flag

    async def withdraw_flag(self, post_id: int, hashes: Iterable[str]) -> m.Flag | None:
        """The flagger's undo: their open flag on the post, now withdrawn (None if none is open)."""
        async with self.session() as s:
            res = await s.execute(
                select(m.Flag)
                .where(m.Flag.post_id == post_id, m.Flag.flagger_hash.in_(list(hashes)), m.Flag.status == "open")
                .limit(1)
            )
            flag = res.scalars().first()
            if flag is None:
                return None
            flag.status, flag.reason = "withdrawn", None
            return flag

    async def get_flag(self, flag_id: int) -> m.Flag | None:
        async with self.session() as s:
            return await s.get(m.Flag, flag_id)

    async def find_flag(self, team_id: str, ref: FlagRef) -> tuple[m.Flag, m.Post] | None:
        """The flag a Remove / Dismiss button names and its post, within this workspace
        only: by its post's number and its place among the post's flags (``FlagNumber``),
        or by its row id (an ``int``, on a button sent before)."""
        async with self.session() as s:
            if isinstance(ref, FlagNumber):
                res = await s.execute(select(m.Post).where(m.Post.team_id == team_id, m.Post.number == ref.post))
                post = res.scalar_one_or_none()
                if post is None:
                    return None
                found = await s.execute(
                    select(m.Flag).where(m.Flag.post_id == post.id).order_by(m.Flag.id).offset(ref.number - 1).limit(1)
                )
                flag = found.scalars().first()
            else:
                flag = await s.get(m.Flag, ref)
                post = await s.get(m.Post, flag.post_id) if flag is not None else None
            if flag is None or post is None or post.team_id != team_id:
                return None
            return flag, post

    async def flag_numbers(self, flag_ids: Iterable[int]) -> dict[int, int]:
        """Each flag's place among its post's flags (1 for the first flag made on the
        post), by flag row id: what its buttons carry. Flags are never deleted (a
        withdrawn flag is reopened in place), so a flag keeps its place."""
        ids = list(flag_ids)
        if not ids:
            return {}
        earlier = aliased(m.Flag)
        async with self.session() as s:
            res = await s.execute(
                select(m.Flag.id, func.count(earlier.id))
                .join(earlier, and_(earlier.post_id == m.Flag.post_id, earlier.id <= m.Flag.id))
                .where(m.Flag.id.in_(ids))
                .group_by(m.Flag.id)
            )
            return {int(flag_id): int(place) for flag_id, place in res.all()}

    async def update_flag(self, flag_id: int, expect_status: str | None = None, **values) -> bool:
        conds = [m.Flag.id == flag_id]
        if expect_status:
            conds.append(m.Flag.status == expect_status)
        async with self.session() as s:
            res = await s.execute(update(m.Flag).where(*conds).values(**values))
            return _rows(res) == 1

    async def open_flags(self, team_id: str) -> list[m.Flag]:
        async with self.session() as s:
            res = await s.execute(
                select(m.Flag)
                .join(m.Post, m.Post.id == m.Flag.post_id)
                .where(m.Post.team_id == team_id, m.Flag.status == "open")
                .order_by(m.Flag.id)
            )
            return list(res.scalars())

    async def awaiting_approval(self, team_id: str) -> list[m.Post]:
        async with self.session() as s:
            res = await s.execute(
                select(m.Post)
                .where(m.Post.team_id == team_id, m.Post.status == "awaiting_approval")
                .order_by(m.Post.id)
            )
            return list(res.scalars())

    # ---- workspace settings (moderation) ----------------------------------
    async def settings(self, team_id: str) -> dict:
        """The workspace's stored settings; read once per transaction (a write in it reads them again)."""
        async with self.session() as s:
            cache = s.info.setdefault("settings", {})
            if team_id not in cache:
                res = await s.execute(select(m.Setting).where(m.Setting.team_id == team_id))
                cache[team_id] = {row.key: row.value for row in res.scalars()}
            return dict(cache[team_id])

    async def workspace(self, team_id: str) -> WorkspaceRows:
        """The workspace's stored settings, channels, terms and moderators, in one statement
        (what settings(), channels(), terms() and moderators() return, together); the
        settings are kept for the rest of the transaction as settings() keeps them."""
        async with self.session() as s:
            stored: dict[str, Any] = {}
            channels: list[ChannelRow] = []
            terms: list[str] = []
            moderators: list[str] = []
            for kind, a, b, c, _ in (await s.execute(_WORKSPACE, {"team_id": team_id})).all():
                if kind == "s":
                    stored[a] = json.loads(b) if b is not None else None
                elif kind == "c":
                    channels.append(ChannelRow(a, b, bool(c)))
                elif kind == "t":
                    terms.append(a)
                else:
                    moderators.append(a)
            s.info.setdefault("settings", {})[team_id] = stored
            return WorkspaceRows(dict(stored), channels, terms, moderators)

    async def settings_named(self, key: str) -> dict[str, Any]:
        """Every workspace's value of one setting: {team_id: value}."""
        async with self.session() as s:
            res = await s.execute(select(m.Setting).where(m.Setting.key == key))
            return {row.team_id: row.value for row in res.scalars()}

    async def set_setting(self, team_id: str, key: str, value) -> None:
        async with self.session() as s:
            s.info.get("settings", {}).pop(team_id, None)
            row = await s.get(m.Setting, (team_id, key))
            if row is None:
                s.add(m.Setting(team_id=team_id, key=key, value=value, updated_at=utcnow()))
            else:
                row.value, row.updated_at = value, utcnow()

    async def channels(self, team_id: str) -> list[m.Channel]:
        async with self.session() as s:
            res = await s.execute(select(m.Channel).where(m.Channel.team_id == team_id).order_by(m.Channel.created_at))
            return list(res.scalars())

    async def set_channel(self, team_id: str, channel_id: str, name: str, active: bool) -> None:
        async with self.session() as s:
            row = await s.get(m.Channel, (team_id, channel_id))
            if row is None:
                s.add(m.Channel(team_id=team_id, channel_id=channel_id, name=name, active=active, created_at=utcnow()))
            else:
                row.name, row.active = name or row.name, active

    async def moderators(self, team_id: str) -> list[str]:
        async with self.session() as s:
            res = await s.execute(select(m.Moderator.user_id).where(m.Moderator.team_id == team_id))
            return list(res.scalars())

    async def add_moderator(self, team_id: str, user_id: str) -> bool:
        async with self.session() as s:
            return await self._insert_once(s, m.Moderator(team_id=team_id, user_id=user_id, created_at=utcnow()))

    async def remove_moderator(self, team_id: str, user_id: str) -> bool:
        async with self.session() as s:
            res = await s.execute(
                delete(m.Moderator).where(m.Moderator.team_id == team_id, m.Moderator.user_id == user_id)
            )
            return _rows(res) == 1

    async def terms(self, team_id: str) -> list[str]:
        async with self.session() as s:
            res = await s.execute(select(m.Term.term).where(m.Term.team_id == team_id).order_by(m.Term.term))
            return list(res.scalars())

    async def add_term(self, team_id: str, term: str) -> bool:
        async with self.session() as s:
            return await self._insert_once(s, m.Term(team_id=team_id, term=term))

    async def remove_term(self, team_id: str, term: str) -> bool:
        async with self.session() as s:
            res = await s.execute(
                delete(m.Term).where(m.Term.team_id == team_id, func.lower(m.Term.term) == term.lower())
            )
            return _rows(res) >= 1

    async def block_author(
        self, team_id: str, author_hash: str, post_number: int, reply_number: int | None = None
    ) -> bool:
        async with self.session() as s:
            row = m.AuthorBlock(
                team_id=team_id,
                author_hash=author_hash,
                post_number=post_number,
                reply_number=reply_number,
                created_at=utcnow(),
            )
            return await self._insert_once(s, row)

    async def unblock_author(self, team_id: str, author_hash: str) -> bool:
        async with self.session() as s:
            res = await s.execute(
                delete(m.AuthorBlock).where(m.AuthorBlock.team_id == team_id, m.AuthorBlock.author_hash == author_hash)
            )
            return _rows(res) >= 1

    async def is_blocked(self, team_id: str, hashes: Iterable[str]) -> bool:
        async with self.session() as s:
            res = await s.execute(_BLOCKED, {"team_id": team_id, "hashes": list(hashes)})
            return (res.scalar() or 0) > 0

    async def audit(
        self, team_id: str, moderator_id: str, action: str, post_number: int | None = None, detail: str | None = None
    ) -> None:
        async with self.session() as s:
            s.add(
                m.AuditEntry(
                    team_id=team_id,
                    moderator_id=moderator_id,
                    action=action,
                    post_number=post_number,
                    detail=detail,
                    created_at=utcnow(),
                )
            )

    async def audit_log(self, team_id: str, limit: int = 20) -> list[m.AuditEntry]:
        async with self.session() as s:
            res = await s.execute(
                select(m.AuditEntry)
                .where(m.AuditEntry.team_id == team_id)
                .order_by(m.AuditEntry.id.desc())
                .limit(limit)
            )
            return list(res.scalars())

    # ---- secret keys -------------------------------------------------------
    async def key_fingerprints(self) -> set[str]:
        async with self.session() as s:
            return set((await s.execute(select(m.KeyFingerprint.fingerprint))).scalars())

    async def record_key_fingerprints(self, current: Iterable[str]) -> set[str]:
        """Returns the fingerprints recorded before, and records ``current`` when none
        were (a new database) or when one of them matches (a rotation adds the new
        key). One process at a time: two hosts with different keys starting together
        on a new database cannot both be recorded."""
        current = list(current)
        async with self.session() as s:
            if self.engine.dialect.name == "postgresql":
                await s.execute(text("SELECT pg_advisory_xact_lock(7212027)"))
            else:  # SQLite: a write statement (matching nothing) takes the write lock before the read
                await s.execute(delete(m.KeyFingerprint).where(m.KeyFingerprint.fingerprint.is_(None)))
            recorded = set((await s.execute(select(m.KeyFingerprint.fingerprint))).scalars())
            if not recorded or recorded.intersection(current):
                for fp in current:
                    if fp not in recorded:
                        await self._insert_once(s, m.KeyFingerprint(fingerprint=fp, created_at=utcnow()))
            return recorded

    async def holds_keyed_data(self) -> bool:
        """Whether anything was written under a key (posts, intakes, blocks, flags)."""
        async with self.session() as s:
            for table in (m.Post, m.Intake, m.AuthorBlock, m.Flag):
                if (await s.execute(select(func.count()).select_from(table))).scalar():
                    return True
            return False

    def _insert(self, table):
        """An INSERT that can say ON CONFLICT (both dialects we ship have it)."""
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert(table)

    # ---- scheduled jobs ----------------------------------------------------
    # A job runs once per interval across every process on the database: a process
    # runs it only if its conditional statement took the lease (one row per job; a
    # concurrent claim is refused by the row lock on PostgreSQL and by the single
    # writer on SQLite, never by a duplicate key).
    async def claim_job(self, name: str, every: timedelta, lease: timedelta, now: datetime | None = None) -> bool:
        """True if this caller may run the job now: its last run started at least
        `every` ago and no other run holds the lease. The lease lasts `lease` (a
        process that dies mid-run holds the job up that long); finish_job ends it."""
        now = now or utcnow()
        values = {"last_run_at": now, "lease_until": now + lease}
        async with self.session() as s:
            first = self._insert(m.JobRun).values(name=name, detail={}, runs=1, **values)
            if _rows(await s.execute(first.on_conflict_do_nothing(index_elements=["name"]))):
                return True
            res = await s.execute(
                update(m.JobRun)
                .where(
                    m.JobRun.name == name,
                    m.JobRun.last_run_at <= now - every,
                    or_(m.JobRun.lease_until.is_(None), m.JobRun.lease_until <= now),
                )
                .values(runs=m.JobRun.runs + 1, **values)
            )
            return _rows(res) == 1

    async def finish_job(self, name: str, detail: dict | None = None) -> None:
        """Ends the claimed run's lease, with what it did (None: it failed)."""
        values: dict[str, Any] = {"lease_until": None}
        if detail is not None:
            values["detail"] = detail
        async with self.session() as s:
            await s.execute(update(m.JobRun).where(m.JobRun.name == name).values(**values))

    async def set_job_detail(self, name: str, detail: dict) -> None:
        """What a job has left to do (its schedule and lease untouched)."""
        async with self.session() as s:
            await s.execute(update(m.JobRun).where(m.JobRun.name == name).values(detail=detail))

    async def record_job(self, name: str, detail: dict) -> None:
        """What the job's latest run did, and when (an upsert: no duplicate-key race)."""
        now = utcnow()
        stmt = self._insert(m.JobRun).values(name=name, last_run_at=now, detail=detail, runs=0)
        async with self.session() as s:
            await s.execute(
                stmt.on_conflict_do_update(index_elements=["name"], set_={"last_run_at": now, "detail": detail})
            )

    async def record_relay_given_up(self, team_id: str, number: int) -> None:
        """Counts, per workspace, reply notices no longer retried (shown in `/boundary-admin status`,
        with the shown numbers of the last posts concerned)."""
        name = f"relays_given_up:{team_id}"[:40]
        async with self.session() as s:
            # The row first (ON CONFLICT: two processes never race on the key), then read
            # and change it under its row lock (and SQLite's write lock, taken by the INSERT).
            first = self._insert(m.JobRun).values(name=name, last_run_at=utcnow(), detail={}, runs=0)
            await s.execute(first.on_conflict_do_nothing(index_elements=["name"]))
            row = (await s.execute(select(m.JobRun).where(m.JobRun.name == name).with_for_update())).scalar_one()
            before: dict[str, Any] = dict(row.detail or {})
            posts = [p for p in before.get("posts", []) if p != number][-9:] + [number]
            detail = {"count": int(before.get("count", 0)) + 1, "posts": posts}
            row.last_run_at, row.detail = utcnow(), detail

    async def relays_given_up(self, team_id: str) -> m.JobRun | None:
        return await self.job(f"relays_given_up:{team_id}"[:40])

    async def job(self, name: str) -> m.JobRun | None:
        async with self.session() as s:
            return await s.get(m.JobRun, name)
