"""Migrations run when due, by a child process: Alembic (a good part of start-up, and ~12 MB
that would stay in memory) is never loaded by the app's process."""

import os
import subprocess
import sys
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from bot.storage.db import MIGRATIONS, head_revision

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
