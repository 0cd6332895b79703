"""The app's listeners match what Bolt's own matchers match: bot/app.py gives Bolt's
built-in matchers the request body directly instead of through kwargs injection."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from slack_bolt.async_app import AsyncApp
from slack_bolt.listener_matcher.async_builtins import AsyncBuiltinListenerMatcher
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.app import _BodyMatcher, create_app
from bot.listeners import register_listeners
from tests.conftest import CONSULT, PRACTITIONER, TEAM
from tests.consult.conftest import make_domain


def form(payload: dict) -> str:
    return urlencode({"payload": json.dumps(payload)})


BODIES = [
    urlencode({"command": "/boundary", "text": "consult", "user_id": PRACTITIONER, "team_id": TEAM}),
    urlencode({"command": "/boundary-admin", "text": "status", "user_id": PRACTITIONER, "team_id": TEAM}),
    json.dumps(
        {
            "type": "event_callback",
            "team_id": TEAM,
            "event": {"type": "message", "channel_type": "im", "user": PRACTITIONER, "text": "3", "channel": "D1"},
        }
    ),
    json.dumps({"type": "event_callback", "team_id": TEAM, "event": {"type": "app_home_opened", "user": PRACTITIONER}}),
    json.dumps({"type": "event_callback", "team_id": TEAM, "event": {"type": "app_uninstalled"}}),
    *(
        form(
            {
                "type": "block_actions",
                "team": {"id": TEAM},
                "user": {"id": PRACTITIONER},
                "actions": [{"action_id": action_id, "block_id": "b", "value": "r|s|c"}],
            }
        )
        for action_id in ("intake_choice:2", "intake_post", "intake_form", "intake_principles_accept", "nobody_listens")
    ),
    *(
        form(
            {"type": "view_submission", "team": {"id": TEAM}, "user": {"id": PRACTITIONER}, "view": {"callback_id": cb}}
        )
        for cb in ("intake_form", "reply_form", "nobody_listens")
    ),
    form({"type": "message_action", "team": {"id": TEAM}, "callback_id": "flag_post", "channel": {"id": CONSULT}}),
]


async def outcomes(listeners, body: str) -> list[object]:
    """Each listener's match for the body, in Bolt's order, on one request (as Bolt tries
    them), up to the first exception (its type's name)."""
    req, resp = AsyncBoltRequest(body=body), BoltResponse(status=404)
    found: list[object] = []
    for listener in listeners:
        try:
            found.append(await listener.async_matches(req=req, resp=resp))
        except Exception as exc:  # noqa: BLE001 - compared, not hidden
            found.append(type(exc).__name__)
            break
    return found


async def test_each_listener_matches_as_with_bolts_own_matchers(tmp_path):
    d = await make_domain(tmp_path)
    try:
        app = create_app(d.services, d.services.client, signing_secret="s3cret")
        plain = AsyncApp(client=d.services.client, signing_secret="s3cret", request_verification_enabled=False)
        register_listeners(plain, d.services)
        fast, bolts = app._async_listeners, plain._async_listeners
        assert len(fast) == len(bolts) > 20
        assert all(isinstance(m, _BodyMatcher) for listener in fast for m in listener.matchers)
        assert all(type(m) is AsyncBuiltinListenerMatcher for listener in bolts for m in listener.matchers)
        matched = raised = 0
        for body in BODIES:
            ours, theirs = await outcomes(fast, body), await outcomes(bolts, body)
            assert ours == theirs, body
            matched += any(x is True for x in ours)
            raised += any(isinstance(x, str) for x in ours)
        assert matched >= 8  # most of these bodies have a listener
        assert raised >= 1  # and a body of the wrong shape raises as in Bolt (bot/http.py: 400)
    finally:
        await d.services.close()


def test_bolts_own_matcher_is_still_the_one_the_fast_matcher_stands_in_for():
    """_BodyMatcher reproduces Bolt's `async_matches` for a matcher whose one argument is
    `body`. A Bolt release that changes that method (or how matchers keep their function
    and argument names) must be read again before the stand-in is trusted: this fails then."""
    import inspect
    import textwrap

    source = textwrap.dedent(inspect.getsource(AsyncBuiltinListenerMatcher.async_matches))
    body = "".join(source.split())  # whitespace aside
    assert body == (
        "asyncdefasync_matches(self,req:AsyncBoltRequest,resp:BoltResponse)->bool:"
        "returnawaitself.func(#type:ignore[misc]"
        "**build_async_required_kwargs(logger=self.logger,required_arg_names=self.arg_names,"
        "request=req,response=resp,this_func=self.func,))"
    ), source
