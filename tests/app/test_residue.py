"""Nothing raw at rest: what a user types during an intake never reaches the
database's files in the clear, and once the intake closes (posted, cancelled,
expired) its key is gone from them too (crypto-shredding).

A real intake runs over signed HTTP; then the SQLite database and its -wal and
-shm files are read as bytes (while the app runs, as a kill -9 leaves them, and
after a clean shutdown), and on PostgreSQL every page of every relation of the
test database and the WAL written meanwhile."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import sqlite3
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.storage import models as m
from bot.storage.models import utcnow
from tests.conftest import CONSULT, PRACTITIONER, SECRET, TEAM, make_settings, start_bot, stop_bot

SITUATION = (
    "My client Zebulon Quaxworth rang me from 07700 900461 at 11pm and asked to meet for a drink. "
    "I have seen Zebulon weekly for two years."
)
CONSIDERING = "Telling Quaxworth plainly that the boundary protects our work."
QUESTION = "How do I say no to Zebulon Quaxworth without rupturing the alliance?"
IDENTIFIERS = ["Zebulon", "Quaxworth", "07700 900461", "900461"]
KEPT = "protects our work"  # de-identified text of the post: kept, and proves the scan reads the data


def flat(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)


async def type_intake(bot, *, to_preview: bool = True) -> None:
    user = PRACTITIONER
    await bot.command(user, "consult")
    await bot.dm(user, "1")  # current client
    await bot.dm(user, "skip")  # setting
    await bot.dm(user, SITUATION)
    if not to_preview:
        return
    await bot.click_dm(user, "intake_form")  # "what are you considering", in the private form
    view = bot.slack.views(user)[-1]
    await bot.slack.submit_view(user, view["id"], {"answer": {"value": CONSIDERING}})
    await bot.click_dm(user, "intake_principles_accept")
    await bot.dm(user, QUESTION)
    assert "Post anonymously" in flat(bot.last_dm(user))


async def open_key(bot) -> bytes:
    """The open intake's wrapped key, as the database holds it."""
    async with bot.services.store.session() as s:
        keys = list((await s.execute(select(m.IntakeKey.wrapped))).scalars())
    assert len(keys) == 1
    return bytes(keys[0])


def assert_clean(blob: bytes, where: str, *, shredded: bytes | None = None) -> None:
    for ident in IDENTIFIERS:
        assert ident.encode() not in blob, f"{ident!r} in {where}"
    if shredded is not None:
        assert shredded not in blob, f"the closed intake's key is still in {where}"


# ---- SQLite ----------------------------------------------------------------
def sqlite_files(bot) -> dict[str, bytes]:
    db = Path(bot.settings.database_url.split(":///", 1)[1])
    return {p.name: p.read_bytes() for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists()}


def scan_sqlite(bot, *, shredded: bytes | None = None) -> bytes:
    files = sqlite_files(bot)
    assert files, "no database file"
    for name, blob in files.items():
        assert_clean(blob, name, shredded=shredded)
    return b"".join(files.values())


def as_killed(bot, tmp_path: Path) -> Path:
    """The files as a kill -9 now would leave them (no checkpoint, no close),
    opened again by SQLite, which recovers the WAL."""
    db = Path(bot.settings.database_url.split(":///", 1)[1])
    out = tmp_path / "killed"
    out.mkdir()
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{db}{suffix}").exists():
            shutil.copyfile(f"{db}{suffix}", out / f"copy.sqlite3{suffix}")
    copy = out / "copy.sqlite3"
    for name, blob in {p.name: p.read_bytes() for p in out.iterdir()}.items():
        assert_clean(blob, f"killed copy {name}")
    conn = sqlite3.connect(copy)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    dump = repr([conn.execute(f'SELECT * FROM "{t}"').fetchall() for t in tables])
    conn.close()
    for ident in IDENTIFIERS:
        assert ident not in dump, ident
    return copy


async def test_sqlite_files_never_hold_typed_identifiers_and_a_posted_intake_is_shredded(settings, slack, tmp_path):
    bot = await start_bot(settings, slack)
    stopped = False
    try:
        await type_intake(bot)
        scan_sqlite(bot)  # open: only ciphertext
        key = await open_key(bot)
        assert key in b"".join(sqlite_files(bot).values())  # the scan sees the key while it exists

        await bot.click_dm(PRACTITIONER, "intake_post")
        post = bot.slack.messages(CONSULT)[0]
        for ident in IDENTIFIERS:
            assert ident not in flat(post), ident
        assert KEPT in flat(post)
        everything = scan_sqlite(bot, shredded=key)  # still running, after the close
        assert KEPT.encode() in everything  # the de-identified post is there, in the clear
        as_killed(bot, tmp_path)
        stopped = True
        await stop_bot(bot)  # a clean shutdown
    finally:
        if not stopped:
            await stop_bot(bot)
    scan_sqlite(bot, shredded=key)


