"""An in-process, stateful stand-in for Slack: its Web API and the requests it sends to an app.

Two uses:

* **tests**: the app's ``AsyncWebClient`` gets ``base_url=<stand-in>/api/``; every call
  is recorded (:attr:`SlackStandIn.calls`) and answered the way Slack answers it,
  including errors (``channel_not_found``, ``not_in_channel``, ``message_not_found``,
  ``invalid_blocks``…) and forced failures (:meth:`SlackStandIn.fail_next`).
* **the local sandbox** (``bot.sandbox.server``): the browser page shows this state
  and people act through :meth:`send_user_message`, :meth:`send_command`,
  :meth:`click` and :meth:`submit_view`, which sign payloads like Slack and POST
  them to the app's real ``/slack/events`` endpoint.

Nothing here knows about the Boundary Consult app itself.

One class, :class:`SlackStandIn`, built from a module per concern, each a layer on
the one before: ``state`` (the workspace and how tests read it), ``transport`` (the
HTTP server, recorded calls, faults on purpose), ``delivery`` (signed requests to the
app), ``chat``, ``files``, ``conversations``, ``views``, ``response_urls``, and ``people`` (the
person simulator). :class:`SlackWorkspaces` (``oauth``) puts several of them behind one
URL, with the OAuth install (``oauth.v2.access``) that gives the app a token in each.
"""

from __future__ import annotations

from bot.sandbox.web_api.people import People
from bot.sandbox.web_api.state import (
    BOT_SCOPES,
    DEFAULT_CHANNELS,
    DEFAULT_USERS,
    MESSAGE_BLOCKS_MAX,
    VIEW_BLOCKS_MAX,
    Call,
    Delivery,
    SlackApiError,
    escaped_commands,
)

__all__ = [
    "BOT_SCOPES",
    "DEFAULT_CHANNELS",
    "DEFAULT_USERS",
    "MESSAGE_BLOCKS_MAX",
    "VIEW_BLOCKS_MAX",
    "Call",
    "Delivery",
    "SlackApiError",
    "SlackStandIn",
    "SlackWorkspaces",
    "escaped_commands",
]


class SlackStandIn(People):
    """The fake Slack: every layer above, one object."""


from bot.sandbox.web_api.oauth import SlackWorkspaces  # noqa: E402 - it makes SlackStandIns
