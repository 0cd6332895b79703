"""The storage suite, on SQLite always and on PostgreSQL when TEST_DATABASE_URL is set."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from bot.storage import models as m
from bot.storage.models import utcnow
from bot.storage.store import Store


async def make_post(store, ref="r1", team="T1", author="h" * 64):
    intake = await store.create_intake(team, author, ref, "preview", {"answers": {"situation": "raw"}})
    return await store.post_from_intake(
        intake.id,
        "preview",
        team_id=team,
        intake_ref=ref,
        channel_id="C1",
        status="pending",
        content={"question": "q?"},
        author_hash=author,
        author_enc="enc",
    )


async def test_migrations_are_idempotent(store):
    from bot.storage.db import migrate

    await migrate(store.engine)  # a second start runs nothing new
    assert await store.claim_key("k")


async def test_claim_key_once_even_concurrently(store):
    results = await asyncio.gather(*[store.claim_key("event:Ev1") for _ in range(8)])
    assert results.count(True) == 1


async def test_intake_lifecycle(store):
    i = await store.create_intake("T1", "a" * 64, "ref", "relationship", {"answers": {}})
    assert (await store.open_intake("T1", ["a" * 64])).id == i.id
    assert await store.save_intake(
        i.id, "setting", {"answers": {"relationship": "current"}}, expect_step="relationship"
    )
    assert not await store.save_intake(i.id, "x", {}, expect_step="relationship")  # moved on
    got = await store.get_intake(i.id)
    assert got.step == "setting" and got.state["answers"]["relationship"] == "current"
    # A new intake replaces the user's old one.
    j = await store.create_intake("T1", "a" * 64, "ref2", "relationship", {})
    current = await store.open_intake("T1", ["a" * 64])
    assert current.id == j.id and current.ref == "ref2" and current.state == {}


async def test_post_from_intake_happens_once_and_drops_raw_text(store):
    intake = await store.create_intake("T1", "a" * 64, "ref", "preview", {"answers": {"situation": "raw text"}})
    first, second = await asyncio.gather(
        *[
            store.post_from_intake(
                intake.id,
                "preview",
                team_id="T1",
                intake_ref="ref",
                channel_id="C1",
                status="pending",
                content={"question": "q"},
                author_hash="a" * 64,
                author_enc="e",
            )
            for _ in range(2)
        ]
    )
    assert (first is None) != (second is None)
    assert await store.get_intake(intake.id) is None


async def test_claim_and_mark_posted(store):
    post = await make_post(store)
    claimed, other = await asyncio.gather(
        store.claim_post(post.id, timedelta(seconds=60)), store.claim_post(post.id, timedelta(seconds=60))
    )
    assert (claimed is None) != (other is None)
    assert await store.due_posts() == []  # claimed
    winner = claimed or other
    assert winner.attempts == 1
    await store.release_post(post.id, utcnow() - timedelta(seconds=1))
    assert await store.due_posts() == [post.id]
    await store.mark_posted(post.id, "123.456")
    assert await store.due_posts() == []
    assert (await store.post_by_message("C1", "123.456")).id == post.id


async def test_relays_batch_and_are_taken_once(store):
    post = await make_post(store)
    await store.mark_posted(post.id, "1.0")
    for ts in ("1.1", "1.2", "1.3"):
        await store.add_reply(post.id, ts, timedelta(seconds=0))
    a, b = await asyncio.gather(store.take_due_relays(), store.take_due_relays())
    taken = a + b
    assert taken == [(post.id, 3, "1.1")]


async def test_purge_keeps_the_number_but_not_the_text(store):
    post = await make_post(store)
    await store.purge_post(post.id, "deleted")
    got = await store.get_post(post.id)
    assert got.content is None and got.author_enc is None and got.status == "deleted"


async def test_retention_purges_old_text_only(store):
    old = await make_post(store, "old")
    new = await make_post(store, "new")
    waiting = await make_post(store, "waiting")  # still pending delivery: kept
    await store.mark_posted(old.id, "1.1")
    await store.mark_posted(new.id, "1.2")
    async with store.session() as s:
        await s.execute(
            update(m.Post).where(m.Post.id.in_([old.id, waiting.id])).values(created_at=utcnow() - timedelta(days=40))
        )
    assert await store.purge_older_than(30, "T1") == 1
    assert (await store.get_post(old.id)).content is None
    assert (await store.get_post(new.id)).content is not None
    assert (await store.get_post(waiting.id)).content is not None
    assert await store.purge_older_than(30, "T1") == 0  # already purged: not counted again
    assert await store.teams() == ["T1"]


async def test_workspace_settings_moderators_terms_blocks_audit(store):
    await store.set_setting("T1", "approval", True)
    await store.set_setting("T1", "approval", False)
    assert await store.settings("T1") == {"approval": False}
    assert await store.add_moderator("T1", "U1") and not await store.add_moderator("T1", "U1")
    assert await store.moderators("T1") == ["U1"]
    assert await store.remove_moderator("T1", "U1") and not await store.remove_moderator("T1", "U1")
    assert await store.add_term("T1", "Maple House") and not await store.add_term("T1", "Maple House")
    assert await store.remove_term("T1", "maple house")
    assert await store.block_author("T1", "b" * 64, 3) and not await store.block_author("T1", "b" * 64, 3)
    assert await store.is_blocked("T1", ["x" * 64, "b" * 64]) and not await store.is_blocked("T2", ["b" * 64])
    await store.set_channel("T1", "C9", "group", active=True)
    await store.set_channel("T1", "C9", "", active=False)
    assert [(c.channel_id, c.name, c.active) for c in await store.channels("T1")] == [("C9", "group", False)]
    for i in range(25):
        await store.audit("T1", "UMOD", "block", post_number=i)
    log = await store.audit_log("T1")
    assert len(log) == 20 and log[0].post_number == 24
    await store.record_job("retention", {"purged": 2})
    assert (await store.job("retention")).detail == {"purged": 2}


async def test_flags(store):
    post = await make_post(store)
    flag = await store.add_flag(post.id, "f" * 64)
    assert await store.add_flag(post.id, "f" * 64) is None
    assert [f.id for f in await store.open_flags("T1")] == [flag.id]
    assert await store.update_flag(flag.id, expect_status="open", status="dismissed")
    assert not await store.update_flag(flag.id, expect_status="open", status="removed")


async def test_a_post_born_claimed_is_left_to_its_creator(store):
    intake = await store.create_intake("T1", "a" * 64, "ref", "preview", {})
    post = await store.post_from_intake(
        intake.id,
        "preview",
        lease=timedelta(seconds=60),
        team_id="T1",
        intake_ref="ref",
        channel_id="C1",
        status="pending",
        content={},
        author_hash="a" * 64,
        author_enc="e",
    )
    assert post.attempts == 1
    assert await store.due_posts() == []  # the worker does not race the user's own delivery
    assert await store.claim_post(post.id, timedelta(seconds=60)) is None
    async with store.session() as s:  # the creator died: its lease lapses
        await s.execute(update(m.Post).values(claimed_until=utcnow() - timedelta(seconds=1)))
    assert await store.due_posts() == [post.id]
    assert (await store.claim_post(post.id, timedelta(seconds=60))).attempts == 2


async def test_intake_state_is_stored_encrypted_and_every_close_deletes_its_key(store):
    from sqlalchemy import func, select

    async def keys() -> int:
        async with store.session() as s:
            return (await s.execute(select(func.count()).select_from(m.IntakeKey))).scalar()

    raw = {"answers": {"situation": "Zebulon Quaxworth, 07700 900461"}}
    a = await store.create_intake("T1", "a" * 64, "ra", "situation", raw)
    async with store.session() as s:
        row = (await s.execute(select(m.Intake.sealed).where(m.Intake.id == a.id))).scalar_one()
    assert b"Quaxworth" not in bytes(row) and (await store.get_intake(a.id)).state == raw
    # Replaced by a new intake, cancelled, expired, posted: each takes its key with it.
    b = await store.create_intake("T1", "a" * 64, "rb", "situation", raw)
    assert await keys() == 1 and (await store.open_intake("T1", ["a" * 64])).ref == "rb"
    assert await store.delete_intake(b.id) and await keys() == 0
    c = await store.create_intake("T1", "c" * 64, "rc", "situation", raw)
    async with store.session() as s:
        await s.execute(update(m.Intake).values(updated_at=utcnow() - timedelta(hours=25)))
    assert await store.expire_intakes(timedelta(hours=24)) == 1 and await keys() == 0
    assert await store.get_intake(c.id) is None
    await make_post(store, ref="rd")
    assert await keys() == 0
    assert await store.scrub()  # the deleted key rows leave the files (checkpoint / VACUUM FULL)


async def test_an_intake_whose_key_is_gone_or_unreadable_cannot_be_read(store):
    from bot.storage.vault import IntakeVault

    store.use_secrets(["first-key-" + "x" * 40])
    a = await store.create_intake("T1", "a" * 64, "ra", "situation", {"answers": {"situation": "x"}})
    store.use_secrets(["other-key-" + "y" * 40])  # a host with a different secret: unreadable, left alone
    assert await store.get_intake(a.id) is None
    store.use_secrets(["other-key-" + "y" * 40, "first-key-" + "x" * 40])  # rotated: the old key still opens it
    assert (await store.get_intake(a.id)).state == {"answers": {"situation": "x"}}
    assert not await store.save_intake(a.id + 1, "x", {})
    async with store.session() as s:
        await s.execute(m.IntakeKey.__table__.delete())  # a PostgreSQL crash empties the unlogged key table
    assert await store.get_intake(a.id) is None
    assert await store.open_intake("T1", ["a" * 64]) is None  # and the unreadable row is gone
    assert IntakeVault().unwrap(b"\0" * 60, 1) is None


async def test_a_job_is_claimed_once_per_interval_and_a_dead_runs_lease_expires(store):
    hour, lease, t0 = timedelta(hours=1), timedelta(minutes=10), utcnow()
    assert await store.claim_job("retention", hour, lease, now=t0)
    claims = await asyncio.gather(*(store.claim_job("retention", hour, lease, now=t0) for _ in range(5)))
    assert not any(claims)  # the run in progress holds it
    # That process died without finishing: an hour on, its lease has passed and another takes the job.
    assert await store.claim_job("retention", hour, lease, now=t0 + hour)
    await store.finish_job("retention", {"purged": 3})
    job = await store.job("retention")
    assert (job.runs, job.detail, job.lease_until) == (2, {"purged": 3}, None)
    assert not await store.claim_job("retention", hour, lease, now=t0 + hour + timedelta(minutes=59))
    # A run that outlasts the interval keeps the job until its lease passes.
    assert await store.claim_job("retention", timedelta(minutes=1), lease, now=t0 + 2 * hour)
    assert not await store.claim_job("retention", timedelta(minutes=1), lease, now=t0 + 2 * hour + timedelta(minutes=5))
    # An on-demand run (record_job) does not count as a claimed one, and never collides with the row.
    await asyncio.gather(store.record_job("other", {"a": 1}), store.record_job("other", {"a": 2}))
    assert (await store.job("other")).runs == 0


async def test_postgresql_urls_with_sslmode_open(pg_url):
    """The forms hosts hand out (postgres://, ?sslmode=) open the same database."""
    from bot.storage.store import Store

    rest = pg_url.split("://", 1)[1]
    for url in (f"postgres://{rest}?sslmode=disable", f"postgresql+asyncpg://{rest}?sslmode=prefer"):
        store = await Store.open(url)
        try:
            assert await store.claim_key(url)
        finally:
            await store.close()


async def test_a_posts_first_reply_is_due_at_once_and_later_ones_wait_for_the_window(store):
    post = await make_post(store)
    await store.mark_posted(post.id, "1.0")
    window = timedelta(minutes=1)
    await store.add_reply(post.id, "1.1", window)
    await store.add_reply(post.id, "1.2", window)  # before the relay went out: in the same one
    assert await store.take_due_relays() == [(post.id, 2, "1.1")]
    assert await store.relays_waiting() == 0
    await store.add_reply(post.id, "1.3", window)
    assert await store.take_due_relays() == []  # a later reply waits for the batch
    assert await store.relays_waiting() == 1
    await store.put_back_relay(post.id, 1, "1.25", utcnow() - timedelta(seconds=1))
    assert await store.take_due_relays() == [(post.id, 2, "1.25")]


async def test_dm_copies_are_kept_apart_from_the_thread_and_hold_retention_back(store):
    post = await make_post(store)
    await store.update_post(post.id, status="posted")
    await store.add_post_message(post.id, "1.1", "op")
    await store.add_post_message(post.id, "9.1", "relay")
    await store.add_post_message(post.id, "9.2", "record")
    assert [msg.ts for msg in await store.post_messages(post.id)] == ["1.1"]  # the thread's, deleted in the channel
    dms = await store.dm_messages(post.id)
    assert sorted(msg.ts for msg in dms) == ["9.1", "9.2"]
    await store.update_post(post.id, created_at=utcnow() - timedelta(days=3))
    assert [p.id for p in await store.purgeable_with_dms(2, "T1")] == [post.id]
    assert await store.purge_older_than(2, "T1", keep=[post.id]) == 0  # its DM copies are not deleted yet
    for msg in dms:
        await store.forget_message(msg.id)
    assert await store.purgeable_with_dms(2, "T1") == []
    assert await store.purge_older_than(2, "T1") == 1


async def test_a_relay_read_by_two_workers_is_taken_by_one_even_when_its_count_comes_back(store):
    post = await make_post(store)
    await store.mark_posted(post.id, "1.0")
    window = timedelta(minutes=1)
    await store.add_reply(post.id, "1.1", window)
    await store.add_reply(post.id, "1.2", window)
    [seen] = await store.due_relays()  # both workers read it
    assert seen == (post.id, 2, "1.1")
    assert await store.take_relay(*seen)  # the first takes it
    await store.add_reply(post.id, "1.3", window)  # two new replies: the count is 2 again
    await store.add_reply(post.id, "1.4", window)
    assert not await store.take_relay(*seen)  # the second worker's stale read takes nothing
    await store.put_back_relay(post.id, 0, "1.1", utcnow() + window)  # even with that first reply again
    assert not await store.take_relay(*seen)  # not due yet
    assert await store.relays_waiting() == 1


async def test_two_first_replies_at_once_count_both_and_keep_the_earlier(store):
    post = await make_post(store)
    await store.mark_posted(post.id, "1.0")
    window = timedelta(minutes=1)
    # On PostgreSQL both can miss the row and both insert it: the loser counts itself in.
    await asyncio.gather(store.add_reply(post.id, "1.2", window), store.add_reply(post.id, "1.1", window))
    assert await store.take_due_relays() == [(post.id, 2, "1.1")]


async def test_post_numbers_count_within_each_workspace(store):
    """Dilemma #1, #2 … in every workspace (team or organisation), whatever the others post."""
    numbers = []
    for k, team in enumerate(["T1", "T2", "T1", "E1", "T2", "T1"]):
        post = await make_post(store, ref=f"r{k}", team=team, author=f"{k}".ljust(64, "a"))
        numbers.append((team, post.number))
    assert numbers == [("T1", 1), ("T2", 1), ("T1", 2), ("E1", 1), ("T2", 2), ("T1", 3)]
    assert (await store.post_by_number("T2", 2)).intake_ref == "r4"
    assert await store.post_by_number("T2", 3) is None
    # A purged workspace keeps its rows, so its numbers are not given again.
    await store.purge_team("T1")
    assert (await make_post(store, ref="again", team="T1", author="b" * 64)).number == 4


def post_intake(store, intake):
    """The post of an open intake of workspace T1, as the consult's Post click makes it."""
    return store.post_from_intake(
        intake.id,
        "preview",
        team_id="T1",
        intake_ref=intake.ref,
        channel_id="C1",
        status="pending",
        content={},
        author_hash=intake.author_hash,
        author_enc="e",
    )


async def test_post_numbers_are_unique_when_posted_at_once(store):
    """Many intakes of one workspace posted concurrently (separate transactions, on
    PostgreSQL separate connections): every number once, none skipped."""
    intakes = [await store.create_intake("T1", f"{k}".ljust(64, "a"), f"r{k}", "preview", {}) for k in range(12)]
    posts = await asyncio.gather(*[post_intake(store, intake) for intake in intakes])
    assert sorted(p.number for p in posts) == list(range(1, 13))


async def test_two_processes_on_one_postgresql_number_posts_apart(pg_url):
    """Two processes' stores (two engines, two connection pools) on one PostgreSQL
    database, posting in the same workspace at once: distinct numbers, 1 to N."""
    first, second = await Store.open(pg_url), await Store.open(pg_url)
    try:
        intakes = [
            (store, await store.create_intake("T1", f"{k}".ljust(64, "a"), f"r{k}", "preview", {}))
            for k, store in enumerate([first, second] * 8)
        ]
        posts = await asyncio.gather(*[post_intake(store, intake) for store, intake in intakes])
        assert sorted(p.number for p in posts) == list(range(1, 17))
    finally:
        await first.close()
        await second.close()


async def test_a_number_is_unique_within_its_workspace(store):
    """The database itself refuses a second post with the same number in a workspace."""
    await make_post(store, ref="r1", team="T1")
    with pytest.raises(IntegrityError):
        async with store.session() as s:
            s.add(
                m.Post(team_id="T1", number=1, intake_ref="dup", channel_id="C1", status="posted", author_hash="h" * 64)
            )


async def test_buttons_find_posts_and_flags_by_number_within_their_workspace_only(store):
    """What the app's values name (bot/values.py): a post by its number in the workspace,
    a flag by its post's number and its place among the post's flags; an older button's
    row id is still found, but only in its own workspace."""
    from bot.consult.model import FlagNumber, PostNumber

    a1 = await make_post(store, "ra1", team="TA")
    b1 = await make_post(store, "rb1", team="TB")
    a2 = await make_post(store, "ra2", team="TA")
    assert (a1.number, b1.number, a2.number) == (1, 1, 2)
    assert (await store.find_post("TB", PostNumber(1))).id == b1.id
    assert (await store.find_post("TA", PostNumber(2))).id == a2.id
    assert await store.find_post("TB", PostNumber(2)) is None
    assert (await store.find_post("TB", b1.id)).id == b1.id  # an older button's row id
    assert await store.find_post("TB", a1.id) is None  # another workspace's row id

    fa = await store.add_flag(a1.id, "f" * 64)
    fb1 = await store.add_flag(b1.id, "f" * 64)
    fb2 = await store.add_flag(b1.id, "g" * 64)
    fa2 = await store.add_flag(a2.id, "g" * 64)
    assert await store.flag_numbers([fa.id, fb1.id, fb2.id, fa2.id]) == {fa.id: 1, fb1.id: 1, fb2.id: 2, fa2.id: 1}
    # A withdrawn flag reopened is the same row: it keeps its place.
    assert (await store.withdraw_flag(b1.id, ["f" * 64])).id == fb1.id
    assert (await store.add_flag(b1.id, "f" * 64)).id == fb1.id
    assert await store.flag_numbers([fb1.id, fb2.id]) == {fb1.id: 1, fb2.id: 2}

    flag, post = await store.find_flag("TB", FlagNumber(1, 2))
    assert (flag.id, post.id) == (fb2.id, b1.id)
    flag, post = await store.find_flag("TA", FlagNumber(1, 1))
    assert (flag.id, post.id) == (fa.id, a1.id)
    assert await store.find_flag("TA", FlagNumber(1, 2)) is None
    assert await store.find_flag("TB", FlagNumber(2, 1)) is None
    assert (await store.find_flag("TB", fb1.id))[0].id == fb1.id  # an older button's row id
    assert await store.find_flag("TB", fa.id) is None  # another workspace's flag


async def test_the_workspace_in_one_statement_is_what_the_four_reads_give(store):
    # settings of every JSON shape, channels in the order added, terms whatever their case
    values = {
        "approval": False,
        "retention_days": 30,
        "review_channel": "G0REVIEW",
        "risk_resources": {"crisis_line": "*988*", "on_call": "Dr. Ng"},
        "empty": None,
        "list": ["a", 1, True],
    }
    for key, value in values.items():
        await store.set_setting("T1", key, value)
    for channel, name, active in [("C2", "second", True), ("C1", "first", False), ("C3", "third", True)]:
        await store.set_channel("T1", channel, name, active)
    for term in ["Lincoln Elementary", "boise", "Acme", "zeta"]:
        await store.add_term("T1", term)
    for moderator in ["U0B", "U0A"]:
        await store.add_moderator("T1", moderator)
    await store.set_setting("T2", "approval", True)  # another workspace's: not these
    await store.add_term("T2", "other")

    held = await store.workspace("T1")
    assert held.settings == await store.settings("T1") == values
    assert [(c.channel_id, c.name, c.active) for c in held.channels] == [
        (c.channel_id, c.name, c.active) for c in await store.channels("T1")
    ]
    assert held.terms == await store.terms("T1")
    assert sorted(held.moderators) == sorted(await store.moderators("T1"))
    empty = await store.workspace("T0")
    assert (empty.settings, empty.channels, empty.terms, empty.moderators) == ({}, [], [], [])


async def test_the_pool_checks_a_postgresql_connection_in_one_statement(pg_url, monkeypatch):
    """bot/storage/db.py replaces SQLAlchemy's asyncpg pre-ping (a transaction around a
    prepared `;`: three round trips) with one `SELECT 1`, reaching into the adapter's
    internals; if a SQLAlchemy release changes them, the code keeps SQLAlchemy's ping
    silently, and this says so."""
    import asyncpg
    from sqlalchemy import text as sql

    from bot.storage.db import create_engine

    seen: list[str] = []
    execute, fetchrow = asyncpg.Connection.execute, asyncpg.Connection.fetchrow

    async def recording_execute(self, query, *args, **kwargs):
        seen.append(query)
        return await execute(self, query, *args, **kwargs)

    async def recording_fetchrow(self, query, *args, **kwargs):
        seen.append(query)
        return await fetchrow(self, query, *args, **kwargs)

    engine = create_engine(pg_url)
    try:
        async with engine.connect() as conn:  # the connection is made (no ping for a new one)
            await conn.execute(sql("SELECT 2"))
        monkeypatch.setattr(asyncpg.Connection, "execute", recording_execute)
        monkeypatch.setattr(asyncpg.Connection, "fetchrow", recording_fetchrow)
        async with engine.connect() as conn:  # taken from the pool: pinged first
            await conn.execute(sql("SELECT 3"))
    finally:
        await engine.dispose()
    assert "SELECT 1" in seen and ";" not in seen, seen
