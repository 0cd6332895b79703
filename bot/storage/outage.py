"""Telling a database that cannot be reached from everything else that can go wrong."""

from __future__ import annotations

import asyncio

from aiohttp import ClientError
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

HEALTH_TIMEOUT = 3.0


# PostgreSQL SQLSTATE classes: connection exception, insufficient resources, operator
# intervention (a terminated backend, a shutdown); 55000: "not accepting connections".
_DOWN_STATES = ("08", "53", "57")


def is_database_down(exc: BaseException) -> bool:
    """The database did not answer: the same statement may work once it is back.

    SQLAlchemy wraps the driver's errors (OperationalError, InterfaceError, a pool
    timeout); a refused or lost connection can also surface as the driver's own
    exception or a bare OSError (asyncpg while connecting). Constraint violations
    and other programming errors are not outages."""
    if isinstance(exc, (OperationalError, InterfaceError, PoolTimeout)):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    seen: list[BaseException] = []
    e: BaseException | None = exc
    while e is not None and len(seen) < 5:
        seen.append(e)
        e = getattr(e, "orig", None) or e.__cause__
    for e in seen:
        state = getattr(e, "sqlstate", None) or getattr(e, "pgcode", None)
        if isinstance(state, str) and (state[:2] in _DOWN_STATES or state == "55000"):
            return True
        name = type(e).__name__
        if type(e).__module__.startswith("asyncpg") and ("Connection" in name or name == "InterfaceError"):
            return True
    # A bare OSError is the database only when it is not an HTTP client's (Slack's) error:
    # aiohttp's connection errors are OSErrors too, and a Slack outage is not a database one.
    if any(isinstance(e, ClientError) for e in seen):
        return False
    return isinstance(exc, (OSError, TimeoutError)) and not isinstance(exc, FileNotFoundError)


async def database_problem(store) -> str | None:
    """None when a trivial statement succeeds within a few seconds, else why not
    (the exception's type: its message may name hosts or paths)."""
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT):
            async with store.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    except TimeoutError:
        return "timeout"
    except Exception as exc:  # whatever stops the database answering is a reason
        return type(exc).__name__
    return None
