"""The HTTP front door: signatures, malformed bodies, retries, health, unhandled events."""

import hashlib
import hmac
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


async def raw_post(bot, body: bytes, headers: dict) -> tuple[int, str]:
    async with ClientSession() as s:
        async with s.post(bot.server.make_url("/slack/events"), data=body, headers=headers) as r:
            return r.status, await r.text()


def rejections(caplog) -> list[dict]:
    return [r.fields for r in caplog.records if r.getMessage() == "rejected"]


async def test_unsigned_and_malformed_headers_are_401_with_a_reason_never_500(bot, caplog):
    body = command().encode()
    now = str(int(time.time()))
    good = signed_headers(command(), SECRET)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    cases = [
        ({**form, "X-Slack-Signature": good["X-Slack-Signature"]}, "unsigned"),  # no timestamp
        ({**form, "X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"}, "bad_signature"),
        ({**form, "X-Slack-Request-Timestamp": "", "X-Slack-Signature": "v0=00"}, "unsigned"),
        ({**form, "X-Slack-Request-Timestamp": "1e9", "X-Slack-Signature": "v0=00"}, "bad_signature"),
        ({**form, "X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=\u00e9\u00e9"}, "bad_signature"),
        ({**form, "X-Slack-Request-Timestamp": now}, "unsigned"),  # no signature
        ({**form, "X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=" + "0" * 64}, "bad_signature"),
        ({**form, "X-Slack-Request-Timestamp": str(int(now) - 301), "X-Slack-Signature": "v0=" + "0" * 64}, "stale"),
    ]
    for headers, kind in cases:
        caplog.clear()
        status, _ = await raw_post(bot, body, headers)
        assert status == 401, headers
        assert [f["kind"] for f in rejections(caplog)] == [kind], headers


async def test_bodies_that_do_not_decode_are_rejected_after_verification(bot, caplog):
    # Unsigned: 401 whatever the bytes are, nothing is decoded first.
    for body, content_type in [
        (b"command=\xff\xfe&text=\xc3", "application/x-www-form-urlencoded"),
        (command().encode(), "application/x-www-form-urlencoded; charset=klingon"),
    ]:
        caplog.clear()
        headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": str(int(time.time()))}
        headers["X-Slack-Signature"] = "v0=" + "0" * 64
        status, _ = await raw_post(bot, body, headers)
        assert status == 401 and [f["kind"] for f in rejections(caplog)] == ["bad_signature"]
    # Signed but not UTF-8, or in a charset Slack never uses: 400 with why.
    ts = int(time.time())
    raw = b"command=%2Fboundary&user_id=U1&team_id=T1&text=\xff\xfe"
    sig = "v0=" + hmac.new(SECRET.encode(), b"v0:%d:" % ts + raw, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": str(ts)}
    caplog.clear()
    status, _ = await raw_post(bot, raw, {**headers, "X-Slack-Signature": sig})
    assert status == 400
    assert rejections(caplog) == [{"kind": "malformed", "status": 400, "reason": "body is not UTF-8"}]
    caplog.clear()
    good = command()
    signed = signed_headers(good, SECRET, content_type="application/x-www-form-urlencoded; charset=klingon")
    status, _ = await raw_post(bot, good.encode(), signed)
    assert status == 400
    assert rejections(caplog) == [{"kind": "malformed", "status": 400, "reason": "unsupported charset"}]


async def test_a_body_over_the_limit_is_413_with_a_log_line(bot, caplog):
    body = "text=" + "a" * (1024 * 1024 + 10)
    for headers in [signed_headers(body, SECRET), {"Content-Type": "application/x-www-form-urlencoded"}]:
        caplog.clear()
        status, _ = await raw_post(bot, body.encode(), headers)
        assert status == 413
        assert [f["kind"] for f in rejections(caplog)] == ["too_large"]


def _payload(p: dict) -> str:
    return "payload=" + json.dumps(p)


async def test_signed_payloads_of_the_wrong_shape_are_400_not_500_or_a_timeout(bot, caplog):
    user = {"id": PRACTITIONER, "team_id": TEAM}
    view = {"id": "V1", "callback_id": "intake_form_submit", "state": {"values": {}}, "private_metadata": ""}
    bodies = [
        _payload({"type": "view_submission", "user": user, "team": {"id": TEAM}, "view": view}),  # no view.type
        _payload({"type": "view_closed", "user": user, "team": {"id": TEAM}, "view": view}),
        _payload(
            {
                "type": "view_submission",
                "user": user,
                "view": {**view, "type": "modal", "state": {"values": {"b": {"a": {"type": "x", "value": 5}}}}},
            }
        ),
        _payload({"type": "view_submission", "user": user, "view": {**view, "type": "modal", "state": []}}),
        _payload({"type": "block_actions", "user": {"id": 7}, "actions": [{"action_id": "x"}]}),
    ]
    for value in [{"x": 1}, ["principle"], 5, True]:
        for action_id in ["principle_more:1", "post_flag", "intake_choice:1", "intake_post"]:
            action = {"type": "button", "action_id": action_id, "block_id": "b", "value": value}
            bodies.append(
                _payload(
                    {
                        "type": "block_actions",
                        "user": user,
                        "team": {"id": TEAM},
                        "actions": [action],
                        "response_url": bot.slack.response_url("x", user=PRACTITIONER),
                    }
                )
            )
    bodies.append(_payload({"type": "block_actions", "user": user, "actions": [{"action_id": ["x"], "value": "1"}]}))
    for body in bodies:
        caplog.clear()
        status, _ = await post(bot, body)
        assert status == 400, body
        lines = rejections(caplog)
        assert len(lines) == 1 and lines[0]["kind"] == "malformed", body
        assert PRACTITIONER not in json.dumps(lines)
