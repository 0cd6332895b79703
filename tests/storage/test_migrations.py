"""Migrations run when due, by a child process: Alembic (a good part of start-up, and ~12 MB
that would stay in memory) is never loaded by the app's process."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from bot.storage.db import MIGRATIONS, create_engine, head_revision, migrate
from bot.storage.store import Store
from tests.conftest import fresh_pg_database

ROOT = Path(__file__).resolve().parents[2]

OPEN_AND_REPORT = """
import asyncio, sys
from sqlalchemy import text
from bot.storage.store import Store

async def main(url):
    store = await Store.open(url)
    async with store.engine.connect() as conn:
        revision = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    await store.close()
    print(revision, "alembic" in sys.modules)

asyncio.run(main(sys.argv[1]))
"""


def test_head_read_from_the_files_is_alembics_head():
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert head_revision() == ScriptDirectory.from_config(cfg).get_current_head()


def opened(url: str) -> tuple[str, bool]:
    """(the database's revision once opened, whether the process had loaded Alembic)."""
    out = subprocess.run(
        [sys.executable, "-c", OPEN_AND_REPORT, url], cwd=ROOT, capture_output=True, text=True, check=True
    )
    revision, loaded = out.stdout.strip().splitlines()[-1].split()
    return revision, loaded == "True"


def test_a_new_database_is_migrated_without_loading_alembic_in_the_app(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    assert opened(url) == (head_revision(), False), "a new database: migrated by a child process"
    assert opened(url) == (head_revision(), False), "an up-to-date one: nothing to run"


@pytest.fixture(params=["sqlite", "postgresql"])
async def empty_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    async with fresh_pg_database() as url:
        yield url


async def _upgrade_to(engine, revision: str) -> None:
    def run(sync_conn):
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["connection"] = sync_conn
        command.upgrade(cfg, revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)


# Posts of two workspaces, interleaved, with gaps in the row ids (a PostgreSQL sequence
# skips the ids of rolled-back inserts): row id -> workspace, and the number each gets.
OLD_POSTS = {1: "TA", 2: "TB", 3: "TA", 5: "TB", 7: "TA", 8: "E0RG"}
NUMBERED = {1: 1, 2: 1, 3: 2, 5: 2, 7: 3, 8: 1}


async def _seeded_0007(url: str):
    """A database at 0007 with OLD_POSTS, a block, audit lines and given-up relays."""
    engine = create_engine(url)
    await _upgrade_to(engine, "0007")
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        for post_id, team in OLD_POSTS.items():
            await conn.execute(
                text(
                    "INSERT INTO posts (id, team_id, intake_ref, channel_id, status, resolved, author_hash, "
                    "attempts, created_at, message_ts, purged_at) "
                    "VALUES (:id, :team, :ref, 'C1', 'posted', false, :author, 0, :now, :ts, :purged)"
                ),
                {
                    "id": post_id,
                    "team": team,
                    "ref": f"ref{post_id}",
                    "author": f"{post_id}".ljust(64, "a"),
                    "now": now,
                    "ts": f"1700000000.00000{post_id}",
                    "purged": now if post_id == 5 else None,  # its text gone: nothing to show again
                },
            )
        await conn.execute(
            text(
                "INSERT INTO author_blocks (team_id, author_hash, post_number, reply_number, created_at) "
                "VALUES ('TB', :author, 5, NULL, :now)"
            ),
            {"author": "5".ljust(64, "a"), "now": now},
        )
        for team, old in (("TA", 7), ("TB", 2), ("TB", None)):
            await conn.execute(
                text(
                    "INSERT INTO audit_log (team_id, moderator_id, action, post_number, created_at) "
                    "VALUES (:team, 'U0MOD', 'remove', :old, :now)"
                ),
                {"team": team, "old": old, "now": now},
            )
        if conn.dialect.name == "postgresql":  # ids given explicitly: the sequence goes on from them
            await conn.execute(text("SELECT setval(pg_get_serial_sequence('posts', 'id'), 8)"))
        await conn.execute(
            text("INSERT INTO job_runs (name, last_run_at, detail, runs) VALUES (:name, :now, :detail, 0)"),
            {"name": "relays_given_up:TA", "now": now, "detail": json.dumps({"count": 2, "posts": [3, 7]})},
        )
    return engine


async def test_0008_numbers_existing_posts_per_workspace_in_row_order(empty_url):
    """A database written before 0008 (posts numbered by row id across workspaces): each
    workspace's posts get 1, 2, 3 … in the order of their row id, what stored a shown
    number (blocks, the audit log, the given-up relays in status) follows, and new posts
    count on from each workspace's last number."""
    engine = await _seeded_0007(empty_url)
    await migrate(engine)
    store = Store(engine)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT id, team_id, number FROM posts"))).all()
            assert {post_id: number for post_id, _, number in rows} == NUMBERED
            blocks = (await conn.execute(text("SELECT team_id, post_number FROM author_blocks"))).all()
            assert blocks == [("TB", 2)]
            audit = (await conn.execute(text("SELECT team_id, post_number FROM audit_log ORDER BY id"))).all()
            assert audit == [("TA", 3), ("TB", 1), ("TB", None)]
        # The messages already in Slack whose number changed, for the worker to re-title.
        retitle = await store.job("retitle_posts")
        assert retitle is not None and retitle.detail == {"posts": [2, 3, 7, 8]}
        given_up = await store.relays_given_up("TA")
        assert given_up is not None and given_up.detail == {"count": 2, "posts": [2, 3]}
        assert (await store.post_by_number("TA", 3)).id == 7
        assert (await store.post_by_number("TB", 2)).id == 5
        for team, expected in (("TA", 4), ("TB", 3), ("E0RG", 2), ("TNEW", 1)):
            intake = await store.create_intake(team, "n" * 64, f"new-{team}", "preview", {})
            post = await store.post_from_intake(
                intake.id,
                "preview",
                team_id=team,
                intake_ref=intake.ref,
                channel_id="C1",
                status="pending",
                content={},
                author_hash="n" * 64,
                author_enc="e",
            )
            assert post is not None and post.number == expected
    finally:
        await store.close()


async def test_0008_downgrade_puts_the_row_ids_back_where_the_older_code_reads_them(empty_url):
    """Blocks, the audit log and the given-up relays hold the row id again after a
    downgrade: the code before 0008 reads a post number there as the row id."""
    engine = await _seeded_0007(empty_url)
    try:
        await migrate(engine)

        def down(sync_conn):
            cfg = Config()
            cfg.set_main_option("script_location", str(MIGRATIONS))
            cfg.attributes["connection"] = sync_conn
            command.downgrade(cfg, "0007")

        async with engine.begin() as conn:
            await conn.run_sync(down)
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT team_id, post_number FROM author_blocks"))).all() == [("TB", 5)]
            audit = (await conn.execute(text("SELECT team_id, post_number FROM audit_log ORDER BY id"))).all()
            assert audit == [("TA", 7), ("TB", 2), ("TB", None)]
            detail = (
                await conn.execute(text("SELECT detail FROM job_runs WHERE name = 'relays_given_up:TA'"))
            ).scalar()
            detail = json.loads(detail) if isinstance(detail, str) else detail
            assert detail["posts"] == [3, 7]
    finally:
        await engine.dispose()


def test_a_relative_sqlite_path_is_the_same_file_for_the_migrating_process(tmp_path):
    out = subprocess.run(
        [sys.executable, "-c", OPEN_AND_REPORT, "sqlite:///data/rel.sqlite3"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split()[-2] == head_revision()
    assert (tmp_path / "data" / "rel.sqlite3").exists()


async def test_a_failing_migration_says_what_the_database_said_in_one_line(tmp_path):
    """The child's error reaches the start-up line: the error's type and the database's
    first line (SQLAlchemy's own text ends in a link and may quote parameters)."""
    import sqlite3

    from bot.storage.db import MigrationError

    path = tmp_path / "half.sqlite3"
    with sqlite3.connect(path) as db:  # says 0007 but holds none of its tables
        db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        db.execute("INSERT INTO alembic_version VALUES ('0007')")
    with pytest.raises(MigrationError) as failed:
        await Store.open(f"sqlite:///{path}")
    message = str(failed.value)
    assert message.startswith("migrating the database failed: OperationalError: no such table"), message
    assert "\n" not in message and "sqlalche.me" not in message


def test_two_processes_starting_together_on_a_new_sqlite_file_both_start(tmp_path):
    """The lock file beside the database: one child migrates, the other finds it done."""
    for attempt in range(3):
        url = f"sqlite:///{tmp_path / f'new{attempt}.sqlite3'}"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", OPEN_AND_REPORT, url],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            assert out.split()[-2] == head_revision()
