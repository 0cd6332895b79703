"""Engine creation and migrations. SQLite by default, PostgreSQL for several processes."""

from __future__ import annotations

import re
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path

from sqlalchemy import event, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class DatabaseUrlError(ValueError):
    """DATABASE_URL (or storage.database_url) cannot be used; the message says why."""


# libpq's sslmode values, which asyncpg takes as its `ssl` argument (not in the URL:
# through SQLAlchemy every query parameter becomes a keyword of asyncpg.connect).
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
_PG_SCHEMES = ("postgres", "postgresql", "postgresql+asyncpg", "postgresql+psycopg2", "postgresql+psycopg", "pgsql")


def async_url(url: str) -> str:
    """Map the plain URLs users write to the async drivers we ship."""
    return engine_args(url)[0]


def engine_args(url: str) -> tuple[str, dict]:
    """The URL for SQLAlchemy's async drivers and the driver's connect arguments.

    PostgreSQL in every form hosts hand out: postgres://, postgresql://,
    postgresql+asyncpg:// (or +psycopg2, mapped to asyncpg, the driver we ship), with
    ?sslmode=… (and sslrootcert=…) moved out of the URL into asyncpg's `ssl` argument."""
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :], {}
    if url.startswith("sqlite+aiosqlite:///"):
        return url, {}
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in _PG_SCHEMES:
        raise DatabaseUrlError(
            f"should start with sqlite:///, postgres:// or postgresql:// (got {scheme + sep if sep else 'no scheme'})"
        )
    from sqlalchemy.engine import make_url

    parsed = make_url("postgresql+asyncpg://" + rest)
    query = dict(parsed.query)
    connect_args: dict = {}
    mode = query.pop("sslmode", None) or query.pop("ssl", None)
    rootcert = query.pop("sslrootcert", None)
    if isinstance(mode, tuple) or isinstance(rootcert, tuple):
        raise DatabaseUrlError("names sslmode or sslrootcert more than once")
    if mode is not None:
        mode = mode.lower()
        if mode in ("true", "1"):
            mode = "require"
        elif mode in ("false", "0"):
            mode = "disable"
        if mode not in SSL_MODES:
            raise DatabaseUrlError(f"has sslmode={mode}; expected one of {', '.join(SSL_MODES)}")
        connect_args["ssl"] = mode
    if rootcert:
        if mode not in ("verify-ca", "verify-full"):
            raise DatabaseUrlError("has sslrootcert without sslmode=verify-ca or verify-full")
        import ssl

        context = ssl.create_default_context(cafile=rootcert)
        context.check_hostname = mode == "verify-full"
        connect_args["ssl"] = context
    final = parsed.set(query=query).render_as_string(hide_password=False)
    return final, connect_args


def create_engine(url: str) -> AsyncEngine:
    url, connect_args = engine_args(url)
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            # Deleted content (a closed intake's ciphertext and key) is overwritten with
            # zeros, not left in free pages; the Store checkpoints the WAL after each
            # close and at start and shutdown (Store.checkpoint).
            cur.execute("PRAGMA secure_delete=ON")
            cur.close()

        return engine
    engine = create_async_engine(url, pool_size=5, max_overflow=5, pool_pre_ping=True, connect_args=connect_args)
    _ping_in_one_round_trip(engine)
    return engine


def _ping_in_one_round_trip(engine: AsyncEngine) -> None:
    """The pool's check of a connection before each transaction (pre-ping), as one
    simple-protocol statement (``SELECT 1``): SQLAlchemy's asyncpg ping wraps a prepared ``;`` in a
    transaction of its own (for pgbouncer's transaction mode, which a simple query
    suits as well), three round trips before every transaction's BEGIN. A dead
    connection raises here as there, and the pool replaces it. If the adapter's
    internals are not what this expects, SQLAlchemy's own ping is kept."""
    dialect = engine.dialect
    own = dialect.do_ping

    def do_ping(dbapi_connection) -> bool:
        conn = getattr(dbapi_connection, "_connection", None)
        await_ = getattr(dbapi_connection, "await_", None)
        handle = getattr(dbapi_connection, "_handle_exception", None)
        if conn is None or await_ is None or handle is None or getattr(dbapi_connection, "_transaction", None):
            return own(dbapi_connection)
        try:
            await_(conn.execute("SELECT 1"))
        except Exception as error:
            handle(error)  # raises SQLAlchemy's DBAPI error: the pool tells a disconnect and reconnects
        return True

    dialect.do_ping = do_ping  # type: ignore[method-assign]


_REVISION = re.compile(r"""^(down_revision|revision)\s*=\s*['"]?([\w-]+|None)['"]?""", re.M)


