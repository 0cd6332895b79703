"""The real process (`python -m bot`) for the tests that start it: its environment, its
start, its health, and a signed `/boundary principles` sent to it as Slack would."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any

from aiohttp import ClientSession

from bot.sandbox.signing import signed_headers, slash_command_body
from tests.conftest import GENERAL, PRACTITIONER, TEAM

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(tmp_path: Path, api_url: str, port: int, **overrides: str) -> dict[str, str]:
    """HTTP mode with a bot token and a signing secret, SQLite in tmp_path; the app token
    (Socket Mode) only when an override sets it."""
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SECRET,
        "PORT": str(port),
        "SLACK_API_URL": api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "BOUNDARY_SECRET_KEY": "k" * 40,
        **overrides,
    }
    if "SLACK_APP_TOKEN" not in overrides:
        env.pop("SLACK_APP_TOKEN", None)
    return env


async def spawn_app(env: dict[str, str], **popen: Any) -> asyncio.subprocess.Process:
    """`python -m bot` from the repository; its log (JSON lines) on stdout, errors on stderr."""
    popen.setdefault("stdout", asyncio.subprocess.PIPE)
    popen.setdefault("stderr", asyncio.subprocess.PIPE)
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", cwd=ROOT, env=env, **popen)


async def wait_healthy(url: str, proc, timeout: float = 120.0) -> float:
    """Waits for /healthz; the bound only keeps a broken start from hanging the suite
    (start-up time is measured by benchmarks/footprint.py, never asserted here)."""
    started = time.monotonic()
    async with ClientSession() as s:
        while time.monotonic() - started < timeout:
            if proc.returncode is not None:
                raise AssertionError(f"the app exited with {proc.returncode}")
            try:
                async with s.get(url) as r:
                    if r.status == 200:
                        return time.monotonic() - started
            except OSError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError("the app did not become healthy")


async def ask_principles(port: int, response_url: str) -> int:
    """A signed `/boundary principles` from the practitioner in #general; the HTTP status."""
    body = slash_command_body(
        command="/boundary",
        text="principles",
        user_id=PRACTITIONER,
        team_id=TEAM,
        channel_id=GENERAL,
        response_url=response_url,
    )
    async with ClientSession() as s:
        async with s.post(
            f"http://127.0.0.1:{port}/slack/events", data=body.encode(), headers=signed_headers(body, SECRET)
        ) as r:
            return r.status
