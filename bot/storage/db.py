"""Engine creation and migrations. SQLite by default, PostgreSQL for several processes."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from sqlalchemy import event, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def async_url(url: str) -> str:
    """Map the plain URLs users write to the async drivers we ship."""
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def create_engine(url: str) -> AsyncEngine:
    url = async_url(url)
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
    return create_async_engine(url, pool_size=5, max_overflow=5, pool_pre_ping=True)


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
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade)
