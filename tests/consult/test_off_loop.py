"""De-identification runs off the event loop: while the engine works on one
person's preview, the loop goes on serving everyone else."""

from __future__ import annotations

import asyncio
import threading

from bot import outgoing as out
from bot.deid import get_engine
from tests.conftest import COLLEAGUE, PRACTITIONER
from tests.consult.conftest import WORKSPACE
from tests.consult.test_conversation import SITUATION, last_dm


class HeldEngine:
    """The real engine, held inside its call until the test lets it go. Were it
    called on the event loop, the loop could never let it go: the wait times out."""

    def __init__(self) -> None:
        self.inside = threading.Event()
        self.go = threading.Event()
        self.threads: set[int] = set()

    def redact_many(self, texts, terms=()):
        self.threads.add(threading.get_ident())
        self.inside.set()
        if not self.go.wait(10):
            raise AssertionError("the event loop did not run while the engine worked")
        return get_engine().redact_many(texts, terms=terms)

    def redact(self, text, terms=()):
        return self.redact_many([text], terms=terms)[0]


async def _wait(event: threading.Event) -> None:
    assert await asyncio.get_running_loop().run_in_executor(None, event.wait, 10)


async def test_the_preview_is_composed_off_the_event_loop_and_others_go_on(domain):
    held = HeldEngine()
    c = domain.services.conversation
    c.deid = lambda: held
    await c.start(WORKSPACE, PRACTITIONER)
    for typed in ("former", "2-5 years", "skip", SITUATION, "skip", "ok"):
        await c.on_text(WORKSPACE, PRACTITIONER, "D1", typed)
    preview = asyncio.create_task(c.on_text(WORKSPACE, PRACTITIONER, "D1", "How do I say no kindly?"))
    await _wait(held.inside)
    # someone else's request is served to the end while the preview is being composed
    assert await c.start(WORKSPACE, COLLEAGUE) == "started"
    assert not preview.done()
    held.go.set()
    await preview
    assert isinstance(last_dm(domain), out.PreviewPrompt)
    assert threading.get_ident() not in held.threads


async def test_an_anonymous_reply_is_redacted_off_the_event_loop(domain):
    held = HeldEngine()
    held.go.set()
    d = domain.services.discussion
    d.deid = lambda: held
    redacted = await d._redact(WORKSPACE.id, "Ask Rosalind Okafor first.")
    assert "Rosalind" not in redacted and "Okafor" not in redacted
    assert held.threads and threading.get_ident() not in held.threads
