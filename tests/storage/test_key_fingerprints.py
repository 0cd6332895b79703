"""Key fingerprints and flags across a rotation, on SQLite and (when configured) PostgreSQL."""

import asyncio

from bot.identity import Identity, fingerprint
from bot.storage import models as m

KEY_A, KEY_B, KEY_C = ("a" * 40, "b" * 40, "c" * 40)


async def test_a_new_database_records_the_keys_then_only_a_rotation_adds_one(store):
    assert await store.record_key_fingerprints([fingerprint(KEY_A)]) == set()
    assert await store.key_fingerprints() == {fingerprint(KEY_A)}
    # A different key is not recorded (the caller refuses to start).
    assert await store.record_key_fingerprints([fingerprint(KEY_B)]) == {fingerprint(KEY_A)}
    assert await store.key_fingerprints() == {fingerprint(KEY_A)}
    # new,old: the new key joins.
    await store.record_key_fingerprints([fingerprint(KEY_B), fingerprint(KEY_A)])
    assert await store.key_fingerprints() == {fingerprint(KEY_A), fingerprint(KEY_B)}
    assert KEY_A not in str(await store.key_fingerprints())


async def test_two_hosts_with_different_keys_starting_together_cannot_both_be_recorded(store):
    before = await asyncio.gather(
        store.record_key_fingerprints([fingerprint(KEY_B)]), store.record_key_fingerprints([fingerprint(KEY_C)])
    )
    assert sorted(map(len, before)) == [0, 1]  # one was first; the other saw its key
    assert len(await store.key_fingerprints()) == 1


async def test_one_flag_per_person_across_a_rotation(store):
    async with store.session() as s:
        s.add(m.Post(team_id="T1", number=1, intake_ref="r", channel_id="C1", status="posted", author_hash="h"))
    old, rotated = Identity([KEY_A]), Identity([KEY_B, KEY_A])
    assert await store.add_flag(1, old.flagger_hash("T1", "U1")) is not None
    newest, *earlier = rotated.flagger_hashes("T1", "U1")
    assert newest != old.flagger_hash("T1", "U1")
    assert await store.add_flag(1, newest, earlier) is None
    assert await store.add_flag(1, *([rotated.flagger_hash("T1", "U2")])) is not None
