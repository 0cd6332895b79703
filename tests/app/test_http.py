"""The HTTP front door: signatures, malformed bodies, retries, health, unhandled events."""

import json
import time
from urllib.parse import urlencode

from aiohttp import ClientSession

from bot.sandbox.signing import event_body, signed_headers, slash_command_body
from tests.conftest import GENERAL, PRACTITIONER, SECRET, TEAM


async def post(
    bot, body: str, content_type="application/x-www-form-urlencoded", secret=SECRET, timestamp=None, **extra
):
    headers = signed_headers(body, secret, content_type=content_type, timestamp=timestamp)
    headers.update(extra)
    async with ClientSession() as s:
        async with s.post(bot.server.make_url("/slack/events"), data=body.encode(), headers=headers) as r:
            return r.status, await r.text()


def command(text="help", response_url="http://127.0.0.1:1/none"):
    return slash_command_body(
        command="/boundary",
        text=text,
        user_id=PRACTITIONER,
        team_id=TEAM,
        channel_id=GENERAL,
        response_url=response_url,
    )


async def test_bad_signature_is_401(bot):
    status, _ = await post(bot, command(), secret="wrong")
    assert status == 401


async def test_stale_timestamp_is_401(bot):
    status, _ = await post(bot, command(), timestamp=int(time.time()) - 600)
    assert status == 401


async def test_malformed_payload_json_is_400_not_500(bot, caplog):
    status, text = await post(bot, "payload=" + "%7Bnot-json")
    assert status == 400
    assert "malformed" in text
    assert any(getattr(r, "fields", {}).get("status") == 400 for r in caplog.records)


async def test_missing_fields_are_400(bot):
    for body in [
        "payload=" + json.dumps({"type": "block_actions"}),  # no user, no actions
        "payload=" + json.dumps({"type": "view_submission", "user": {"id": "U1"}}),  # no view
        urlencode({"command": "/boundary", "text": "x"}),  # no user_id / team_id
        urlencode({"foo": "bar"}),
    ]:
        status, _ = await post(bot, body)
        assert status == 400, body
    status, _ = await post(bot, "{nope", content_type="application/json")
    assert status == 400
    status, _ = await post(bot, json.dumps({"type": "event_callback", "event": "x"}), content_type="application/json")
    assert status == 400


async def test_unhandled_event_is_acknowledged(bot):
    body = event_body(team_id=TEAM, event={"type": "reaction_added", "user": "U1", "reaction": "+1"})
    status, _ = await post(bot, body, content_type="application/json")
    assert status == 200
    unknown_action = "payload=" + json.dumps(
        {
            "type": "block_actions",
            "user": {"id": PRACTITIONER, "team_id": TEAM},
            "team": {"id": TEAM},
            "actions": [{"action_id": "something_old", "value": "1", "type": "button"}],
            "trigger_id": "t",
            "response_url": "http://127.0.0.1:1/x",
        }
    )
    status, _ = await post(bot, unknown_action)
    assert status == 200


async def test_url_verification_and_healthz(bot):
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"})
    status, text = await post(bot, body, content_type="application/json")
    assert status == 200 and "abc123" in text
    async with ClientSession() as s:
        async with s.get(bot.server.make_url("/healthz")) as r:
            assert r.status == 200 and (await r.json())["ok"] is True


async def test_request_log_line_has_kind_and_latency_but_no_user_or_text(bot, caplog):
    caplog.set_level("INFO")
    status, _ = await post(
        bot, command("my client Rosalind gave me a gift", bot.slack.response_url("log", user=PRACTITIONER))
    )
    assert status == 200
    lines = [r for r in caplog.records if r.getMessage() == "request"]
    assert lines
    fields = lines[-1].fields
    assert fields["kind"] == "command" and fields["name"] == "/boundary" and "latency_ms" in fields
    everything = " ".join(f"{r.getMessage()} {getattr(r, 'fields', '')}" for r in caplog.records)
    assert PRACTITIONER not in everything and "Rosalind" not in everything
