"""Which errors count as "the database is down" (the user is then asked to try again)."""

import aiohttp
import pytest
from aiohttp.client_reqrep import ConnectionKey

from bot.storage.outage import is_database_down


def slack_unreachable() -> aiohttp.ClientConnectorError:
    key = ConnectionKey("slack.com", 443, True, True, None, None, None)
    return aiohttp.ClientConnectorError(key, OSError(111, "Connection refused"))


@pytest.mark.parametrize(
    "error",
    [slack_unreachable(), aiohttp.ServerDisconnectedError(), aiohttp.ClientOSError(104, "reset")],
)
def test_slacks_connection_errors_are_not_a_database_outage(error):
    assert isinstance(error, OSError) or isinstance(error, aiohttp.ClientError)
    assert not is_database_down(error)


@pytest.mark.parametrize("error", [ConnectionRefusedError(111, "refused"), TimeoutError()])
def test_a_bare_connection_error_still_is(error):
    assert is_database_down(error)
