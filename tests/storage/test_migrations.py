"""Migrations run when due, and only then is Alembic loaded (it is a good part of start-up)."""

import subprocess
import sys
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from bot.storage.db import MIGRATIONS, head_revision

ROOT = Path(__file__).resolve().parents[2]

OPEN_AND_REPORT = """
import asyncio, sys
from bot.storage.store import Store

async def main(url):
    store = await Store.open(url)
    await store.close()
    print("alembic" in sys.modules)

asyncio.run(main(sys.argv[1]))
"""


def test_head_read_from_the_files_is_alembics_head():
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert head_revision() == ScriptDirectory.from_config(cfg).get_current_head()


def opened_with_alembic(url: str) -> bool:
    out = subprocess.run(
        [sys.executable, "-c", OPEN_AND_REPORT, url], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return out.stdout.strip().splitlines()[-1] == "True"


def test_alembic_is_loaded_only_when_a_migration_is_due(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    assert opened_with_alembic(url), "a new database is migrated"
    assert not opened_with_alembic(url), "an up-to-date one is not"