async def test_sqlite_cancelled_intake_is_shredded(bot, tmp_path):
    await type_intake(bot, to_preview=False)
    key = await open_key(bot)
    scan_sqlite(bot)
    await bot.dm(PRACTITIONER, "cancel")
    assert "cancel" in flat(bot.last_dm(PRACTITIONER)).lower()
    async with bot.services.store.session() as s:
        assert (await s.execute(select(m.IntakeKey))).first() is None
    scan_sqlite(bot, shredded=key)
    as_killed(bot, tmp_path)


async def test_sqlite_expired_intake_is_shredded(bot, tmp_path):
    await type_intake(bot, to_preview=False)
    key = await open_key(bot)
    async with bot.services.store.session() as s:
        await s.execute(update(m.Intake).values(updated_at=utcnow() - timedelta(hours=25)))
    await bot.worker.tick()
    assert await bot.services.store.open_intake(TEAM, bot.services.identity.author_hashes(TEAM, PRACTITIONER)) is None
    scan_sqlite(bot, shredded=key)
    as_killed(bot, tmp_path)


async def test_sqlite_runs_with_secure_delete(bot):
    async with bot.services.store.engine.connect() as conn:
        assert (await conn.exec_driver_sql("PRAGMA secure_delete")).scalar() == 1
        assert (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"


async def test_an_intake_survives_a_restart_but_not_a_lost_key(settings, slack):
    """The per-intake key is wrapped by BOUNDARY_SECRET_KEY: a restart resumes the
    intake; once its key row is gone, so is the intake (and the user starts again)."""
    first = await start_bot(settings, slack)
    await type_intake(first, to_preview=False)
    await stop_bot(first)
    second = await start_bot(settings, slack)
    try:
        hashes = second.services.identity.author_hashes(TEAM, PRACTITIONER)
        intake = await second.services.store.open_intake(TEAM, hashes)
        assert intake is not None and "Quaxworth" in intake.state["answers"]["situation"]
        async with second.services.store.session() as s:
            await s.execute(m.IntakeKey.__table__.delete())  # what a PostgreSQL crash does to the unlogged table
        assert await second.services.store.open_intake(TEAM, hashes) is None
        async with second.services.store.session() as s:
            assert (await s.execute(select(m.Intake))).first() is None  # deleted, not left unreadable
        await second.dm(PRACTITIONER, "hello?")
        assert "start an anonymous consult" in flat(second.last_dm(PRACTITIONER)).lower()
    finally:
        await stop_bot(second)


# ---- PostgreSQL ------------------------------------------------------------
class PgScan:
    """Reads, as superuser, every page of every relation of one database and the
    WAL the whole server wrote since `start`."""

    def __init__(self, conn):
        self.conn = conn

    @classmethod
    async def connect(cls, url: str) -> PgScan:
        import asyncpg

        conn = await asyncpg.connect(url)
        if not await conn.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"):
            await conn.close()
            pytest.skip("the PostgreSQL role is not superuser: cannot read raw pages and WAL files")
        if not await conn.fetchval("SELECT count(*) FROM pg_available_extensions WHERE name = 'pageinspect'"):
            await conn.close()
            pytest.skip("the pageinspect extension is not installed on the PostgreSQL server")
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        return cls(conn)

    async def lsn(self) -> str:
        return await self.conn.fetchval("SELECT pg_current_wal_lsn()::text")

    async def hold_wal(self) -> str:
        """A temporary replication slot keeps every WAL file from now on (no checkpoint
        recycles them before they are read); dropped with this connection."""
        name = "residue_" + uuid.uuid4().hex[:8]
        await self.conn.execute("SELECT pg_create_physical_replication_slot($1, true, true)", name)
        return await self.lsn()

    async def relations(self) -> dict[str, str]:
        rows = await self.conn.fetch(
            "SELECT c.oid::regclass::text AS name, c.relpersistence::text AS relpersistence FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 't', 'i', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
        )
        return {r["name"]: r["relpersistence"] for r in rows}

    async def pages(self) -> bytes:
        """Every block of every relation (heap, TOAST, index), through the buffer cache."""
        out = []
        for name in await self.relations():
            blocks = await self.conn.fetchval(
                "SELECT pg_relation_size($1::regclass) / current_setting('block_size')::int", name
            )
            for block in range(blocks):
                out.append(await self.conn.fetchval("SELECT get_raw_page($1, $2)", name, block))
        return b"".join(out)

    async def wal_since(self, start: str) -> bytes:
        """The WAL from `start` to now, read from the pg_wal files themselves."""
        end = await self.lsn()  # committed, so flushed to the files
        seg = await self.conn.fetchval("SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size'")
        first = await self.conn.fetchval("SELECT pg_walfile_name($1::text::pg_lsn)", start)
        last = await self.conn.fetchval("SELECT pg_walfile_name($1::text::pg_lsn)", end)
        start_off = await self.conn.fetchval("SELECT ($1::text::pg_lsn - '0/0'::pg_lsn)::bigint % $2", start, seg)
        names = sorted(
            r["name"]
            for r in await self.conn.fetch("SELECT name FROM pg_ls_waldir()")
            if len(r["name"]) == 24 and first <= r["name"] <= last
        )
        assert names and names[0] == first
        out = []
        for name in names:
            offset = start_off if name == first else 0
            out.append(
                await self.conn.fetchval(
                    "SELECT pg_read_binary_file($1, $2, $3)", f"pg_wal/{name}", offset, seg - offset
                )
            )
        return b"".join(out)

    async def close(self) -> None:
        await self.conn.close()


@pytest.mark.parametrize("close", ["post", "cancel", "expire"])
async def test_postgresql_pages_and_wal_never_hold_typed_identifiers(tmp_path, slack, pg_url, close):
    scan = await PgScan.connect(pg_url)
    bot = await start_bot(make_settings(tmp_path, slack_api_url=slack.api_url, database_url=pg_url), slack)
    try:
        assert (await scan.relations())["intake_keys"] == "u"  # UNLOGGED: its rows never reach the WAL
        start = await scan.hold_wal()
        await type_intake(bot, to_preview=close == "post")
        key = await open_key(bot)
        pages = await scan.pages()
        assert_clean(pages, "pages (intake open)")
        assert key in pages  # the scan reads the key table while the key exists
        if close == "post":
            await bot.click_dm(PRACTITIONER, "intake_post")
            assert KEPT in flat(bot.slack.messages(CONSULT)[0])
        elif close == "cancel":
            await bot.dm(PRACTITIONER, "cancel")
        else:
            async with bot.services.store.session() as s:
                await s.execute(update(m.Intake).values(updated_at=utcnow() - timedelta(hours=25)))
            await bot.worker.tick()
        hashes = bot.services.identity.author_hashes(TEAM, PRACTITIONER)
        assert await bot.services.store.open_intake(TEAM, hashes) is None
        wal = await scan.wal_since(start)
        assert_clean(wal, "WAL", shredded=key)  # the key was never in the WAL
        await scan.conn.execute("CHECKPOINT")  # the relation files on disk now match the pages read
        pages = await scan.pages()
        assert_clean(pages, "pages (after the close)")
        if close == "post":
            assert KEPT.encode() in pages and KEPT.encode() in wal  # the scans do read the post's text
            assert key in pages  # a plain DELETE leaves the key's bytes in the unlogged table's page …
        if close != "expire":  # (expiry ran in a tick already)
            await bot.worker.tick()
        # … until the worker's scrub rewrites the key table (VACUUM FULL) without them. The
        # scrub waits at most 500 ms for its lock (autovacuum may hold the table a moment)
        # and the worker tries again on its next tick: as it would, a few ticks at most.
        for _ in range(10):
            if await bot.services.store.scrub():
                break
        else:
            raise AssertionError("the scrub never got its lock")
        assert_clean(await scan.pages(), "pages (after the scrub)", shredded=key)
    finally:
        await stop_bot(bot)
        await scan.close()


async def test_a_transaction_elsewhere_on_the_server_does_not_keep_a_closed_intakes_key(tmp_path, slack, pg_url):
    """Another database's transaction (another tenant of a shared server, a job, an
    ANALYZE) that began before the close would make VACUUM FULL copy the deleted key
    row into the new file; the scrub must take it out of the pages all the same."""
    import asyncpg

    scan = await PgScan.connect(pg_url)
    elsewhere = await asyncpg.connect(os.environ["TEST_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://"))
    bot = await start_bot(make_settings(tmp_path, slack_api_url=slack.api_url, database_url=pg_url), slack)
    try:
        await type_intake(bot, to_preview=False)
        key = await open_key(bot)
        started_before = elsewhere.transaction()
        await started_before.start()
        await elsewhere.fetchval("SELECT txid_current()")  # a transaction id: it holds the server's horizon
        await bot.dm(PRACTITIONER, "cancel")
        assert key in await scan.pages()  # the DELETE left the key's bytes in the page
        assert await bot.services.store.scrub()
        assert_clean(await scan.pages(), "pages (after the scrub)", shredded=key)
        await started_before.rollback()
    finally:
        await elsewhere.close()
        await stop_bot(bot)
        await scan.close()


# ---- a real process: kill -9 and SIGTERM -----------------------------------
REPO = Path(__file__).resolve().parents[2]


class Process:
    """`python -m bot` in HTTP mode against the stand-in, on a SQLite file."""

    def __init__(self, tmp_path: Path, slack):
        self.slack = slack
        self.db = tmp_path / "data" / "proc.sqlite3"
        config = tmp_path / "config.yaml"
        config.write_text(
            f"app: {{data_dir: {tmp_path / 'data'}}}\n"
            "channels: [{id: C0CONSULT, name: peer-consult}]\n"
            "relay: {batch_seconds: 0}\nposting: {retry_interval_seconds: 0}\n",
            encoding="utf-8",
        )
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.env = {
            **os.environ,
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.api_url,
            "PORT": str(self.port),
            "DATABASE_URL": f"sqlite:///{self.db}",
            "BOUNDARY_CONFIG": str(config),
            "BOUNDARY_SECRET_KEY": "process-key-" + "z" * 40,
        }
        self.env.pop("SLACK_APP_TOKEN", None)
        self.proc: asyncio.subprocess.Process | None = None
        self.log: list[str] = []

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=REPO, env=self.env, stdout=asyncio.subprocess.PIPE
        )
        while True:  # its log says when it listens
            line = (await asyncio.wait_for(self.proc.stdout.readline(), 60)).decode()  # logs go to stdout
            assert line, f"the app exited: {''.join(self.log)}"
            self.log.append(line)
            if '"msg": "started"' in line:
                break
        self._drain = asyncio.create_task(self._read_log())
        self.slack.events_url = f"http://127.0.0.1:{self.port}/slack/events"
        self.slack.signing_secret = SECRET

    async def _read_log(self) -> None:
        while line := await self.proc.stdout.readline():
            self.log.append(line.decode())

    async def stop(self, sig: int) -> int:
        self.proc.send_signal(sig)
        code = await asyncio.wait_for(self.proc.wait(), 60)
        await self._drain
        return code

    async def say(self, send, phrase: str) -> None:
        """Sends a message or command and waits for the DM that answers it (the
        app acknowledges first and answers afterwards, as in production)."""
        before = len(self.slack.calls)
        await send
        await self.slack.wait_for(
            "chat.postMessage",
            timeout=30,
            where=lambda c: self.slack.calls.index(c) >= before and phrase in flat(c.args),
        )

    async def type_intake(self) -> None:
        dm = self.slack.dm_channel(PRACTITIONER)
        await self.say(self.slack.send_command(PRACTITIONER, "C0GENERAL", "/boundary", "consult"), "Who is the person")
        await self.say(self.slack.send_user_message(PRACTITIONER, dm, "1"), "setting")
        await self.say(self.slack.send_user_message(PRACTITIONER, dm, "skip"), "Describe the situation")
        await self.say(self.slack.send_user_message(PRACTITIONER, dm, SITUATION), "considering")

    def key(self) -> bytes:
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        try:
            (wrapped,) = conn.execute("SELECT wrapped FROM intake_keys").fetchone()
        finally:
            conn.close()
        return bytes(wrapped)

    def files(self) -> dict[str, bytes]:
        paths = (self.db, Path(f"{self.db}-wal"), Path(f"{self.db}-shm"))
        return {p.name: p.read_bytes() for p in paths if p.exists()}


