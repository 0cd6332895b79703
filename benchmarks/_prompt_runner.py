"""An experiment, kept so that it can be measured again: Bolt's listener runner answering
Slack as soon as the listener has acked (``benchmarks/ack_latency.py --prompt``).

With ``process_before_response=False`` (HTTP mode), slack-bolt's ``AsyncioListenerRunner``
starts the listener as a task and then polls ``ack.response`` every 10 ms
(``await asyncio.sleep(0.01)``), so even a listener that acks within a millisecond is
answered up to 10 ms later. Bolt has no option for this and no constructor argument for the
runner, so ``install()`` swaps the one ``AsyncApp`` builds for this subclass, which runs
Bolt's own ``run`` unchanged as a task and returns what it would return as soon as the ack
is given (and releases the request's count in bot/ack_first.py then).

Measured on 2026-12-04 (README, Acknowledgement latency) it made ack p99 *worse* than Bolt's
own runner once bot/ack_first.py was in place (in 11 of 12 comparisons over 6 runs): with it a
request stops counting at its ack, with Bolt's runner only when Bolt answers, ~10 ms later, so
the work after the acks of a burst waits that much longer and the late acks go first. So the
app uses Bolt's runner; this stays here, measured, not in bot/.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.listener.async_listener import AsyncListener
from slack_bolt.listener.asyncio_runner import AsyncioListenerRunner
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot import ack_first


class SignallingAck(AsyncAck):
    """Bolt's ``ack()``, which also resolves a future (and calls ``on_ack``) the first time a
    response is set: by ``ack(...)`` itself or by Bolt's error path (``ack.response = response``)."""

    def __init__(self, on_ack: Callable[[], None] | None = None) -> None:
        self.acked: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._on_ack = on_ack
        self._response: BoltResponse | None = None
        super().__init__()

    @property  # settable, in place of AsyncAck's plain attribute
    def response(self) -> BoltResponse | None:
        return self._response

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        self._response = value
        if value is not None and not self.acked.done():
            self.acked.set_result(None)
            if self._on_ack is not None:
                self._on_ack()


class PromptAckRunner(AsyncioListenerRunner):
    """``AsyncioListenerRunner`` without the 10 ms ack-polling delay (see the module docstring)."""

    # Bolt's own run(), still polling in the background after we have answered; kept so
    # the tasks are not garbage-collected mid-sleep.
    _polling: set[asyncio.Task[Any]]

    @classmethod
    def replacing(cls, runner: AsyncioListenerRunner) -> PromptAckRunner:
        new = cls(
            logger=runner.logger,
            process_before_response=runner.process_before_response,
            listener_error_handler=runner.listener_error_handler,
            listener_start_handler=runner.listener_start_handler,
            listener_completion_handler=runner.listener_completion_handler,
            lazy_listener_runner=runner.lazy_listener_runner,
        )
        new._polling = set()
        return new

    async def run(
        self,
        request: AsyncBoltRequest,
        response: BoltResponse,
        listener_name: str,
        listener: AsyncListener,
        starting_time: float | None = None,
    ) -> BoltResponse | None:
        existing = request.context.get("ack")
        if request.lazy_only or (existing is not None and existing.response):
            return await super().run(request, response, listener_name, listener, starting_time)
        # The front door's count of requests awaiting their ack (bot/ack_first.py) drops at the ack.
        pending = request.context.get(ack_first.CONTEXT_KEY)
        ack = SignallingAck(on_ack=pending.release if isinstance(pending, ack_first.Pending) else None)
        request.context["ack"] = ack  # read by the listener's `ack` argument, built inside run()
        if self.process_before_response:
            # Bolt awaits the listener inline here: there is no polling loop to skip.
            return await super().run(request, response, listener_name, listener, starting_time)
        bolt_run = asyncio.ensure_future(super().run(request, response, listener_name, listener, starting_time))
        either: set[asyncio.Future[Any]] = {bolt_run, ack.acked}
        await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
        if bolt_run.done():
            return bolt_run.result()
        answer = response if response is not None else ack.response
        if answer is None:  # the ack was taken back (Bolt's error path after an ack): let Bolt decide
            return await bolt_run
        self._polling.add(bolt_run)
        bolt_run.add_done_callback(self._polling.discard)
        return answer


def install(app: AsyncApp) -> None:
    """Replace the runner ``AsyncApp.__init__`` built (its handlers, the error handler
    included, are carried over)."""
    app._async_listener_runner = PromptAckRunner.replacing(app._async_listener_runner)
