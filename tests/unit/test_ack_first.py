"""bot.ack_first: a listener's heavy part waits until the requests received before it have their acks."""

from __future__ import annotations

import asyncio

from bot.ack_first import AckGate


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


async def test_the_front_door_counts_a_request_until_its_ack(monkeypatch):
    """Through the runner: the request's Pending is released by its ack, before the listener ends."""
    from bot import ack_first, bolt_runner
    from tests.unit.test_bolt_runner import bare_app, command_request

    gate = AckGate()
    monkeypatch.setattr(ack_first, "GATE", gate)
    app = bare_app()
    seen: list[int] = []

    @app.command("/boundary")
    async def boundary(ack):
        await ack()
        seen.append(gate.pending)

    request = command_request("hi")
    request.context[ack_first.CONTEXT_KEY] = gate.received()
    response = await app.async_dispatch(request)
    assert response.status == 200
    for _ in range(5):
        await asyncio.sleep(0)
    assert seen == [0]
    assert isinstance(app.listener_runner, bolt_runner.PromptAckRunner)
