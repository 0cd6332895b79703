"""Keys that cannot silently change: no start without BOUNDARY_SECRET_KEY outside the
sandbox, no weak key, no start with keys the database was not written with, and flags
and blocks that hold across a rotation."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import main as bot_main
from bot.config import ConfigError
from bot.identity import MIN_KEY_BYTES, check_key, load_secrets
from tests.app.test_moderation import block, consult, flag_post, review_ready
from tests.conftest import COLLEAGUE, CONSULT, MODERATOR, PRACTITIONER, TEAM, make_settings, start_bot, stop_bot

ROOT = Path(__file__).resolve().parents[2]
KEY_A = "key-a-" + "A1b2C3d4" * 6
KEY_B = "key-b-" + "Z9y8X7w6" * 6


def run_app(tmp_path: Path, **env_vars: str) -> subprocess.CompletedProcess:
    config = tmp_path / "config.yaml"
    config.write_text(f"app:\n  data_dir: {tmp_path / 'data'}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "BOUNDARY_", "DATABASE_"))}
    env.update(
        SLACK_BOT_TOKEN="xoxb-production",
        SLACK_SIGNING_SECRET="a-signing-secret",
        SLACK_API_URL="http://127.0.0.1:9/api/",
        DATABASE_URL=f"sqlite:///{tmp_path / 'data' / 'prod.sqlite3'}",
        BOUNDARY_CONFIG=str(config),
        PORT="0",
        **env_vars,
    )
    return subprocess.run([sys.executable, "-m", "bot"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    "key, says",
    [
        (None, "BOUNDARY_SECRET_KEY is not set"),
        ("a", "BOUNDARY_SECRET_KEY is too short (1 bytes, at least 32)"),
        (" , ", "BOUNDARY_SECRET_KEY holds no key"),
        (KEY_A + ",short", "a key in BOUNDARY_SECRET_KEY is too short"),
    ],
)
def test_outside_the_sandbox_no_start_without_a_strong_key(tmp_path, key, says):
    proc = run_app(tmp_path, **({} if key is None else {"BOUNDARY_SECRET_KEY": key}))
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr  # one clear line, no traceback
    assert says in lines[0] and "python -m bot keygen" in lines[0]
    assert not (tmp_path / "data" / "prod.sqlite3").exists()  # nothing was opened
    assert not (tmp_path / "data" / "secret.key").exists()  # and no key made up on the spot


def test_a_key_generated_earlier_is_pointed_to_not_used(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "secret.key").write_text(KEY_A)
    proc = run_app(tmp_path)
    assert proc.returncode == 2
    assert "a key generated earlier is in" in proc.stderr and KEY_A not in proc.stderr


def test_keygen_makes_a_strong_key_each_time(capsys):
    assert bot_main(["keygen"]) == 0
    first = capsys.readouterr().out.strip()
    bot_main(["keygen"])
    second = capsys.readouterr().out.strip()
    assert first != second and len(first.encode()) >= MIN_KEY_BYTES
    assert check_key(first, "the key") == first


def test_an_empty_or_weak_key_file_is_refused_in_the_sandbox_too(tmp_path):
    (tmp_path / "secret.key").write_text("\n")
    with pytest.raises(ConfigError, match="secret.key is empty"):
        load_secrets(None, tmp_path, sandbox=True)
    (tmp_path / "secret.key").write_text("abc")
    with pytest.raises(ConfigError, match="too short"):
        load_secrets(None, tmp_path, sandbox=True)


async def test_a_different_key_is_refused_and_a_proper_rotation_is_not(tmp_path, slack, caplog):
    first = await start_bot(make_settings(tmp_path, slack_api_url=slack.api_url, secret_key=KEY_A), slack)
    await consult(first)
    await stop_bot(first)
    db = (tmp_path / "data" / "test.sqlite3").read_bytes()
    assert KEY_A.encode() not in db  # a fingerprint, never the key

    for wrong in (KEY_B, "key-c-" + "q" * 40):  # lost, or another host's
        with pytest.raises(ConfigError) as refused:
            await start_bot(make_settings(tmp_path, slack_api_url=slack.api_url, secret_key=wrong), slack)
        assert "matches none of the keys this database was written with" in str(refused.value)
        assert "Restore the key" in str(refused.value) and "<new>,<old>" in str(refused.value)

    rotated = await start_bot(
        make_settings(tmp_path, slack_api_url=slack.api_url, secret_key=f"{KEY_B},{KEY_A}"), slack
    )
    try:
        await rotated.command(PRACTITIONER, "mine")
        assert "Dilemma #1" in str(slack.calls_to("response_url")[-1].args)
    finally:
        await stop_bot(rotated)

    # The old key dropped after the rotation: the start is allowed, and said aloud.
    caplog.set_level(logging.WARNING)
    only_new = await start_bot(make_settings(tmp_path, slack_api_url=slack.api_url, secret_key=KEY_B), slack)
    await stop_bot(only_new)
    assert any("no longer in BOUNDARY_SECRET_KEY" in r.getMessage() for r in caplog.records)


async def test_flags_and_blocks_hold_across_a_rotation(tmp_path, slack):
    before = await start_bot(make_settings(tmp_path, slack_api_url=slack.api_url, secret_key=KEY_A), slack)
    await review_ready(before)
    await consult(before)  # Dilemma #1, by the practitioner
    post = slack.messages(CONSULT)[0]
    assert "moderators have been told" in await flag_post(before, COLLEAGUE, post)
    assert "can no longer post" in await block(before, MODERATOR, "1")
    await stop_bot(before)

    after = await start_bot(make_settings(tmp_path, slack_api_url=slack.api_url, secret_key=f"{KEY_B},{KEY_A}"), slack)
    try:
        assert "already flagged" in await flag_post(after, COLLEAGUE, post)
        assert len(await after.services.store.open_flags(TEAM)) == 1
        before_dms = len(after.dms(PRACTITIONER))
        await after.command(PRACTITIONER, "consult")
        new = after.dms(PRACTITIONER)[before_dms:]
        assert len(new) == 1 and "You can't post consults in this workspace" in str(new[0])
    finally:
        await stop_bot(after)
