#!/usr/bin/env python3
"""Footprint of the app on a small host: install size, start time and memory.

Starts `python -m bot` as a real process in HTTP mode (SQLite, Web API pointed at
the stand-in Slack on loopback), measures the time until /healthz answers, runs
a few questions and a full consult (which loads the de-identification lexicons),
then reads the process's resident memory. With --install it also installs
requirements.txt into a fresh virtualenv and reports its size.

    python benchmarks/footprint.py [--install]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp import ClientSession  # noqa: E402

from bot.sandbox.web_api import SlackStandIn  # noqa: E402

SECRET = "footprint-secret"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def dir_mb(path: Path) -> float:
    total = 0
    for p in path.rglob("*"):
        if p.is_file() and not p.is_symlink():
            total += p.stat().st_size
    return total / 1024 / 1024


def install_size() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        base = dir_mb(venv)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "-r", str(ROOT / "requirements.txt")], check=True)
        return dir_mb(venv) - base


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--install", action="store_true", help="also measure the size of a fresh install")
    args = ap.parse_args()

    slack = SlackStandIn()
    await slack.start()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    tmp = Path(tempfile.mkdtemp())
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-footprint",
        "SLACK_SIGNING_SECRET": SECRET,
        "PORT": str(port),
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "BOUNDARY_SECRET_KEY": "footprint-key-" + "x" * 30,
        "BOUNDARY_CONFIG": str(tmp / "config.yaml"),
    }
    env.pop("SLACK_APP_TOKEN", None)
    (tmp / "config.yaml").write_text("channels:\n  - {id: C0CONSULT, name: peer-consult}\n")
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        async with ClientSession() as http:
            while True:
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                        if r.status == 200:
                            break
                except OSError:
                    await asyncio.sleep(0.02)
                if time.perf_counter() - started > 30:
                    raise SystemExit("the app did not start within 30 s")
        start_s = time.perf_counter() - started
        idle = rss_mb(proc.pid)
        slack.events_url = f"http://127.0.0.1:{port}/slack/events"
        slack.signing_secret = SECRET
        for q in ("client gave me a gift", "former client wants to be friends", "principles", "transference"):
            await slack.send_command("U0PRACT", "C0GENERAL", "/boundary", q)
        user = "U0PRACT"
        dm = slack.dm_channel(user)

        async def bot_answered(after: int) -> None:
            for _ in range(300):
                msgs = slack.messages(dm)
                if len(msgs) > after and msgs[-1].get("user") == slack.bot_user_id:
                    return
                await asyncio.sleep(0.02)
            raise SystemExit("the app did not answer in the DM")

        seen = len(slack.messages(dm))
        await slack.send_command(user, "C0GENERAL", "/boundary", "consult")
        await bot_answered(seen + 1)
        for text in (
            "1",
            "skip",
            "My client Rosalind Okafor (34) from Boise asked me to her wedding on May 3rd.",
            "skip",
            "ok",
            "Should I go?",
        ):
            seen = len(slack.messages(dm))
            await slack.send_user_message(user, dm, text)
            await bot_answered(seen + 1)
        busy = rss_mb(proc.pid)
        preview = slack.messages(slack.dm_channel(user))[-1]
        if "Post anonymously" not in str(preview.get("blocks")):
            raise SystemExit("the consult did not reach its preview; memory figures would mislead")
    finally:
        proc.terminate()
        proc.wait(10)
        await slack.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"start to /healthz         {start_s:.2f} s")
    print(f"memory after start        {idle:.0f} MB RSS")
    print(f"memory after a consult    {busy:.0f} MB RSS (lexicons loaded)")
    if args.install:
        print(f"install (requirements.txt) {install_size():.0f} MB in a fresh virtualenv")


if __name__ == "__main__":
    asyncio.run(main())
