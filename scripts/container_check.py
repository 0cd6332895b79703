"""Build the container image and check it the way a container host runs it, by hand.

    python scripts/container_check.py [--python-image IMAGE] [--database-url URL]

Steps, each printed with what it found: `docker build`; the image's size and user; a
container started as the README's deploy section says (HTTP mode, the tokens and the key
in its environment), its Web API client pointed at the repository's stand-in for Slack
on this machine (host network: no Slack workspace needed); `/healthz`; a signed
`/boundary` question answered at its `response_url`; Docker's own HEALTHCHECK turning
healthy; `docker stop` (SIGTERM) ending with exit code 0 within the drain bound.

Needs a running Docker daemon. `--python-image` is passed as the Dockerfile's
PYTHON_IMAGE build argument (a registry mirror, or a base built locally where Docker Hub
is out of reach). Exit status 0 when every step passed."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

from aiohttp import ClientSession

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.sandbox.signing import signed_headers, slash_command_body  # noqa: E402
from bot.sandbox.web_api import SlackStandIn  # noqa: E402

TAG = "boundary-consult:check"
TEAM, USER, CHANNEL = "T0CHECK", "U0CHECK", "C0GENERAL"


def docker(*args: str, check: bool = True, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(["docker", *args], capture_output=True, text=True, env={**os.environ, **(env or {})})
    if check and done.returncode != 0:
        raise SystemExit(f"docker {' '.join(args[:2])} failed: {done.stderr.strip()[-500:]}")
    return done.stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _is_log_line(line: str) -> bool:
    try:
        return isinstance(record := json.loads(line), dict) and bool(record.get("msg"))
    except ValueError:
        return False


def step(name: str, ok: bool, detail: str) -> bool:
    print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}", flush=True)
    return ok


async def wait_until(predicate, timeout: float, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await predicate()
        if value:
            return value
        await asyncio.sleep(every)
    return None


async def check(python_image: str | None, database_url: str | None) -> bool:
    build = ["build", "-t", TAG]
    if python_image:
        build += ["--build-arg", f"PYTHON_IMAGE={python_image}"]
    started = time.monotonic()
    docker(*build, str(ROOT))
    results = [step("docker build", True, f"{TAG} in {time.monotonic() - started:.0f} s")]
    size = int(docker("image", "inspect", TAG, "--format", "{{.Size}}"))
    user = docker("image", "inspect", TAG, "--format", "{{.Config.User}}")
    results.append(step("image", user.split(":")[0] not in ("", "0", "root"), f"{size / 1e6:.0f} MB, user {user}"))

    slack = SlackStandIn(team_id=TEAM)
    await slack.start()
    port, signing_secret = free_port(), secrets.token_hex(16)
    env = {
        "SLACK_BOT_TOKEN": "xoxb-check",
        "SLACK_SIGNING_SECRET": signing_secret,
        "BOUNDARY_SECRET_KEY": secrets.token_urlsafe(32),
        "SLACK_API_URL": slack.api_url,
        "PORT": str(port),
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    run = ["run", "-d", "--network", "host"]
    for key in env:  # names only: the values come from docker's environment, not a command line `ps` shows
        run += ["-e", key]
    # Docker's first health check comes one interval after the start: a short one here.
    container = docker(*run, "--health-interval", "2s", TAG, env=env)
    try:
        async with ClientSession() as http:

            async def healthy():
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as r:
                        return r.status == 200
                except OSError:
                    return False

            started = time.monotonic()
            ok = await wait_until(healthy, 60, every=0.1)
            results.append(step("/healthz", bool(ok), f"200 after {time.monotonic() - started:.1f} s" if ok else "no"))
            uid = docker("exec", container, "id", "-u")
            results.append(step("runs as", uid != "0", f"uid {uid}"))

            body = slash_command_body(
                command="/boundary",
                text="a former client asked me to be friends on instagram",
                user_id=USER,
                team_id=TEAM,
                channel_id=CHANNEL,
                response_url=slack.response_url("check", user=USER),
            )
            async with http.post(
                f"http://127.0.0.1:{port}/slack/events",
                data=body.encode(),
                headers=signed_headers(body, signing_secret),
            ) as r:
                acked = r.status
            answer = None
            try:
                answer = (await slack.wait_for("response_url", timeout=30))[-1].args
            except AssertionError:
                pass
            answered = bool(answer) and answer.get("response_type") == "ephemeral"
            results.append(
                step("signed /boundary", acked == 200 and answered, f"ack {acked}, ephemeral answer: {answered}")
            )

            async def docker_health():
                status = docker("inspect", container, "--format", "{{.State.Health.Status}}")
                return status if status == "healthy" else None

            results.append(step("HEALTHCHECK", bool(await wait_until(docker_health, 60)), "healthy"))

        started = time.monotonic()
        docker("stop", "--time", "20", container)
        took = time.monotonic() - started
        code = docker("inspect", container, "--format", "{{.State.ExitCode}}")
        results.append(step("docker stop (SIGTERM)", code == "0", f"exit code {code} after {took:.1f} s"))
        logs = subprocess.run(["docker", "logs", container], capture_output=True, text=True)
        lines = [ln for ln in (logs.stdout + logs.stderr).splitlines() if ln.strip()]
        json_lines = sum(1 for ln in lines if _is_log_line(ln))
        results.append(step("logs", "Traceback" not in logs.stderr, f"{json_lines} JSON lines of {len(lines)}"))
    finally:
        docker("rm", "-f", container, check=False)
        await slack.stop()
    return all(results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python-image", help="the Dockerfile's PYTHON_IMAGE (default: its own, python:3.11-slim)")
    parser.add_argument("--database-url", help="DATABASE_URL for the container (default: SQLite inside it)")
    args = parser.parse_args()
    if subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        print("no Docker daemon answers `docker info`: nothing checked")
        return 2
    return 0 if asyncio.run(check(args.python_image, args.database_url)) else 1


if __name__ == "__main__":
    sys.exit(main())
