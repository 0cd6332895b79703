"""Shared pieces of the load benchmarks (ack_latency.py, intake_throughput.py).

The servers under test run in child processes started from here::

    python benchmarks/_harness.py serve --kind app|bare --api-url URL|own --db URL --data-dir DIR

* ``--kind app``: the real app, built the way ``bot.server.serve`` builds it
  (``start_app``: ``process_before_response=False``, JSON request logging to
  stderr, the worker running), served by aiohttp on a real TCP port on 127.0.0.1.
* ``--kind app-prompt``: the same app with ``_prompt_runner.py``'s listener runner, which
  answers at the ack instead of at Bolt's next 10 ms poll (an experiment; see that file).
* ``--kind bare``: a bare Bolt ``AsyncApp`` that only acks ``/boundary``, served by
  ``app.web_app()`` on 127.0.0.1: the baseline.
* ``--api-url own``: the child runs its own ``SlackStandIn`` on loopback for the
  Web API (enough when the app only needs ``auth.test``); otherwise the Web API
  calls go to the given URL (a stand-in in the load-generating process).

The child prints ``READY <events url> <pid>`` once it serves and exits when its
stdin is closed, so it never outlives the benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import sys
import tempfile
import threading
import time
from contextlib import asynccontextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
TEAM = "T0SANDBOX"
CONSULT, GENERAL = "C0CONSULT", "C0GENERAL"
QUESTIONS = REPO / "benchmarks" / "data" / "questions_dev.jsonl"
PYTHON = sys.executable
# Listen backlog of the servers under test. aiohttp's (and so production's) default is
# 128: a burst of 500 new connections overflows it and the kernel drops SYNs, which the
# client retransmits after 1 s (then 3 s) - a queueing artefact that hits the bare app
# and the real app alike and would swamp their p99. The benchmarks use 1024 unless
# told otherwise (--backlog 128 reproduces the default).
BACKLOG = 1024


# --------------------------------------------------------------------- figures
def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return math.nan
    xs = sorted(values)
    k = max(0, min(len(xs) - 1, math.ceil(q / 100 * len(xs)) - 1))
    return xs[k]


def ms(x: float) -> str:
    return "-" if x is None or math.isnan(x) else f"{x * 1000:.0f}"


def cpu_seconds(pid: int | None = None) -> float:
    """User+system CPU seconds of a process (this one by default), from /proc."""
    if pid is None:
        t = os.times()
        return t.user + t.system
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_questions() -> list[str]:
    with open(QUESTIONS, encoding="utf-8") as fh:
        return [json.loads(line)["q"] for line in fh if line.strip()]


def machine() -> str:
    import platform

    return f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]

    def fmt(r):
        return "  ".join(
            str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )

    return "\n".join([fmt(header), fmt(["-" * w for w in widths])] + [fmt(r) for r in rows])


# ------------------------------------------------------------ server (child)
def bench_settings(data_dir: Path, api_url: str, database_url: str | None):
    """Production defaults (config/default.yaml is not read) plus what a run needs."""
    from bot.config import Settings

    s = Settings(
        data_dir=data_dir,
        signing_secret=SECRET,
        bot_token=TOKEN,
        secret_key="bench-key-" + "x" * 40,
        channels=[{"id": CONSULT, "name": "peer-consult"}],
        slack_api_url=api_url,
    )
    s.database_url = database_url or f"sqlite:///{data_dir / 'boundary.sqlite3'}"
    return s


async def _serve(args) -> None:
    from aiohttp import web

    own_slack = None
    api_url = args.api_url
    if api_url == "own":
        from bot.sandbox.web_api import SlackStandIn

        own_slack = SlackStandIn(team_id=TEAM)
        await own_slack.start()
        api_url = own_slack.api_url

    cleanup = []
    if args.kind in ("app", "app-prompt"):
        from bot.app import build_web_app
        from bot.logs import setup_logging
        from bot.server import start_app

        data_dir = Path(args.data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        settings = bench_settings(data_dir, api_url, args.db)
        # As production (one JSON line per request), but to stderr: stdout is the READY pipe,
        # which nobody reads after start-up; once full, it would block the app mid-request.
        setup_logging(settings.log_level, stream=sys.stderr)
        services, app, worker = await start_app(settings)
        if args.kind == "app-prompt":  # the experiment of _prompt_runner.py: no 10 ms ack poll
            from _prompt_runner import install

            install(app)
        web_app = build_web_app(app, SECRET)
        cleanup += [worker.stop, services.close]
    else:
        from slack_bolt.async_app import AsyncApp
        from slack_sdk.web.async_client import AsyncWebClient

        client = AsyncWebClient(token=TOKEN, base_url=api_url)
        app = AsyncApp(client=client, signing_secret=SECRET, process_before_response=False)

        @app.command("/boundary")
        async def boundary(ack):
            await ack()

        web_app = app.web_app(path="/slack/events")
        worker = None

    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=args.backlog)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    if worker is not None:
        await worker.tick()
        worker.start()
    print(f"READY http://127.0.0.1:{port}/slack/events {os.getpid()}", flush=True)
    profile_to = os.environ.get("BENCH_CPROFILE")  # a file: the server's event-loop thread, profiled
    if profile_to:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def wait_stdin():
        sys.stdin.read()  # EOF: the parent closed the pipe or died
        loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=wait_stdin, daemon=True).start()
    await stop.wait()
    if profile_to:
        profiler.disable()
        profiler.dump_stats(f"{profile_to}.{args.kind}")
    for fn in cleanup:
        await fn()
    await runner.cleanup()
    if own_slack is not None:
        await own_slack.stop()


# ------------------------------------------------------------ server (parent)
class Server:
    def __init__(self, proc: asyncio.subprocess.Process, url: str, pid: int, log_path: Path):
        self.proc, self.url, self.pid, self.log_path = proc, url, pid, log_path


@asynccontextmanager
async def server(
    kind: str,
    *,
    api_url: str = "own",
    db: str | None = None,
    workdir: Path | None = None,
    backlog: int = BACKLOG,
    ready_timeout: float = 60.0,
):
    """Start a server child process; yields a :class:`Server`; stops it on exit."""
    workdir = Path(workdir or tempfile.mkdtemp(prefix="bc-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    log_path = workdir / f"{kind}.log"
    cmd = [
        PYTHON,
        str(Path(__file__).resolve()),
        "serve",
        "--kind",
        kind,
        "--api-url",
        api_url,
        "--data-dir",
        str(workdir / "data"),
        "--backlog",
        str(backlog),
    ]
    if db:
        cmd += ["--db", db]
    with open(log_path, "wb") as log_fh:
        proc = await asyncio.create_subprocess_exec(
            *cmd, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=log_fh, cwd=str(REPO)
        )
    try:
        deadline = time.monotonic() + ready_timeout
        url = pid = None
        while time.monotonic() < deadline:
            line = await asyncio.wait_for(proc.stdout.readline(), timeout=max(0.1, deadline - time.monotonic()))
            if not line:
                break
            parts = line.decode().split()
            if parts[:1] == ["READY"]:
                url, pid = parts[1], int(parts[2])
                break
        if url is None:
            raise RuntimeError(f"{kind} server did not start; see {log_path}:\n{log_path.read_text()[-2000:]}")
        yield Server(proc, url, pid, log_path)
    finally:
        if proc.returncode is None:
            proc.stdin.close()
            try:
                await asyncio.wait_for(proc.wait(), timeout=10)
            except TimeoutError:
                proc.kill()  # our own child, by its handle
                await proc.wait()


# ------------------------------------------------------------ profiling
@asynccontextmanager
async def py_spy(pid: int, out: Path | None, rate: int = 200):
    """Sample ``pid`` with py-spy (raw collapsed stacks) while the block runs; no-op without ``out``."""
    if out is None:
        yield
        return
    exe = Path(PYTHON).with_name("py-spy")
    proc = await asyncio.create_subprocess_exec(
        str(exe),
        "record",
        "--pid",
        str(pid),
        "--rate",
        str(rate),
        "--gil",
        "--format",
        "raw",
        "-o",
        str(out),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    await asyncio.sleep(1.0)  # let it attach
    try:
        yield
    finally:
        import signal

        proc.send_signal(signal.SIGINT)  # py-spy writes the profile on SIGINT
        try:
            await asyncio.wait_for(proc.wait(), timeout=30)
        except TimeoutError:
            proc.kill()
            await proc.wait()


def summarize_profile(path: Path, top: int = 15) -> str:
    """Top functions by inclusive and by self samples from py-spy raw (collapsed) output."""
    incl: dict[str, int] = {}
    self_: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        n = int(n)
        total += n
        frames = stack.split(";")
        for f in set(frames):
            incl[f] = incl.get(f, 0) + n
        self_[frames[-1]] = self_.get(frames[-1], 0) + n
    if not total:
        return "(no samples)"
    out = [f"{total} samples"]
    for title, d in (("inclusive", incl), ("self", self_)):
        out.append(f"-- top {top} by {title} --")
        for f, n in sorted(d.items(), key=lambda kv: -kv[1])[:top]:
            out.append(f"{100 * n / total:5.1f}%  {f[:150]}")
    return "\n".join(out)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--kind", choices=["app", "app-prompt", "bare"], required=True)
    s.add_argument("--api-url", default="own")
    s.add_argument("--db", default=None)
    s.add_argument("--data-dir", default=None)
    s.add_argument("--backlog", type=int, default=BACKLOG)
    args = p.parse_args(argv)
    if args.data_dir is None:
        args.data_dir = tempfile.mkdtemp(prefix="bc-bench-data-")
    asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
