"""After migration 0008 renumbered posts per workspace, the worker shows each renumbered
post's new number in the channel (its message rendered again, same buttons)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from bot import outgoing as out
from bot.consult.posting import RETITLE_JOB
from bot.gateway import Unavailable
from bot.storage import models as m
from bot.worker import Worker
from tests.conftest import CONSULT
from tests.consult.test_record import posted


async def renumbered(domain, number: int, *listed: int) -> m.Post:
    """What migration 0008 leaves: the post with a new number, listed to be re-titled."""
    post = await posted(domain)
    async with domain.store.session() as s:
        await s.execute(update(m.Post).where(m.Post.id == post.id).values(number=number))
    await domain.store.record_job(RETITLE_JOB, {"posts": [post.id, *listed]})
    async with domain.store.session() as s:  # due at once, as the migration writes it
        await s.execute(update(m.JobRun).where(m.JobRun.name == RETITLE_JOB).values(last_run_at=datetime(1970, 1, 1)))
    return post


def updates_of(domain, ts: str) -> list[out.ChannelPost]:
    return [s.value for s in domain.gateway.sent if s.kind == "update" and s.where == CONSULT and s.ts == ts]


async def test_the_worker_shows_a_renumbered_post_with_its_new_number(domain):
    post = await renumbered(domain, 7, 999)  # 999: a post that is not there any more
    await Worker(domain.services).tick()
    [shown] = updates_of(domain, post.message_ts)
    assert shown.number == 7 and shown.content.question  # the post itself, with its new number
    assert (await domain.store.job(RETITLE_JOB)).detail == {"posts": []}
    await Worker(domain.services).tick()
    assert len(updates_of(domain, post.message_ts)) == 1, "once"


async def test_a_post_slack_could_not_update_waits_for_the_next_run(domain):
    post = await renumbered(domain, 7)
    domain.gateway.fail_next("update", Unavailable("ratelimited"))
    assert await domain.services.posting.retitle_renumbered() == 0
    assert (await domain.store.job(RETITLE_JOB)).detail == {"posts": [post.id]}
    assert await domain.services.posting.retitle_renumbered() == 1
    assert [u.number for u in updates_of(domain, post.message_ts)] == [7]
