"""bot.ack_first: a listener's heavy part waits until the requests received before it have their acks."""

from __future__ import annotations

import asyncio

from bot.ack_first import AckGate
from tests.conftest import PRACTITIONER


async def test_quiet_returns_at_once_when_nothing_awaits_an_ack():
    await AckGate().quiet()


async def test_quiet_waits_for_every_pending_ack():
    gate = AckGate()
    first, second = gate.received(), gate.received()
    waiting = asyncio.ensure_future(gate.quiet(max_wait=60))
    for _ in range(5):
        await asyncio.sleep(0)
    assert not waiting.done()
    first.release()
    first.release()  # released twice (its ack, then the end of its handler): counted once
    for _ in range(5):
        await asyncio.sleep(0)
    assert not waiting.done() and gate.pending == 1
    second.release()
    await waiting
    assert gate.pending == 0


async def test_the_front_door_counts_each_request_until_it_is_answered(bot):
    """Over signed HTTP (the tests' app answers only after its listeners, as
    process_before_response does): the listener releases its own request at its ack, so it
    does not wait for itself, and once Slack has its answer nothing is left pending."""
    from bot import ack_first

    before = ack_first.GATE.pending
    delivery = await bot.command(PRACTITIONER, "client gave me a gift")
    assert delivery.status == 200
    assert bot.slack.calls_to("response_url")  # the answer came
    assert ack_first.GATE.pending == before