async def test_a_killed_or_terminated_process_leaves_no_typed_identifier_on_disk(tmp_path, slack):
    app = Process(tmp_path, slack)
    await app.start()
    try:
        await app.type_intake()
        key = app.key()
        await app.say(app.slack.send_user_message(PRACTITIONER, slack.dm_channel(PRACTITIONER), "cancel"), "Cancelled")
        for name, blob in app.files().items():
            assert_clean(blob, f"{name} (running)", shredded=key)
    finally:
        assert await app.stop(signal.SIGKILL) == -signal.SIGKILL
    for name, blob in app.files().items():
        assert_clean(blob, f"{name} (after kill -9)", shredded=key)

    # Again, the intake left open this time, and a SIGTERM: a clean shutdown that
    # checkpoints the WAL; what stays on disk is the open intake's ciphertext only.
    await app.start()
    try:
        await app.type_intake()
        key = app.key()
    finally:
        assert await app.stop(signal.SIGTERM) == 0, "".join(app.log)
    assert any('"msg": "stopped"' in line for line in app.log)
    files = app.files()
    assert not files.get("proc.sqlite3-wal")  # checkpointed (and removed with the last connection)
    for name, blob in files.items():
        assert_clean(blob, f"{name} (after SIGTERM)")
    assert key in files["proc.sqlite3"]  # still open: its key is kept, so that it resumes after the restart
