"""The stand-in sends signed requests to a real Bolt app over HTTP and shows its answers."""

from __future__ import annotations

import json
import time

import aiohttp
import pytest
from slack_sdk.signature import SignatureVerifier

from bot.sandbox import signing
from tests.sandbox.conftest import SECRET


def test_signing_matches_slack_sdk():
    body = signing.slash_command_body(
        command="/demo", text="help", user_id="U1", team_id="T1", channel_id="C1", response_url="http://x/r"
    )
    headers = signing.signed_headers(body, SECRET)
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid(body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
    from urllib.parse import parse_qs

    parsed = {k: v[0] for k, v in parse_qs(body).items()}
    for key in ("token", "team_domain", "channel_name", "user_name", "api_app_id", "trigger_id", "response_url"):
        assert key in parsed
    old = signing.signed_headers(body, SECRET, timestamp=int(time.time()) - 400, retry_num=2)
    assert not verifier.is_valid(body, old["X-Slack-Request-Timestamp"], old["X-Slack-Signature"])
    assert old["X-Slack-Retry-Num"] == "2"
    payload = json.loads(
        parse_qs(signing.block_actions_body(user_id="U1", team_id="T1", action_id="a", value="v"))["payload"][0]
    )
    assert payload["type"] == "block_actions" and payload["actions"][0]["value"] == "v"
    sub = json.loads(
        parse_qs(
            signing.view_submission_body(user_id="U1", team_id="T1", view={"callback_id": "cb"}, values={"b": {}})
        )["payload"][0]
    )
    assert sub["view"]["callback_id"] == "cb" and sub["view"]["id"] and sub["view"]["state"]["values"] == {"b": {}}
    ev = json.loads(signing.event_body(team_id="T1", event={"type": "message"}))
    assert ev["type"] == "event_callback" and ev["event_id"].startswith("Ev") and ev["event_time"]


async def test_bad_signature_is_rejected(slack, tiny):
    body = signing.slash_command_body(
        command="/demo",
        text="help",
        user_id="U0PRACT",
        team_id="T0SANDBOX",
        channel_id="C0CONSULT",
        response_url=slack.response_url("r"),
    )
    async with aiohttp.ClientSession() as http:
        async with http.post(slack.events_url, data=body, headers=signing.signed_headers(body, "wrong-secret")) as resp:
            assert resp.status == 401
        async with http.post(slack.events_url, data=body, headers=signing.signed_headers(body, SECRET)) as resp:
            assert resp.status == 200
            assert "Demo help" in await resp.text()


async def test_command_ack_is_shown_as_ephemeral(slack, tiny):
    d = await slack.send_command("U0PRACT", "C0CONSULT", "/demo", "help")
    assert d.status == 200 and d.kind == "command"
    eph = slack.ephemerals("U0PRACT")
    assert len(eph) == 1 and eph[0]["blocks"][0]["type"] == "header"
    assert slack.messages("C0CONSULT") == [] and slack.ephemerals("U0COLL1") == []
    await slack.send_command("U0PRACT", "C0CONSULT", "/demo", "what about gifts?")
    await slack.wait_for("response_url")
    assert slack.ephemerals("U0PRACT")[-1]["text"] == "You asked: what about gifts?"


async def test_command_failure_shows_slack_error(slack, tiny):
    slack.signing_secret = "not-the-apps-secret"
    d = await slack.send_command("U0PRACT", "C0CONSULT", "/demo", "help")
    assert d.status == 401
    assert "failed with the error" in slack.ephemerals("U0PRACT")[-1]["text"]


async def test_click_buttons_in_ephemeral(slack, tiny):
    await slack.send_command("U0PRACT", "C0CONSULT", "/demo", "")
    eph = slack.ephemerals("U0PRACT")[0]
    d = await slack.click("U0PRACT", eph, "say_hi")
    assert d.status == 200
    assert d.payload["container"]["is_ephemeral"] and "message" not in d.payload
    assert d.payload["actions"][0]["value"] == "hi"
    assert [e["text"] for e in slack.ephemerals("U0PRACT")] == ["Hi there!"]
    await slack.send_command("U0PRACT", "C0CONSULT", "/demo", "")
    second = slack.ephemerals("U0PRACT")[-1]
    await slack.click("U0PRACT", second, "dismiss")
    assert [e["text"] for e in slack.ephemerals("U0PRACT")] == ["Hi there!"]
    with pytest.raises(ValueError):
        await slack.click("U0PRACT", slack.ephemerals("U0PRACT")[0], "no_such_action")


async def test_modal_flow_errors_then_post(slack, tiny):
    await slack.send_command("U0PRACT", "C0CONSULT", "/demo", "help")
    eph = slack.ephemerals("U0PRACT")[0]
    await slack.click("U0PRACT", eph, "open_form")  # the section's accessory
    (view,) = slack.views("U0PRACT")
    assert view["callback_id"] == "demo_form" and view["private_metadata"] == "pm-1"
    # Slack's client refuses an empty required field
    with pytest.raises(ValueError) as err:
        await slack.submit_view("U0PRACT", view["id"], {"situation": {"text": ""}})
    assert set(err.value.errors) == {"situation", "relation"}
    # the app answers response_action=errors
    d = await slack.submit_view(
        "U0PRACT", view["id"], {"situation": {"text": "Mr Smith asked me"}, "relation": {"pick": "former"}}
    )
    assert d.response_json["response_action"] == "errors"
    assert slack.view_errors(view["id"]) == {"situation": "Please remove names."}
    assert len(slack.views("U0PRACT")) == 1
    d = await slack.submit_view(
        "U0PRACT",
        view["id"],
        {
            "situation": {"text": "The client asked me\nto be friends"},
            "relation": {"pick": "former"},
            "principles": {"keys": ["power"]},
            "setting": {"where": "rural"},
        },
    )
    sent = d.payload["view"]["state"]["values"]
    assert sent["relation"]["pick"]["selected_option"]["value"] == "former"
    assert sent["principles"]["keys"]["selected_options"][0]["value"] == "power"
    assert sent["setting"]["where"]["type"] == "radio_buttons"
    assert slack.views("U0PRACT") == []
    (post,) = slack.messages("C0CONSULT")
    assert post["text"].startswith("New dilemma") and "principles: power" in json.dumps(post["blocks"])
    assert [m["text"] for m in slack.messages(slack.dm_channel("U0PRACT"))] == ["Your dilemma was posted."]
    # a colleague clicks a button on the channel post: the app replies in the thread
    d = await slack.click("U0COLL1", post, "thanks")
    assert d.payload["message"]["ts"] == post["ts"] and d.payload["channel"]["id"] == "C0CONSULT"
    assert [m["text"] for m in slack.replies("C0CONSULT", post["ts"])] == [post["text"], "You're welcome"]


async def test_dm_message_event_and_bot_events_are_ignored_by_bolt(slack, tiny):
    msg, delivery = await slack.send_user_message("U0PRACT", "U0PRACT", "hello app")
    assert delivery.status == 200
    event = delivery.payload["event"]
    assert (
        event["channel_type"] == "im"
        and event["user"] == "U0PRACT"
        and event["ts"] == msg["ts"]
        and event["client_msg_id"]
    )
    await slack.drain()
    texts = [m["text"] for m in slack.messages("DU0PRACT")]
    assert texts == ["hello app", "echo: hello app"]  # the app's own message event did not loop
    kinds = [(d.kind, d.payload.get("event", {}).get("user")) for d in slack.deliveries]
    assert ("event", "U0BOT") in kinds  # Slack delivers the bot's own message too; Bolt ignores it
    # a thread reply by a person in a channel arrives with thread_ts and channel_type
    top, _ = await slack.send_user_message("U0COLL1", "C0CONSULT", "top")
    _, d = await slack.send_user_message("U0COLL2", "C0CONSULT", "in thread", thread_ts=top["ts"])
    assert d.payload["event"]["thread_ts"] == top["ts"] and d.payload["event"]["channel_type"] == "channel"
    _, d = await slack.send_user_message("U0COLL2", "G0REVIEW", "private")
    assert d.payload["event"]["channel_type"] == "group"


async def test_event_retry_headers(slack, tiny):
    seen = []

    @tiny.middleware
    async def record(req, resp, next):
        seen.append((req.body.get("event_id"), req.headers.get("x-slack-retry-num")))
        return await next()

    first = await slack.deliver_event(
        {"type": "app_mention", "user": "U0COLL1", "text": "hi", "channel": "C0CONSULT", "ts": "1.1"}, event_id="Ev1"
    )
    again = await slack.deliver_event(
        {"type": "app_mention", "user": "U0COLL1", "text": "hi", "channel": "C0CONSULT", "ts": "1.1"},
        event_id="Ev1",
        retry_num=1,
    )
    assert first.headers.get("X-Slack-Retry-Num") is None and again.headers["X-Slack-Retry-Num"] == "1"
    assert ("Ev1", None) in seen and ("Ev1", ["1"]) in seen


async def test_home_tab(slack, tiny):
    d = await slack.open_home("U0COLL2")
    assert d.status == 200
    assert slack.home("U0COLL2")["blocks"][0]["text"]["text"] == "Welcome home"


async def test_timeout_is_reported(slack):
    from aiohttp import web

    async def slow(_request):
        import asyncio

        await asyncio.sleep(1)
        return web.Response(text="")

    app = web.Application()
    app.router.add_post("/slack/events", slow)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    slack.events_url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/slack/events"
    slack.signing_secret = SECRET
    slack.ack_timeout = 0.2
    try:
        d = await slack.send_command("U0PRACT", "C0CONSULT", "/demo", "x")
        assert d.error == "operation_timeout"
        assert 'failed with the error "operation_timeout"' in slack.ephemerals("U0PRACT")[-1]["text"]
    finally:
        await runner.cleanup()
