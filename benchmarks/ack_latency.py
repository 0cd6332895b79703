"""Ack latency of `/boundary <question>` under a burst of concurrent requests.

    .venv/bin/python benchmarks/ack_latency.py [--n 50 500] [--rounds 3] [--prompt] [--py-spy OUT.txt]

Starts, each in its own child process:

* the real app (``bot.server.start_app``: HTTP mode, ``process_before_response=False``,
  JSON request logs, worker running; SQLite in a temp dir; Web API pointed at a
  ``SlackStandIn`` on loopback inside that child (only ``auth.test`` is called);
  the app acknowledges at once and sends the answer to the request's
  ``response_url``, served by this process so the time to the answer is measured too;
* a bare Bolt ``AsyncApp`` that only acks ``/boundary`` (same signing secret), the
  baseline measured in the same run;
* with ``--prompt``, the real app again with ``_prompt_runner.py``'s listener runner, which
  answers at the ack instead of at Bolt's next 10 ms poll (an experiment; see that file).

This process is the load generator: for each round and each N it fires N
concurrent, signed ``/boundary <question>`` requests (questions from
benchmarks/data/questions_dev.jsonl, bodies signed before the clock starts, a
fresh connection pool per burst) at one server, then at the other (the order
alternates between rounds), and times each request until its HTTP response —
the ack — has been read. Both servers are warmed up first (auth.test, lexicons,
matcher). Only 127.0.0.1 is contacted; every request has a 10 s timeout and the
whole run stops after --max-seconds.

``--py-spy OUT`` samples the real app's process with py-spy during its bursts and
prints where the time goes (raw collapsed stacks are written to OUT).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h  # noqa: E402
from aiohttp import ClientSession, ClientTimeout, TCPConnector, web  # noqa: E402

from bot.sandbox import signing  # noqa: E402

REQUEST_TIMEOUT = 10.0
SLACK_TIMEOUT = 3.0


class Answers:
    """Collects the answers the app sends to each request's response_url, so the
    time to the answer is measured as well as the time to the ack."""

    def __init__(self):
        self.sent: dict[str, float] = {}
        self.arrived: dict[str, float] = {}
        self.url = ""
        self._runner = None
        self._ids = itertools.count()

    async def start(self) -> None:
        app = web.Application()

        async def answer(request: web.Request) -> web.Response:
            self.arrived.setdefault(request.match_info["rid"], time.perf_counter())
            await request.read()
            return web.Response(text="ok")

        app.router.add_post("/r/{rid}", answer)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, backlog=h.BACKLOG)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/r/"

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    def new_id(self) -> str:
        return str(next(self._ids))

    async def latencies(self, ids: list[str], wait: float = REQUEST_TIMEOUT) -> tuple[list[float], int]:
        deadline = time.perf_counter() + wait
        while time.perf_counter() < deadline and not all(i in self.arrived for i in ids):
            await asyncio.sleep(0.05)
        got = [self.arrived[i] - self.sent[i] for i in ids if i in self.arrived and i in self.sent]
        return got, len(ids) - len(got)


def signed_requests(
    questions: list[str], n: int, rng: random.Random, user_base: int = 0, answers: Answers | None = None
) -> list[tuple[bytes, dict, str]]:
    out = []
    for i in range(n):
        rid = answers.new_id() if answers else ""
        response_url = (answers.url + rid) if answers else "http://127.0.0.1:9/response_url/x"
        body = signing.slash_command_body(
            command="/boundary",
            text=rng.choice(questions),
            user_id=f"U0L{(user_base + i) % 1000:04d}",
            team_id=h.TEAM,
            channel_id=h.GENERAL,
            response_url=response_url,
            trigger_id=f"t.{i}",
        )
        out.append((body.encode(), signing.signed_headers(body, h.SECRET), rid))
    return out


async def burst(
    url: str, reqs: list[tuple[bytes, dict, str]], answers: Answers | None = None
) -> list[tuple[float, str]]:
    """Fire all requests at once; (seconds to the ack, "200" / error) per request."""
    connector = TCPConnector(limit=0)
    async with ClientSession(connector=connector) as session:
        timeout = ClientTimeout(total=REQUEST_TIMEOUT)

        async def one(body: bytes, headers: dict, rid: str) -> tuple[float, str]:
            t0 = time.perf_counter()
            if answers is not None and rid:
                answers.sent[rid] = t0
            try:
                async with session.post(url, data=body, headers=headers, timeout=timeout) as r:
                    await r.read()
                    status = str(r.status)
            except Exception as exc:  # timeouts, resets: counted as errors
                return time.perf_counter() - t0, type(exc).__name__
            return time.perf_counter() - t0, status

        return await asyncio.gather(*(one(b, hd, rid) for b, hd, rid in reqs))


async def warm_up(url: str, questions: list[str], rng: random.Random, answers: Answers) -> None:
    for req in signed_requests(questions, 5, rng, answers=answers):  # one at a time: auth.test, matcher
        await burst(url, [req], answers)
    await burst(url, signed_requests(questions, 50, rng, answers=answers), answers)


async def run(args) -> int:
    questions = h.load_questions()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="bc-ack-"))
    started = time.monotonic()
    results: dict[tuple[str, int], list[tuple[float, str]]] = {}
    per_round: list[list[str]] = []
    prof = Path(args.py_spy).resolve() if args.py_spy else None
    answers = Answers()
    await answers.start()
    answer_lat: dict[tuple[str, int], list[float]] = {}
    missing: dict[tuple[str, int], int] = {}
    names = ["app", "bare"] + (["app-prompt"] if args.prompt else [])
    async with contextlib.AsyncExitStack() as stack:
        servers = {
            name: await stack.enter_async_context(h.server(name, workdir=work / name, backlog=args.backlog))
            for name in names
        }
        app = servers["app"]
        print(
            f"listen backlog {args.backlog}; servers: "
            + ", ".join(f"{name} pid {srv.pid} {srv.url}" for name, srv in servers.items())
            + f"; load generator: this process (pid {os.getpid()})"
        )
        for srv in servers.values():
            await warm_up(srv.url, questions, rng, answers)
        stopped_early = False
        async with h.py_spy(app.pid, prof):  # idle time is not sampled: only the app's bursts count
            for rnd in range(args.rounds):
                # Each server goes first, and last, in turn: no one always meets a warmer machine.
                order = names[rnd % len(names) :] + names[: rnd % len(names)]
                if rnd % 2:
                    order.reverse()
                for n in args.n:
                    for name in order:
                        if time.monotonic() - started > args.max_seconds:
                            stopped_early = True
                            break
                        reqs = signed_requests(questions, n, rng, user_base=rnd * 7, answers=answers)
                        await asyncio.sleep(args.pause)
                        res = await burst(servers[name].url, reqs, answers)
                        results.setdefault((name, n), []).extend(res)
                        if name != "bare":
                            # The apps answer at response_url after acking: wait for every answer, so
                            # no app's leftover work runs into the next server's burst.
                            got, lost = await answers.latencies([rid for _, _, rid in reqs])
                            answer_lat.setdefault((name, n), []).extend(got)
                            missing[(name, n)] = missing.get((name, n), 0) + lost
                        lat = [t for t, s in res if s == "200"]
                        per_round.append(
                            [
                                str(rnd + 1),
                                str(n),
                                name,
                                h.ms(h.percentile(lat, 50)),
                                h.ms(h.percentile(lat, 99)),
                                str(sum(1 for _, s in res if s != "200")),
                            ]
                        )
                if stopped_early:
                    print(f"stopped after {args.max_seconds:.0f} s (--max-seconds)")
                    break
    print()
    print("per burst:")
    print(h.table(per_round, ["round", "N", "server", "p50 ms", "p99 ms", "errors"]))
    print()
    rows, summary, verdicts = [], [], []
    for n in args.n:
        stats = {}
        for name in names:
            res = results.get((name, n), [])
            ok = [t for t, s in res if s == "200"]
            errors = len(res) - len(ok)
            stats[name] = (
                h.percentile(ok, 50),
                h.percentile(ok, 99),
                max(ok) if ok else float("nan"),
                errors,
                sum(1 for t in ok if t > SLACK_TIMEOUT),
                len(res),
            )
        ratio = stats["app"][1] / stats["bare"][1] if stats["bare"][1] else float("nan")
        for name in names:
            p50, p99, mx, err, late, total = stats[name]
            name_ratio = stats[name][1] / stats["bare"][1] if stats["bare"][1] else float("nan")
            rows.append(
                [
                    str(n),
                    name,
                    str(total),
                    h.ms(p50),
                    h.ms(p99),
                    h.ms(mx),
                    str(err),
                    str(late),
                    f"{name_ratio:.2f}" if name != "bare" else "",
                ]
            )
        summary.append(
            f"N={n}: p99 app {h.ms(stats['app'][1])} ms / bare {h.ms(stats['bare'][1])} ms "
            f"(x{ratio:.2f}), p50 app {h.ms(stats['app'][0])} / bare {h.ms(stats['bare'][0])} ms, "
            f"errors {stats['app'][3]}/{stats['bare'][3]}"
            + (
                f"; without Bolt's ack poll: p50 {h.ms(stats['app-prompt'][0])}, p99 {h.ms(stats['app-prompt'][1])} ms"
                if args.prompt
                else ""
            )
        )
        ok_ratio = ratio <= 1.2  # issue 14: p99 within 1.2x the bare app
        verdict = f"N={n}: p99 ratio {ratio:.2f} {'<=' if ok_ratio else '>'} 1.2"
        if n >= 500:
            verdict += f"; app p99 {h.ms(stats['app'][1])} ms {'<' if stats['app'][1] < 1.0 else '>='} 1000 ms"
            ok_ratio = ok_ratio and stats["app"][1] < 1.0
        verdicts.append(("MET " if ok_ratio else "MISSED ") + verdict)
    await answers.stop()
    print(f"pooled over {args.rounds} round(s):")
    print(h.table(rows, ["N", "server", "requests", "p50 ms", "p99 ms", "max ms", "errors", ">3s", "p99 app/bare"]))
    print()
    for v in verdicts:
        print("target " + v)
    print()
    print("time from the request to the app's answer at its response_url (the bare app sends none):")
    print(
        h.table(
            [
                [
                    str(n),
                    name,
                    str(len(answer_lat.get((name, n), []))),
                    h.ms(h.percentile(answer_lat.get((name, n), []), 50)),
                    h.ms(h.percentile(answer_lat.get((name, n), []), 99)),
                    str(missing.get((name, n), 0)),
                ]
                for n in args.n
                for name in names
                if name != "bare"
            ],
            ["N", "server", "answers", "p50 ms", "p99 ms", "missing"],
        )
    )
    summary.append(
        "answers p99 " + ", ".join(f"N={n} {h.ms(h.percentile(answer_lat.get(('app', n), []), 99))} ms" for n in args.n)
    )
    if prof:
        print()
        print(f"py-spy profile of the app during its bursts ({prof}):")
        print(h.summarize_profile(prof))
    print()
    print(
        f"README: ack_latency {date.today().isoformat()} ({h.machine()}; {args.rounds} round(s)): " + "; ".join(summary)
    )
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, nargs="+", default=[50, 500], help="concurrent requests per burst")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--pause", type=float, default=0.5, help="seconds of quiet before each burst")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--max-seconds", type=float, default=300.0, help="stop starting bursts after this long")
    p.add_argument(
        "--backlog",
        type=int,
        default=h.BACKLOG,
        help="listen backlog of both servers (production/aiohttp default: 128)",
    )
    p.add_argument(
        "--prompt",
        action="store_true",
        help="also serve the app with _prompt_runner.py's runner (no 10 ms ack poll): an experiment",
    )
    p.add_argument("--py-spy", metavar="OUT", default=None, help="profile the app's process with py-spy")
    args = p.parse_args(argv)
    if any(n < 1 or n > 2000 for n in args.n) or not 1 <= args.rounds <= 50:
        p.error("N must be 1..2000 and rounds 1..50")
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
