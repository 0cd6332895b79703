#!/usr/bin/env python3
"""Footprint of the app on a small host: install size, start time and memory, beside a bare Bolt app.

Starts `python -m bot` as a real process in HTTP mode (SQLite, Web API pointed at
the stand-in Slack on loopback) and measures the time until /healthz answers; then
runs a few questions and --consults consults (each to its preview, which loads the
de-identification lexicons; a different practitioner each) and reads the process's
resident memory. The baseline, in the same run: a bare Bolt `AsyncApp` (this file
with --serve-bare: `/boundary` only acks, a /healthz route, the same aiohttp
server), started the same way, sent as many `/boundary` commands as the app got
requests. Start-up is measured --starts times per server, alternating, and the
median is shown. With --install it also installs requirements.txt into a fresh
virtualenv and reports its size.

    python benchmarks/footprint.py [--consults 20] [--starts 3] [--restarts] [--install]

It also prints the CPU time each process had used when /healthz first answered (less
sensitive to a busy machine than the wall time) and the time from the start to the
answer to a first `/boundary <question>` sent at once (at its response_url; the bare
app's ack).
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

from typing import TYPE_CHECKING  # noqa: E402

from aiohttp import ClientSession  # noqa: E402

if TYPE_CHECKING:  # imported in main(): the bare server (this file, --serve-bare) must not pay for it at start
    from bot.sandbox.web_api import SlackStandIn

SECRET = "footprint-secret"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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


async def serve_bare(port: int) -> None:
    """The baseline process: a bare Bolt app that acks `/boundary`, with a /healthz."""
    from aiohttp import web
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
    app = AsyncApp(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])

    @app.command("/boundary")
    async def boundary(ack):
        await ack()

    web_app = app.web_app(path="/slack/events")

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    web_app.router.add_get("/healthz", healthz)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    await asyncio.Event().wait()  # until terminated


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def start(kind: str, env: dict[str, str], port: int) -> tuple[subprocess.Popen[bytes], float]:
    """Start a server process; (the process, seconds until its /healthz answered 200)."""
    # the CPU it used by then is read by the caller at once (cpu_seconds), so the
    # wall time's share of waiting for a busy machine can be told apart
    cmd = [sys.executable, "-m", "bot"] if kind == "app" else [sys.executable, __file__, "--serve-bare", str(port)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    async with ClientSession() as http:
        while True:
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                    if r.status == 200:
                        return proc, time.perf_counter() - started
            except OSError:
                await asyncio.sleep(0.02)
            if time.perf_counter() - started > 30:
                stop(proc)
                raise SystemExit(f"the {kind} server did not start within 30 s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    proc.wait(10)


QUESTIONS = ("client gave me a gift", "former client wants to be friends", "principles", "transference")
CONSULT = (
    "1",
    "skip",
    "My client Rosalind Okafor (34) from Boise asked me to her wedding on May 3rd.",
    "skip",
    "ok",
    "Should I go?",
)


async def consult(slack: SlackStandIn, user: str) -> None:
    """One consult, from `/boundary consult` to its preview."""
    dm = slack.dm_channel(user)

    async def bot_answered(after: int) -> None:
        for _ in range(500):
            msgs = slack.messages(dm)
            if len(msgs) > after and msgs[-1].get("user") == slack.bot_user_id:
                return
            await asyncio.sleep(0.02)
        raise SystemExit("the app did not answer in the DM")

    seen = len(slack.messages(dm))
    await slack.send_command(user, "C0GENERAL", "/boundary", "consult")
    await bot_answered(seen + 1)
    for text in CONSULT:
        seen = len(slack.messages(dm))
        await slack.send_user_message(user, dm, text)
        await bot_answered(seen + 1)
    if "Post anonymously" not in str(slack.messages(dm)[-1].get("blocks")):
        raise SystemExit("the consult did not reach its preview; memory figures would mislead")


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--install", action="store_true", help="also measure the size of a fresh install")
    ap.add_argument("--consults", type=int, default=20, help="consults before memory is read (1..200)")
    ap.add_argument("--starts", type=int, default=3, help="starts per server for the start-up median (1..10)")
    ap.add_argument(
        "--restarts", action="store_true", help="every start on one database migrated beforehand (a restart)"
    )
    ap.add_argument("--serve-bare", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve_bare:
        await serve_bare(args.serve_bare)
        return
    if not (1 <= args.consults <= 200 and 1 <= args.starts <= 10):
        ap.error("--consults must be 1..200 and --starts 1..10")

    from bot.sandbox.web_api import DEFAULT_USERS, SlackStandIn

    practitioners = [{"id": f"U0PR{i:04d}", "name": f"practitioner{i}"} for i in range(args.consults)]
    slack = SlackStandIn(users=DEFAULT_USERS + practitioners)
    await slack.start()
    tmp = Path(tempfile.mkdtemp())
    (tmp / "config.yaml").write_text("channels:\n  - {id: C0CONSULT, name: peer-consult}\n")

    def env_for(port: int, run: int) -> dict[str, str]:
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": "xoxb-footprint",
            "SLACK_SIGNING_SECRET": SECRET,
            "PORT": str(port),
            "SLACK_API_URL": slack.api_url,
            # a fresh database per start: each start pays for the migrations, as a new deployment
            # does; with --restarts one database, migrated before the first measured start
            "DATABASE_URL": f"sqlite:///{tmp / ('db.sqlite3' if args.restarts else f'db{run}.sqlite3')}",
            "BOUNDARY_SECRET_KEY": "footprint-key-" + "x" * 30,
            "BOUNDARY_CONFIG": str(tmp / "config.yaml"),
        }
        env.pop("SLACK_APP_TOKEN", None)
        return env

    starts: dict[str, list[float]] = {"app": [], "bare": []}
    cpus: dict[str, list[float]] = {"app": [], "bare": []}
    # start to the first /boundary <question> answered (app: its answer at response_url; bare: its ack)
    firsts: dict[str, list[float]] = {"app": [], "bare": []}
    idle: dict[str, float] = {}
    busy: dict[str, float] = {}
    requests = len(QUESTIONS) + args.consults * (1 + len(CONSULT))
    try:
        if args.restarts:  # the migrations, before anything is measured
            port = free_port()
            stop((await start("app", env_for(port, 0), port))[0])
        for run in range(args.starts):
            order = ["bare", "app"] if run % 2 == 0 else ["app", "bare"]
            for kind in order:
                port = free_port()
                proc, seconds = await start(kind, env_for(port, run), port)
                try:
                    cpus[kind].append(cpu_seconds(proc.pid))
                    starts[kind].append(seconds)
                    slack.events_url = f"http://127.0.0.1:{port}/slack/events"
                    slack.signing_secret = SECRET
                    # the first question at once: does an answer still come well within Slack's 3 s?
                    asked, answers = time.perf_counter(), len(slack.calls_to("response_url"))
                    await slack.send_command("U0PRACT", "C0GENERAL", "/boundary", QUESTIONS[1])
                    while kind == "app" and len(slack.calls_to("response_url")) == answers:
                        if time.perf_counter() - asked > 10:
                            raise SystemExit("the app did not answer its first question within 10 s")
                        await asyncio.sleep(0.005)
                    firsts[kind].append(seconds + time.perf_counter() - asked)
                    if run < args.starts - 1:
                        continue
                    # the last start of each: memory at rest, then after the load
                    idle[kind] = rss_mb(proc.pid)
                    if kind == "app":
                        for q in QUESTIONS:
                            await slack.send_command("U0PRACT", "C0GENERAL", "/boundary", q)
                        for i in range(args.consults):
                            await consult(slack, f"U0PR{i:04d}")
                    else:
                        for i in range(requests):
                            await slack.send_command(
                                f"U0PR{i % args.consults:04d}", "C0GENERAL", "/boundary", QUESTIONS[i % 4]
                            )
                    busy[kind] = rss_mb(proc.pid)
                finally:
                    stop(proc)
    finally:
        await slack.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    def median(xs: list[float]) -> float:
        return sorted(xs)[len(xs) // 2]

    print(f"{'':34}{'app':>10}{'bare Bolt':>12}{'app/bare':>10}")
    a, b = median(starts["app"]), median(starts["bare"])
    print(f"{f'start to /healthz (median of {args.starts})':34}{a:>8.2f} s{b:>10.2f} s{a / b:>10.2f}")
    a, b = median(cpus["app"]), median(cpus["bare"])
    print(f"{'CPU used by then (median)':34}{a:>8.2f} s{b:>10.2f} s{a / b:>10.2f}")
    a, b = median(firsts["app"]), median(firsts["bare"])
    print(f"{'start to first answer (median)':34}{a:>8.2f} s{b:>10.2f} s{a / b:>10.2f}")
    print(f"{'memory after start':34}{idle['app']:>7.0f} MB{idle['bare']:>9.0f} MB{idle['app'] / idle['bare']:>10.2f}")
    label = f"memory after {args.consults} consults"
    print(f"{label:34}{busy['app']:>7.0f} MB{busy['bare']:>9.0f} MB{busy['app'] / busy['bare']:>10.2f}")
    print(f"(the bare app got {requests + 1} /boundary commands, as many requests as the app; RSS from /proc;")
    print(" first answer: the app's answer at response_url, the bare app's ack)")
    print("starts, s: " + "; ".join(f"{k} " + ", ".join(f"{x:.2f}" for x in v) for k, v in starts.items()))
    print("CPU at /healthz, s: " + "; ".join(f"{k} " + ", ".join(f"{x:.2f}" for x in v) for k, v in cpus.items()))
    if args.install:
        print(f"install (requirements.txt) {install_size():.0f} MB in a fresh virtualenv")


if __name__ == "__main__":
    asyncio.run(main())
