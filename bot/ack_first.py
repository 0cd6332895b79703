"""Acknowledgements before answers: work that can wait yields to requests not yet acknowledged.

Slack wants every request acknowledged within 3 s, and a burst of requests shares one event
loop with the work they start (checking a question for risk, matching it, answering it). The
loop runs that work in whatever order it reaches it, so under a burst the last acks waited for
the first answers (benchmarks/ack_latency.py). Here the HTTP front door (bot/http.py) counts the
requests it has received and not yet seen acknowledged, and a listener that has acked
calls `after_acks()` before its heavy part: it resumes once none are left, or after MAX_WAIT
so that a steady stream of requests cannot starve the answers.

One gate per process: there is one front door (the sandbox and the tests may start several
apps; the gate then only orders their work, within MAX_WAIT).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from bot.warmup import engines_ready

MAX_WAIT = 0.5  # seconds; an answer at response_url may come later than its ack, not much later


class AckGate:
    def __init__(self) -> None:
        self.pending = 0
        self._waiters: list[asyncio.Future[None]] = []

    def received(self) -> Pending:
        self.pending += 1
        return Pending(self)

    def _released(self) -> None:
        self.pending -= 1
        if self.pending == 0:
            self._wake_next()

    def _wake_next(self) -> None:
        """Wakes one waiter; it wakes the next once its turn has started (see quiet())."""
        if self.pending:
            return  # a request came in meanwhile: its ack first; its release wakes the waiters
        while self._waiters:
            fut = self._waiters.pop(0)
            # a waiter of an event loop that has since closed (a finished test) has nobody to wake
            if not fut.done() and not fut.get_loop().is_closed():
                fut.set_result(None)
                return

    async def quiet(self, max_wait: float = MAX_WAIT) -> None:
        """Returns once no received request awaits its ack, or after max_wait.

        Waiters resume one per turn of the event loop, not all at once: each one's work up
        to its first await (a risk check is ~2 ms) would otherwise run back to back for the
        whole burst before the loop reads the requests that arrived in the meantime."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max_wait
        while self.pending and (left := deadline - loop.time()) > 0:
            fut = loop.create_future()
            self._waiters.append(fut)
            try:
                await asyncio.wait_for(fut, left)
            except TimeoutError:
                if fut in self._waiters:
                    self._waiters.remove(fut)
                break
        # the next waiter goes at the next turn, after the loop has looked for new requests
        loop.call_soon(self._wake_next)


class Pending:
    """One received request, until it is answered (released once, however often called)."""

    def __init__(self, gate: AckGate) -> None:
        self._gate: AckGate | None = gate

    def release(self) -> None:
        if self._gate is not None:
            gate, self._gate = self._gate, None
            gate._released()


GATE = AckGate()
# Where bot/http.py leaves a request's Pending in Bolt's context (see after_acks).
CONTEXT_KEY = "boundary_pending_ack"


async def after_acks(context: Mapping[str, object]) -> None:
    """For a listener that has acked: let the other pending acks out before the heavy work.

    Its own request counts until Bolt has answered it, just after the ack (measured better than
    dropping it at the ack: benchmarks/_prompt_runner.py). With process_before_response Bolt
    answers only after the listener, so there the listener drops it, or it would wait for itself."""
    runner = context.get("listener_runner")
    pending = context.get(CONTEXT_KEY)
    if isinstance(pending, Pending) and getattr(runner, "process_before_response", False):
        pending.release()
    await GATE.quiet()
    await engines_ready()  # just after start, the risk cues may still be loading
