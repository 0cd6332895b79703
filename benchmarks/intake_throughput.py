"""Throughput of concurrent intakes, `/boundary consult` to the posted dilemma.

    .venv/bin/python benchmarks/intake_throughput.py [--m 20 100] [--pg URL]

The real app runs in a child process (``bot.server.start_app``: HTTP mode on a TCP
port on 127.0.0.1, ``process_before_response=False``, JSON request logs, worker
running), on SQLite in a temp dir and then — when ``--pg URL`` or
TEST_DATABASE_URL is given — on a fresh PostgreSQL database created on that
server for the run and dropped afterwards (as tests/conftest.py does).

This process plays Slack: a ``SlackStandIn`` on loopback answers the app's Web API
calls and sends the signed requests of M simulated people (distinct users), who
all start at once and each go through the intake of tests/app/test_consult_flow.py
(``run_intake_to_preview``, then *Post*) with no think time:

    /boundary consult · click "Former client" · DM "3" · DM "skip" · DM situation ·
    click "Write privately" + submit the modal · click "Accept principles" ·
    DM question · click "Post"

For every step it records

* **ack**: from sending the step (event, click, submission) to its HTTP response;
* **next**: from sending the step to the bot's next prompt appearing in the DM (the
  stand-in stores the app's chat.postMessage; for the form click: the modal opening;
  for *Post*: the "Posted anonymously" message) — seen through the stand-in's
  message store, not by polling the app.

Throughput = completed intakes / wall time from the first step to the last
intake's posted message. The run is warmed up with one intake first. Each step
waits at most --step-timeout; the run stops starting new work after --max-seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _harness as h  # noqa: E402

from bot.sandbox.web_api import DEFAULT_CHANNELS, SlackStandIn  # noqa: E402

SITUATION = (
    "My former client Rosalind Okafor (34) ran into me at Lincoln Elementary in Boise on March 3rd "
    "and asked to be friends. She texted from (208) 555-0142 and emailed rosalind.o@example.org."
)
CONSIDERING = "Saying no kindly at our next contact, Rosalind deserves honesty."
SLACK_ACK_LIMIT = 3.0


# ------------------------------------------------------------ the stand-in
def _prompt(msg: dict) -> str:
    try:
        return msg["blocks"][0]["text"]["text"]
    except (KeyError, IndexError, TypeError):
        return msg.get("text") or ""


class WatchedSlack(SlackStandIn):
    """The stand-in, plus waiters that fire the moment a DM (or a user's modal stack) changes."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self._waiters: dict[str, list[tuple]] = {}

    def expect(self, key: str, predicate) -> asyncio.Future:
        fut = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(key, []).append((predicate, fut))
        return fut

    def _poke(self, key: str) -> None:
        waiting = self._waiters.get(key)
        if not waiting:
            return
        now = time.perf_counter()
        keep = []
        for pred, fut in waiting:
            if fut.done():
                continue
            try:
                hit = pred()
            except Exception as exc:  # a broken predicate must not break Slack
                fut.set_exception(exc)
                continue
            if hit:
                fut.set_result(now)
            else:
                keep.append((pred, fut))
        self._waiters[key] = keep

    # hooks: every new message, every update, every modal opened
    def _store(self, channel, msg, thread_ts):
        out = super()._store(channel, msg, thread_ts)
        self._poke(channel)
        return out

    def _m_chat_update(self, args):
        out = super()._m_chat_update(args)
        self._poke(out["channel"])
        return out

    def _m_views_open(self, args):
        out = super()._m_views_open(args)
        for user, stack in self._views.items():
            if stack:
                self._poke("views:" + user)
        return out

    def latest_bot(self, channel: str) -> dict | None:
        for m in reversed(self._messages.get(channel, [])):
            if m.get("bot_id") and m.get("thread_ts") in (None, m["ts"]):
                return m
        return None


# ------------------------------------------------------------ one person
@dataclass
class Run:
    steps: list[tuple[str, float, float | None]] = field(default_factory=list)  # (step, ack s, next s)
    errors: list[str] = field(default_factory=list)
    done_at: float | None = None


def _has_action(msg: dict, action_id: str) -> bool:
    for block in msg.get("blocks") or []:
        for el in block.get("elements") or []:
            if el.get("action_id") == action_id:
                return True
        if (block.get("accessory") or {}).get("action_id") == action_id:
            return True
    return False


async def intake(slack: WatchedSlack, user: str, question: str, run: Run, step_timeout: float) -> None:
    dm = slack.dm_channel(user)

    def prompt_has(needle: str):
        def pred():
            m = slack.latest_bot(dm)
            return m is not None and needle.lower() in _prompt(m).lower()

        return pred

    def posted():
        m = slack.latest_bot(dm)
        return m is not None and "Posted anonymously" in json.dumps(m, ensure_ascii=False)

    def modal_open():
        return bool(slack._views.get(user))

    async def step(name: str, send, key: str, pred) -> bool:
        fut = slack.expect(key, pred)
        t0 = time.perf_counter()
        try:
            d = await send()
        except Exception as exc:
            run.errors.append(f"{name}: {type(exc).__name__}: {exc}")
            fut.cancel()
            return False
        ack = time.perf_counter() - t0
        if d is not None and (d.error or d.status != 200):
            run.errors.append(f"{name}: ack {d.status} {d.error}")
        try:
            seen = await asyncio.wait_for(fut, timeout=step_timeout)
        except TimeoutError:
            last = slack.latest_bot(dm)
            run.errors.append(
                f"{name}: expected message not seen within {step_timeout:.0f} s; "
                f"last bot message: {_prompt(last or {})[:90]!r}"
            )
            run.steps.append((name, ack, None))
            return False
        run.steps.append((name, ack, seen - t0))
        return True

    def click(action_id: str):
        async def send():
            for msg in reversed(slack.messages(dm)):
                if _has_action(msg, action_id):
                    return await slack.click(user, {**msg, "channel": dm}, action_id)
            raise RuntimeError(f"no DM message with {action_id}")

        return send

    def say(text: str):
        async def send():
            _msg, d = await slack.send_user_message(user, dm, text)
            return d

        return send

    async def submit():
        view = slack.views(user)[-1]
        return await slack.submit_view(user, view["id"], {"answer": {"value": CONSIDERING}})

    plan = [
        (
            "/boundary consult",
            lambda: slack.send_command(user, h.GENERAL, "/boundary", "consult"),
            dm,
            prompt_has("Who is the person"),
        ),
        ("click Former client", click("intake_choice:2"), dm, prompt_has("How long ago")),
        ("DM 3", say("3"), dm, prompt_has("setting")),
        ("DM skip", say("skip"), dm, prompt_has("Describe the situation")),
        ("DM situation", say(SITUATION), dm, prompt_has("considering")),
        ("click form", click("intake_form"), "views:" + user, modal_open),
        ("submit form", submit, dm, prompt_has("principles")),
        ("click accept", click("intake_principles_accept"), dm, prompt_has("ask your colleagues")),
        (
            "DM question",
            say(question),
            dm,
            lambda: (m := slack.latest_bot(dm)) is not None and _has_action(m, "intake_post"),
        ),
        ("click Post", click("intake_post"), dm, posted),
    ]
    for name, send, key, pred in plan:
        if not await step(name, send, key, pred):
            return
    run.done_at = time.perf_counter()


# ------------------------------------------------------------ a run
async def run_batch(
    slack: WatchedSlack, users: list[str], questions: list[str], step_timeout: float, deadline: float
) -> tuple[list[Run], float]:
    runs = [Run() for _ in users]
    t0 = time.perf_counter()
    tasks = [
        asyncio.ensure_future(intake(slack, u, questions[i % len(questions)], runs[i], step_timeout))
        for i, u in enumerate(users)
    ]
    remaining = max(1.0, deadline - time.monotonic())
    done, pending = await asyncio.wait(tasks, timeout=remaining)
    for t in pending:
        t.cancel()
    for t in done:
        if t.exception() is not None:
            runs[tasks.index(t)].errors.append(repr(t.exception()))
    finished = [r.done_at for r in runs if r.done_at]
    wall = (max(finished) - t0) if finished else time.perf_counter() - t0
    await slack.drain(timeout=10)
    return runs, wall


@dataclass
class Db:
    name: str
    url: str | None  # None: SQLite in the server's data dir
    drop: object = None


async def fresh_pg(base: str) -> Db:
    import asyncpg

    name = "bc_bench_" + uuid.uuid4().hex[:10]
    admin = base.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()

    async def drop():
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()

    return Db("postgresql", admin.rsplit("/", 1)[0] + "/" + name, drop)


async def bench_db(
    db: Db, ms_: list[int], questions: list[str], args, deadline: float, step_rows: list, profiles: list
) -> list[list[str]]:
    total_users = sum(ms_) + 1
    users = [{"id": f"U0M{i:05d}", "name": f"person{i}"} for i in range(total_users)]
    slack = WatchedSlack(users=users, channels=DEFAULT_CHANNELS, ack_timeout=10.0)
    await slack.start()
    rows = []
    try:
        work = Path(tempfile.mkdtemp(prefix=f"bc-intake-{db.name}-"))
        async with h.server("app", api_url=slack.api_url, db=db.url, workdir=work) as srv:
            slack.events_url, slack.signing_secret = srv.url, h.SECRET
            ids = [u["id"] for u in users]
            warm = Run()
            await intake(slack, ids[0], questions[0], warm, args.step_timeout)  # auth.test, lexicons, matcher
            if warm.errors or not warm.done_at:
                raise RuntimeError(f"warm-up intake failed: {warm.errors}; see {srv.log_path}")
            start = 1
            for m in ms_:
                if time.monotonic() > deadline:
                    print(f"stopped: --max-seconds reached before M={m} on {db.name}")
                    break
                batch = ids[start : start + m]
                start += m
                posts_before = len(slack.messages(h.CONSULT))
                cpu0 = (h.cpu_seconds(srv.pid), h.cpu_seconds())
                prof = Path(f"{args.py_spy}.{db.name}.{m}").resolve() if args.py_spy else None
                async with h.py_spy(srv.pid, prof):
                    runs, wall = await run_batch(slack, batch, questions, args.step_timeout, deadline)
                cpu = (h.cpu_seconds(srv.pid) - cpu0[0], h.cpu_seconds() - cpu0[1])
                posted = len(slack.messages(h.CONSULT)) - posts_before
                rows.append(
                    summarize(db.name, m, runs, wall, posted)
                    + [f"{cpu[0] / wall:.0%}", f"{cpu[1] / wall:.0%}", f"{cpu[0] * 1000 / max(1, posted):.0f}"]
                )
                if prof:
                    profiles.append((db.name, m, prof))
                step_rows.append((db.name, m, per_step(runs)))
                errs = [e for r in runs for e in r.errors]
                for e in errs[:5]:
                    print(f"  {db.name} M={m} error: {e}")
                await asyncio.sleep(1.0)
    finally:
        await slack.stop()
    return rows


def summarize(dbname: str, m: int, runs: list[Run], wall: float, posted: int) -> list[str]:
    steps = [s for r in runs for s in r.steps]
    acks = [a for _, a, _n in steps]
    nexts = [n for _, _a, n in steps if n is not None]
    ok = sum(1 for r in runs if r.done_at)
    errors = sum(len(r.errors) for r in runs)
    late = sum(1 for a in acks if a > SLACK_ACK_LIMIT)
    by_kind = {}
    for name, _ack, n in steps:
        by_kind.setdefault(name, []).append(n if n is not None else float("nan"))
    slowest = (
        max(by_kind.items(), key=lambda kv: h.percentile([x for x in kv[1] if x == x], 99) or 0)[0] if by_kind else "-"
    )
    return [
        dbname,
        str(m),
        f"{ok}/{m}",
        str(posted),
        f"{wall:.1f}",
        f"{ok / wall:.2f}" if wall else "-",
        h.ms(h.percentile(acks, 50)),
        h.ms(h.percentile(acks, 99)),
        h.ms(h.percentile(nexts, 50)),
        h.ms(h.percentile(nexts, 99)),
        str(late),
        str(errors),
        slowest,
    ]


def per_step(runs: list[Run]) -> list[list[str]]:
    order, acks, nexts = [], {}, {}
    for r in runs:
        for name, a, n in r.steps:
            if name not in acks:
                order.append(name)
            acks.setdefault(name, []).append(a)
            if n is not None:
                nexts.setdefault(name, []).append(n)
    return [
        [
            name,
            h.ms(h.percentile(acks[name], 50)),
            h.ms(h.percentile(acks[name], 99)),
            h.ms(h.percentile(nexts.get(name, []), 50)),
            h.ms(h.percentile(nexts.get(name, []), 99)),
        ]
        for name in order
    ]


HEADER = [
    "db",
    "M",
    "done",
    "posted",
    "wall s",
    "intakes/s",
    "ack p50 ms",
    "ack p99 ms",
    "next p50 ms",
    "next p99 ms",
    "acks>3s",
    "errors",
    "slowest step (p99 next)",
    "app CPU",
    "load-gen CPU",
    "app CPU ms/consult",
]


async def run(args) -> int:
    questions = h.load_questions()
    deadline = time.monotonic() + args.max_seconds
    dbs = [Db("sqlite", None)]
    pg = args.pg or os.environ.get("TEST_DATABASE_URL")
    rows, step_rows, profiles = [], [], []
    print(
        f"{h.machine()}; app server in a child process, stand-in + simulated people in this process "
        f"(pid {os.getpid()}); M = {args.m}"
    )
    for db in dbs + ([None] if pg else []):
        if db is None:
            db = await fresh_pg(pg)
            print(f"postgresql: fresh database {db.url.rsplit('/', 1)[1]} (dropped afterwards)")
        try:
            rows += await bench_db(db, args.m, questions, args, deadline, step_rows, profiles)
        finally:
            if db.drop:
                await db.drop()
    if not pg:
        print("postgresql: skipped (give --pg URL or set TEST_DATABASE_URL)")
    print()
    print(h.table(rows, HEADER))
    print()
    for dbname, m, srows in step_rows:
        print(f"per step, {dbname}, M={m}:")
        print(h.table(srows, ["step", "ack p50 ms", "ack p99 ms", "next p50 ms", "next p99 ms"]))
        print()
    for dbname, m, prof in profiles:
        print(f"py-spy profile of the app, {dbname}, M={m} ({prof}):")
        print(h.summarize_profile(prof, top=25))
        print()
    print(
        "app CPU / load-gen CPU: CPU time of the app's process / of this process during the batch, as a share of one core"
    )
    print(
        f"README: intake_throughput {date.today().isoformat()} ({h.machine()}): "
        + "; ".join(
            f"{r[0]} M={r[1]}: {r[5]} intakes/s, ack p99 {r[7]} ms, next p99 {r[9]} ms, errors {r[11]}" for r in rows
        )
    )
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--m", type=int, nargs="+", default=[20, 100], help="concurrent intakes per batch")
    p.add_argument("--pg", default=None, help="PostgreSQL server URL (default: $TEST_DATABASE_URL)")
    p.add_argument("--step-timeout", type=float, default=60.0)
    p.add_argument("--max-seconds", type=float, default=600.0)
    p.add_argument(
        "--py-spy",
        metavar="PREFIX",
        default=None,
        help="profile the app's process with py-spy during each batch (raw stacks to PREFIX.<db>.<M>)",
    )
    args = p.parse_args(argv)
    if any(m < 1 or m > 1000 for m in args.m):
        p.error("M must be 1..1000")
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
