"""The sandbox (no SLACK_BOT_TOKEN) never opens the database named by DATABASE_URL:
unsetting the token on a production configuration must not consume that queue."""

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.config import load_settings
from bot.server import use_sandbox_database
from bot.storage import models as m
from bot.storage.store import Store

ROOT = Path(__file__).resolve().parents[2]


async def _pending_post(url: str) -> None:
    store = await Store.open(url)
    async with store.session() as s:
        s.add(
            m.Post(
                team_id="T0SANDBOX",
                number=1,
                intake_ref="prod-intake",
                channel_id="C0CONSULT",
                status="pending",
                content={"situation": "a production post"},
                author_hash="a" * 64,
                author_enc="sealed",
            )
        )
    await store.close()


async def _post_row(url: str) -> m.Post:
    store = await Store.open(url)
    try:
        return await store.get_post(1)
    finally:
        await store.close()


async def test_the_sandbox_leaves_the_database_named_by_database_url_alone(tmp_path):
    prod = f"sqlite:///{tmp_path / 'production.sqlite3'}"
    await _pending_post(prod)
    config = tmp_path / "config.yaml"
    config.write_text(f"app:\n  data_dir: {tmp_path / 'data'}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "BOUNDARY_"))}
    env.update(DATABASE_URL=prod, BOUNDARY_CONFIG=str(config), PORT="0", PYTHONUNBUFFERED="1")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    lines = []
    try:
        while True:  # up to the banner, printed once the app and its worker run
            line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
            assert line, "the sandbox exited early: " + (await proc.stderr.read()).decode()[-2000:]
            lines.append(line)
            if "Ctrl-C" in line:
                break
    finally:
        proc.send_signal(signal.SIGINT)
        await asyncio.wait_for(proc.wait(), 60)
    out = "".join(lines)
    errors = (await proc.stderr.read()).decode()
    # The sandbox makes its own key quietly: no warning about BOUNDARY_SECRET_KEY.
    assert "BOUNDARY_SECRET_KEY" not in errors and "WARNING" not in errors, errors
    assert (tmp_path / "data" / "secret.key").exists()
    post = await _post_row(prod)
    assert post.status == "pending" and post.content == {"situation": "a production post"}
    assert post.author_enc == "sealed"
    notice = [ln for ln in lines if ln.startswith("Sandbox (no SLACK_BOT_TOKEN)")]
    assert len(notice) == 1, out
    assert "not opening the one named by DATABASE_URL" in notice[0] and "production" not in notice[0]
    assert f"sandbox data: {tmp_path / 'data' / 'sandbox.sqlite3'}" in out
    assert (tmp_path / "data" / "sandbox.sqlite3").exists()


def test_a_sandbox_database_is_only_chosen_on_purpose(tmp_path):
    env = {"DATABASE_URL": "postgresql://db/production", "BOUNDARY_SANDBOX_DATABASE_URL": "sqlite:///x/sandbox-b.db"}
    s = load_settings(env=env)
    line = use_sandbox_database(s)
    assert s.database_url == "sqlite:///x/sandbox-b.db"
    assert "BOUNDARY_SANDBOX_DATABASE_URL" in line and "production" not in line
    s = load_settings(env={"DATABASE_URL": "postgresql://db/production"})
    use_sandbox_database(s)
    assert s.database_url is None  # the Sandbox then uses data/sandbox.sqlite3
    s = load_settings(env={})
    assert "not opening" not in use_sandbox_database(s)
