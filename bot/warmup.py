"""The engines load just after the port opens, not before.

De-identification's lexicons and the risk cues and model take a few hundred
milliseconds of CPU to load. `python -m bot` opens its port (so /healthz answers and
requests are acknowledged) and loads them meanwhile in a thread; then everything
loaded so far is moved out of the garbage collector's way (`gc.freeze()`: its full
passes would otherwise walk these tables). Work that needs an engine in that short
window waits for the load instead of loading a second copy.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
from typing import Any

_lock = threading.RLock()
_loaded = threading.Event()


def load_engines() -> None:
    """Loads the lexicons and the risk cues and model, once (other callers wait)."""
    if _loaded.is_set():
        return
    with _lock:
        if _loaded.is_set():
            return
        from bot.deid import get_engine
        from bot.risk import assess

        get_engine()
        assess("warm up")
        _loaded.set()


def deid_engine() -> Any:
    """The de-identification engine (loaded here if the warm-up has not yet)."""
    from bot.deid import get_engine

    if not _loaded.is_set():
        load_engines()
    return get_engine()


async def engines_ready() -> None:
    """For work after an ack: returns once the engines are loaded (waiting in a thread)."""
    if not _loaded.is_set():
        await asyncio.get_running_loop().run_in_executor(None, load_engines)


async def warm_up(matcher: Any) -> None:
    """Loads the engines off the event loop, then freezes what is loaded."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)  # the loading thread hands the event loop the GIL sooner meanwhile
    try:
        await engines_ready()
    finally:
        sys.setswitchinterval(interval)
    matcher.answer("warm up")
    gc.collect()
    gc.freeze()