@cache
def head_revision() -> str:
    """The newest migration, read from the files' `revision = …` lines (no Alembic import)."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(_REVISION.findall(path.read_text(encoding="utf-8")))
        revisions.add(found["revision"])
        parents.add(found.get("down_revision", "None"))
    heads = revisions - parents
    if len(heads) != 1:
        raise RuntimeError(f"migrations should have one head, found {sorted(heads)}")
    return heads.pop()


def _current_revision(sync_conn) -> str | None:
    if not inspect(sync_conn).has_table("alembic_version"):
        return None
    return sync_conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _upgrade(sync_conn) -> None:
    if sync_conn.dialect.name == "postgresql":
        # Two processes starting together must not both run the same migration.
        sync_conn.execute(text("SELECT pg_advisory_xact_lock(7212026)"))
    if _current_revision(sync_conn) == head_revision():
        return  # nothing due: Alembic (a good part of start-up time) is not even imported
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = sync_conn
    command.upgrade(cfg, "head")


async def migrate(engine: AsyncEngine) -> None:
    """Runs the migrations due, in this process (Alembic then stays loaded in it)."""
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade)


# The child process that migrates: the URL comes in the environment (not on a command
# line that `ps` shows), the package from PYTHONPATH, the working directory is the
# parent's (a relative SQLite path means the same file).
_URL_VARIABLE = "BOUNDARY_MIGRATE_URL"
_CHILD = "import sys; from bot.storage.db import _migrate_here; sys.exit(_migrate_here())"


class MigrationError(RuntimeError):
    """The migrating process failed; the message ends with what it said last."""


async def migrate_when_due(engine: AsyncEngine, url: str) -> None:
    """The migrations, if any is due, run by a child process, so that Alembic (and what
    it imports: its own modules, Mako, SQLAlchemy modules only migrating needs; ~12 MB) is never held by
    the app's process. Nothing due (a restart): one read of alembic_version, no child.
    The child takes the same lock and checks again, so two processes starting together
    still migrate once. An in-memory SQLite database is migrated here (a child would not
    see it). On a SQLite file the whole check runs under a lock file: a process that
    connects while another creates the database can find it locked (even setting WAL)."""
    if engine.dialect.name == "sqlite" and (engine.url.database or ":memory:") == ":memory:":
        if await _due(engine):
            await migrate(engine)
        return
    import asyncio
    import os
    import sys

    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, _URL_VARIABLE: url}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
    async with _sqlite_migration_lock(engine):
        if not await _due(engine):
            return
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", _CHILD, env=env, stdin=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
        )
        _, err = await proc.communicate()
    if proc.returncode != 0:
        said = [line for line in err.decode("utf-8", "replace").splitlines() if line.strip()]
        reason = next((ln[len(_FAILED) :] for ln in reversed(said) if ln.startswith(_FAILED)), None)
        raise MigrationError(
            f"migrating the database failed: {reason or (said[-1] if said else f'exit {proc.returncode}')}"
        )
    await engine.dispose()  # connections opened before the schema changed are not reused


async def _due(engine: AsyncEngine) -> bool:
    async with engine.connect() as conn:
        return bool(await conn.run_sync(lambda c: _current_revision(c) != head_revision()))


@asynccontextmanager
async def _sqlite_migration_lock(engine: AsyncEngine) -> AsyncIterator[None]:
    """Two processes starting together on a new SQLite file must not both migrate it, nor
    one connect while the other creates it: PostgreSQL has the advisory lock (in _upgrade),
    SQLite a lock file beside the database (pysqlite commits each DDL statement, so a
    transaction cannot hold the other off)."""
    if engine.dialect.name != "sqlite":
        yield
        return
    import asyncio
    import fcntl

    lock_path = Path(str(engine.url.database) + ".migrating")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as lock:
        await asyncio.to_thread(fcntl.flock, lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


# The child's last line on stderr when a migration fails: the error's type and the first
# line of what the database said (SQLAlchemy's own text ends in a link, and may quote
# statement parameters).
_FAILED = "migration failed: "


def _migrate_here() -> int:
    """The child's side of migrate_when_due()."""
    import asyncio
    import os

    async def run() -> None:
        engine = create_engine(os.environ[_URL_VARIABLE])
        try:
            await migrate(engine)
        finally:
            await engine.dispose()

    try:
        asyncio.run(run())
    except Exception as exc:  # noqa: BLE001 - reported to the parent in one line
        cause = getattr(exc, "orig", None) or exc
        first = (str(cause).strip().splitlines() or [""])[0]
        print(f"{_FAILED}{type(cause).__name__}: {first}", file=sys.stderr, flush=True)
        return 1
    return 0
