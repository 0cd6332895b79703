"""De-identification off the event loop.

The engine is pure CPU work (tens of milliseconds for a long dilemma, more for a
pasted note); run on the event loop it would hold every other request's ack
behind it. A small pool of its own keeps it from taking the default executor's
threads, and bounds how many run at once. The engine is safe to share between
threads (lexicons are read-only after loading).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

WORKERS = 2
_POOL: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="deid")
    return _POOL


async def off_loop(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` in the de-identification pool, awaited."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_pool(), functools.partial(fn, *args, **kwargs))
