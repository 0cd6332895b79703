"""The responder: answers reach response_url over one session, errors reach the caller."""

import asyncio

import pytest

from bot.blocks.common import Message
from bot.responder import Responder


async def test_answers_are_sent_and_failures_reported(slack):
    responder = Responder(workers=2)
    try:
        urls = [slack.response_url(f"k{i}", user="U0PRACT") for i in range(6)]
        await asyncio.gather(
            *[responder.answer(u, lambda i=i: Message(text=f"answer {i}")) for i, u in enumerate(urls)]
        )
        texts = sorted(c.args["text"] for c in slack.calls_to("response_url"))
        assert texts == [f"answer {i}" for i in range(6)]
        assert all(c.args["response_type"] == "ephemeral" for c in slack.calls_to("response_url"))

        def broken():
            raise RuntimeError("render failed")

        with pytest.raises(RuntimeError):
            await responder.answer(urls[0], broken)
        await responder.answer(urls[0], lambda: Message(text="still working"))
        assert slack.calls_to("response_url")[-1].args["text"] == "still working"
    finally:
        await responder.close()
