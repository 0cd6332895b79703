"""The Slack stand-in's Web API, driven by the real slack_sdk AsyncWebClient."""

from __future__ import annotations

import time

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler, AsyncServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox.web_api import SlackStandIn

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}


def no_ids(blocks):
    """Stored blocks minus the block_id Slack generates for blocks that had none."""
    assert all(b.get("block_id") for b in blocks)
    return [{k: v for k, v in b.items() if k != "block_id"} for b in blocks]


async def test_auth_test_and_scopes_header(slack, client):
    resp = await client.auth_test()
    assert resp["ok"] and resp["user_id"] == "U0BOT" and resp["team_id"] == "T0SANDBOX"
    assert resp["bot_id"] == "B0BOT" and resp["url"].startswith("https://")
    assert "chat:write" in resp.headers["x-oauth-scopes"]
    assert [c.method for c in slack.calls] == ["auth.test"]


async def test_bad_or_missing_token_is_invalid_auth(slack):
    bad = AsyncWebClient(token="xoxp-user", base_url=slack.api_url)
    with pytest.raises(SlackApiError) as err:
        await bad.auth_test()
    assert err.value.response["error"] == "invalid_auth"
    none = AsyncWebClient(base_url=slack.api_url)
    with pytest.raises(SlackApiError) as err:
        await none.chat_postMessage(channel="C0CONSULT", text="x")
    assert err.value.response["error"] == "invalid_auth"
    assert slack.messages("C0CONSULT") == []


async def test_valid_tokens_restricts(slack):
    slack.valid_tokens = {"xoxb-right"}
    with pytest.raises(SlackApiError):
        await AsyncWebClient(token="xoxb-wrong", base_url=slack.api_url).auth_test()
    assert (await AsyncWebClient(token="xoxb-right", base_url=slack.api_url).auth_test())["ok"]


async def test_post_message_thread_and_state(slack, client):
    a = await client.chat_postMessage(channel="C0CONSULT", text="first", blocks=[SECTION])
    b = await client.chat_postMessage(channel="C0CONSULT", text="second")
    assert a["channel"] == "C0CONSULT" and a["message"]["text"] == "first"
    assert float(b["ts"]) > float(a["ts"]) and len(a["ts"].split(".")[1]) == 6
    r = await client.chat_postMessage(channel="C0CONSULT", text="reply", thread_ts=a["ts"])
    assert r["message"]["thread_ts"] == a["ts"]
    top = slack.messages("C0CONSULT")
    assert [m["text"] for m in top] == ["first", "second"]
    assert top[0]["reply_count"] == 1 and top[0]["latest_reply"] == r["ts"] and top[0]["bot_id"] == "B0BOT"
    assert no_ids(top[0]["blocks"]) == [SECTION]
    assert [m["text"] for m in slack.replies("C0CONSULT", a["ts"])] == ["first", "reply"]
    call = slack.calls_to("chat.postMessage")[0]
    assert call.args["channel"] == "C0CONSULT" and call.args["blocks"] == [SECTION]
    # a reply to a reply goes to the same thread
    await client.chat_postMessage(channel="C0CONSULT", text="reply 2", thread_ts=r["ts"])
    assert [m["text"] for m in slack.replies("C0CONSULT", a["ts"])] == ["first", "reply", "reply 2"]


@pytest.mark.filterwarnings("ignore:The top-level `text`")
async def test_post_message_errors(slack, client):
    for channel, error in [("C0NOPE", "channel_not_found"), ("G0PRIVATE", "not_in_channel")]:
        with pytest.raises(SlackApiError) as err:
            await client.chat_postMessage(channel=channel, text="x")
        assert err.value.response["error"] == error
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C0CONSULT", text="x", blocks=[SECTION] * 51)
    assert err.value.response["error"] == "invalid_blocks"
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(
            channel="C0CONSULT", text="x", blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
        )
    assert err.value.response["error"] == "invalid_blocks"
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C0CONSULT", text="")
    assert err.value.response["error"] == "no_text"
    # a public channel the bot has not joined: not_in_channel (the manifest has no chat:write.public) …
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C0GENERAL", text="hi")
    assert err.value.response["error"] == "not_in_channel"
    # … which would let it post there
    slack.scopes.append("chat:write.public")
    assert (await client.chat_postMessage(channel="C0GENERAL", text="hi"))["ok"]


async def test_dm_by_user_id_and_conversations_open(slack, client):
    opened = await client.conversations_open(users="U0PRACT")
    assert opened["channel"]["id"] == slack.dm_channel("U0PRACT") == "DU0PRACT"
    sent = await client.chat_postMessage(channel="U0PRACT", text="hello in DM")
    assert sent["channel"] == "DU0PRACT"
    assert [m["text"] for m in slack.messages("DU0PRACT")] == ["hello in DM"]
    with pytest.raises(SlackApiError) as err:  # reading a DM's details takes im:read, which the manifest lacks
        await client.conversations_info(channel="DU0PRACT")
    assert err.value.response["error"] == "missing_scope" and err.value.response["needed"] == "im:read"
    slack.scopes.append("im:read")
    info = await client.conversations_info(channel="DU0PRACT")
    assert info["channel"]["is_im"] and info["channel"]["user"] == "U0PRACT"
    with pytest.raises(SlackApiError) as err:
        await client.conversations_open(users="U0NOBODY")
    assert err.value.response["error"] == "user_not_found"
    assert slack.calls_to("conversations.open")[0].args == {"users": "U0PRACT"}


async def test_ephemeral(slack, client):
    r = await client.chat_postEphemeral(channel="C0CONSULT", user="U0COLL1", text="just you", blocks=[SECTION])
    assert r["message_ts"]
    eph = slack.ephemerals("U0COLL1")
    assert len(eph) == 1 and eph[0]["text"] == "just you" and eph[0]["channel"] == "C0CONSULT"
    assert slack.ephemerals("U0COLL2") == [] and slack.messages("C0CONSULT") == []


async def test_update_delete_permalink(slack, client):
    a = await client.chat_postMessage(channel="C0CONSULT", text="v1", blocks=[SECTION])
    up = await client.chat_update(channel="C0CONSULT", ts=a["ts"], text="v2", blocks=[{"type": "divider"}])
    assert up["text"] == "v2"
    msg = slack.messages("C0CONSULT")[0]
    assert msg["text"] == "v2" and no_ids(msg["blocks"]) == [{"type": "divider"}] and "edited" in msg
    link = await client.chat_getPermalink(channel="C0CONSULT", message_ts=a["ts"])
    assert link["permalink"].endswith(f"/archives/C0CONSULT/p{a['ts'].replace('.', '')}")
    reply = await client.chat_postMessage(channel="C0CONSULT", text="r", thread_ts=a["ts"])
    rlink = await client.chat_getPermalink(channel="C0CONSULT", message_ts=reply["ts"])
    assert f"thread_ts={a['ts']}" in rlink["permalink"]
    # deleting a parent with replies leaves a tombstone, then the reply, then it's all gone
    await client.chat_delete(channel="C0CONSULT", ts=a["ts"])
    assert slack.messages("C0CONSULT")[0]["subtype"] == "tombstone"
    await client.chat_delete(channel="C0CONSULT", ts=reply["ts"])
    assert slack.messages("C0CONSULT") == []
    for call in (
        client.chat_delete(channel="C0CONSULT", ts=a["ts"]),
        client.chat_update(channel="C0CONSULT", ts="1.000001", text="x"),
    ):
        with pytest.raises(SlackApiError) as err:
            await call
        assert err.value.response["error"] == "message_not_found"


async def test_cannot_edit_or_delete_a_persons_message(slack, client):
    msg, _ = await slack.send_user_message("U0COLL1", "C0CONSULT", "mine")
    for call in (
        client.chat_update(channel="C0CONSULT", ts=msg["ts"], text="x"),
        client.chat_delete(channel="C0CONSULT", ts=msg["ts"]),
    ):
        with pytest.raises(SlackApiError) as err:
            await call
        assert err.value.response["error"] in ("cant_update_message", "cant_delete_message")


async def test_conversations_info_join(slack, client):
    info = (await client.conversations_info(channel="G0REVIEW"))["channel"]
    assert info["is_private"] and info["is_member"] and info["name"] == "consult-review"
    general = (await client.conversations_info(channel="C0GENERAL"))["channel"]
    assert not general["is_private"] and not general["is_member"]
    joined = await client.conversations_join(channel="C0GENERAL")
    assert joined["channel"]["is_member"]
    with pytest.raises(SlackApiError) as err:
        await client.conversations_join(channel="G0PRIVATE")
    assert err.value.response["error"] in ("method_not_supported_for_channel_type", "channel_not_found")
    with pytest.raises(SlackApiError) as err:
        await client.conversations_join(channel="G0REVIEW")
    assert err.value.response["error"] == "method_not_supported_for_channel_type"
    with pytest.raises(SlackApiError) as err:
        await client.conversations_info(channel="C0MISSING")
    assert err.value.response["error"] == "channel_not_found"


async def test_history_replies_metadata_and_paging(slack, client):
    meta = {"event_type": "dilemma_posted", "event_payload": {"number": 7}}
    a = await client.chat_postMessage(channel="C0CONSULT", text="post", metadata=meta)
    for i in range(3):
        await client.chat_postMessage(channel="C0CONSULT", text=f"reply {i}", thread_ts=a["ts"])
    await slack.send_user_message("U0COLL1", "C0CONSULT", "person reply", thread_ts=a["ts"])
    b = await client.chat_postMessage(channel="C0CONSULT", text="later")
    hist = await client.conversations_history(channel="C0CONSULT", include_all_metadata=True)
    assert [m["text"] for m in hist["messages"]] == ["later", "post"]  # newest first, no replies
    assert hist["messages"][1]["metadata"] == meta and hist["messages"][1]["reply_count"] == 4
    page1 = await client.conversations_history(channel="C0CONSULT", limit=1)
    assert page1["has_more"] and page1["messages"][0]["ts"] == b["ts"]
    page2 = await client.conversations_history(
        channel="C0CONSULT", limit=1, cursor=page1["response_metadata"]["next_cursor"]
    )
    assert page2["messages"][0]["ts"] == a["ts"] and not page2["has_more"]
    reps = await client.conversations_replies(channel="C0CONSULT", ts=a["ts"])
    assert [m["text"] for m in reps["messages"]] == ["post", "reply 0", "reply 1", "reply 2", "person reply"]
    assert reps["messages"][4]["user"] == "U0COLL1"
    with pytest.raises(SlackApiError) as err:
        await client.conversations_replies(channel="C0CONSULT", ts="1.000001")
    assert err.value.response["error"] == "thread_not_found"
    with pytest.raises(SlackApiError) as err:
        await client.conversations_history(channel="C0GENERAL")
    assert err.value.response["error"] == "not_in_channel"


VIEW = {
    "type": "modal",
    "callback_id": "cb",
    "private_metadata": "pm",
    "title": {"type": "plain_text", "text": "A form"},
    "submit": {"type": "plain_text", "text": "Send"},
    "blocks": [
        {
            "type": "input",
            "block_id": "b1",
            "label": {"type": "plain_text", "text": "Text"},
            "element": {"type": "plain_text_input", "action_id": "a1"},
        }
    ],
}


async def test_views_open_push_update_publish(slack, client):
    opened = await client.views_open(trigger_id=slack.issue_trigger("U0PRACT"), view=VIEW)
    vid = opened["view"]["id"]
    assert vid.startswith("V") and opened["view"]["callback_id"] == "cb" and opened["view"]["state"] == {"values": {}}
    assert [v["id"] for v in slack.views("U0PRACT")] == [vid]
    pushed = await client.views_push(trigger_id=slack.issue_trigger("U0PRACT"), view={**VIEW, "callback_id": "second"})
    assert pushed["view"]["root_view_id"] == vid and pushed["view"]["previous_view_id"] == vid
    assert len(slack.views("U0PRACT")) == 2
    updated = await client.views_update(
        view_id=vid, view={**VIEW, "title": {"type": "plain_text", "text": "Changed"}}, hash=opened["view"]["hash"]
    )
    assert updated["view"]["id"] == vid and slack.views("U0PRACT")[0]["title"]["text"] == "Changed"
    with pytest.raises(SlackApiError) as err:
        await client.views_update(view_id=vid, view=VIEW, hash=opened["view"]["hash"])
    assert err.value.response["error"] == "hash_conflict"
    with pytest.raises(SlackApiError) as err:
        await client.views_update(view_id="V0NOPE", view=VIEW)
    assert err.value.response["error"] == "not_found"
    with pytest.raises(SlackApiError) as err:
        await client.views_open(
            trigger_id=slack.issue_trigger("U0PRACT"), view={**VIEW, "title": {"type": "plain_text", "text": "x" * 25}}
        )
    assert err.value.response["error"] == "invalid_arguments"
    with pytest.raises(SlackApiError) as err:
        await client.views_open(
            trigger_id=slack.issue_trigger("U0PRACT"), view={k: v for k, v in VIEW.items() if k != "submit"}
        )
    assert err.value.response["error"] == "invalid_arguments"
    home = {"type": "home", "blocks": [SECTION]}
    pub = await client.views_publish(user_id="U0COLL2", view=home)
    assert no_ids(slack.home("U0COLL2")["blocks"]) == [SECTION] and slack.home("U0PRACT") is None
    again = await client.views_publish(user_id="U0COLL2", view=home)
    assert again["view"]["id"] == pub["view"]["id"]
    assert slack.calls_to("views.open")[0].args["view"]["callback_id"] == "cb"


async def test_users_info(slack, client):
    mod = (await client.users_info(user="U0MOD"))["user"]
    assert mod["is_admin"] and not mod["is_owner"]
    assert not (await client.users_info(user="U0PRACT"))["user"]["is_admin"]
    assert (await client.users_info(user="U0BOT"))["user"]["is_bot"]
    with pytest.raises(SlackApiError) as err:
        await client.users_info(user="U0GHOST")
    assert err.value.response["error"] == "user_not_found"


async def test_custom_users_and_channels():
    s = SlackStandIn(
        users=[{"id": "UOWNER", "name": "o", "is_owner": True}],
        channels=[{"id": "CX", "name": "x"}],
    )
    await s.start()
    try:
        c = AsyncWebClient(token="xoxb-t", base_url=s.api_url)
        assert (await c.users_info(user="UOWNER"))["user"]["is_owner"]
        assert (await c.conversations_info(channel="CX"))["channel"]["name"] == "x"
    finally:
        await s.stop()


async def test_unknown_method_is_ok_and_recorded(slack, client):
    resp = await client.api_call("reactions.add", params={"channel": "C0CONSULT", "name": "eyes", "timestamp": "1.0"})
    assert resp["ok"]
    assert slack.calls_to("reactions.add")[0].args == {"channel": "C0CONSULT", "name": "eyes", "timestamp": "1.0"}


async def test_form_encoded_json_strings_are_decoded(slack):
    async with aiohttp.ClientSession() as http:
        async with http.post(
            slack.api_url + "chat.postMessage",
            data={
                "channel": "C0CONSULT",
                "text": "t",
                "blocks": '[{"type":"divider"}]',
                "metadata": '{"event_type":"x","event_payload":{}}',
            },
            headers={"Authorization": "Bearer xoxb-form"},
        ) as resp:
            body = await resp.json()
        async with http.get(
            slack.api_url + "conversations.info?channel=C0CONSULT", headers={"Authorization": "Bearer xoxb-form"}
        ) as resp:
            info = await resp.json()
    assert body["ok"], body
    call = slack.calls_to("chat.postMessage")[0]
    assert (
        call.args["blocks"] == [{"type": "divider"}]
        and call.args["metadata"]["event_type"] == "x"
        and call.token == "xoxb-form"
    )
    assert info["ok"] and info["channel"]["name"] == "peer-consult"


async def test_rate_limit_then_success_with_retry_handler(slack):
    handler = AsyncRateLimitErrorRetryHandler(max_retry_count=2)
    client = AsyncWebClient(token="xoxb-t", base_url=slack.api_url, retry_handlers=[handler])
    slack.fail_next("chat.postMessage", 429, retry_after=0)
    t0 = time.monotonic()
    resp = await client.chat_postMessage(channel="C0CONSULT", text="eventually")
    assert resp["ok"] and time.monotonic() - t0 < 5
    calls = slack.calls_to("chat.postMessage")
    assert [c.status for c in calls] == [429, 200] and not calls[0].ok and calls[1].ok
    assert [m["text"] for m in slack.messages("C0CONSULT")] == ["eventually"]


async def test_rate_limit_without_handler_raises_with_retry_after(slack, client):
    slack.fail_next("chat.postMessage", 429, retry_after=7)
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C0CONSULT", text="x")
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "7"
    assert (await client.chat_postMessage(channel="C0CONSULT", text="x"))["ok"]


async def test_server_errors_and_slack_errors(slack):
    client = AsyncWebClient(
        token="xoxb-t",
        base_url=slack.api_url,
        retry_handlers=[
            AsyncServerErrorRetryHandler(max_retry_count=2, interval_calculator=FixedValueRetryIntervalCalculator(0.01))
        ],
    )
    slack.fail_next("chat.postMessage", 500, 503)
    assert (await client.chat_postMessage(channel="C0CONSULT", text="x"))["ok"]
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [500, 503, 200]
    slack.fail_next("views.publish", "team_not_found")
    with pytest.raises(SlackApiError) as err:
        await client.views_publish(user_id="U0PRACT", view={"type": "home", "blocks": [SECTION]})
    assert err.value.response["error"] == "team_not_found"


async def test_wait_for(slack, client):
    import asyncio

    async def later():
        await asyncio.sleep(0.1)
        await client.chat_postMessage(channel="C0CONSULT", text="a")
        await client.chat_postMessage(channel="C0CONSULT", text="b")

    task = asyncio.create_task(later())
    calls = await slack.wait_for("chat.postMessage", count=2, timeout=3)
    assert [c.args["text"] for c in calls] == ["a", "b"]
    await task
    found = await slack.wait_for("chat.postMessage", where=lambda c: c.args["text"] == "b")
    assert len(found) == 1
    with pytest.raises(AssertionError) as err:
        await slack.wait_for("views.open", timeout=0.1)
    assert "chat.postMessage" in str(err.value) and "views.open" in str(err.value)


async def test_response_url_ephemeral_replace_delete_in_channel(slack, client):
    async with aiohttp.ClientSession() as http:
        url = slack.response_url("k1", user="U0PRACT", channel="C0CONSULT")
        async with http.post(url, json={"text": "only you", "blocks": [SECTION]}) as resp:
            assert resp.status == 200
        eph = slack.ephemerals("U0PRACT")
        assert [e["text"] for e in eph] == ["only you"] and no_ids(eph[0]["blocks"]) == [SECTION]
        src = {"channel": "C0CONSULT", "ts": eph[0]["ts"], "ephemeral": True}
        url2 = slack.response_url("k2", user="U0PRACT", channel="C0CONSULT", source=src)
        async with http.post(url2, json={"replace_original": True, "text": "replaced"}) as resp:
            assert resp.status == 200
        assert [e["text"] for e in slack.ephemerals("U0PRACT")] == ["replaced"]
        async with http.post(url2, json={"delete_original": True}) as resp:
            assert resp.status == 200
        assert slack.ephemerals("U0PRACT") == []
        posted = await client.chat_postMessage(channel="C0CONSULT", text="orig")
        url3 = slack.response_url(
            "k3", user="U0PRACT", channel="C0CONSULT", source={"channel": "C0CONSULT", "ts": posted["ts"]}
        )
        async with http.post(url3, json={"replace_original": "true", "text": "edited"}) as resp:
            assert resp.status == 200
        assert slack.messages("C0CONSULT")[0]["text"] == "edited"
        async with http.post(url3, json={"response_type": "in_channel", "text": "for all"}) as resp:
            assert resp.status == 200
        assert [m["text"] for m in slack.messages("C0CONSULT")] == ["edited", "for all"]
        async with http.post(slack.base_url + "response_url/unknown", json={"text": "x"}) as resp:
            assert resp.status == 404
    assert [c.args["key"] for c in slack.calls_to("response_url")] == ["k1", "k2", "k2", "k3", "k3", "unknown"]
    assert slack.calls_to("response_url")[0].args["text"] == "only you"


async def test_reset_clears_state(slack, client):
    await client.chat_postMessage(channel="C0CONSULT", text="x")
    slack.reset()
    assert slack.messages("C0CONSULT") == [] and slack.calls == []


def test_commands_that_should_escape_are_read_from_the_manifest():
    from bot.sandbox.web_api import escaped_commands

    assert escaped_commands() == {"/boundary", "/boundary-admin"}


def test_typed_channels_and_people_are_escaped_as_slack_does(slack):
    esc = slack.escape_mentions
    assert esc("U0PRACT", "channel add #general") == "channel add <#C0GENERAL|general>"
    assert esc("U0PRACT", "moderators add @Alex") == "moderators add <@U0COLL2|alex>"
    assert esc("U0PRACT", "#Peer-Consult, @sam.") == "<#C0CONSULT|peer-consult>, <@U0COLL1|sam>."
    assert esc("U0PRACT", "@here @channel") == "<!here> <!channel>"
    # Already escaped, unknown, or not a mention: left as typed.
    for kept in ("<#C0CONSULT|peer-consult>", "<@U0COLL1>", "@nobody #nowhere", "a@b.com", "Dilemma #17", "x#general"):
        assert esc("U0PRACT", kept) == kept
    # A private channel is a mention only for its members (as in Slack's autocomplete).
    assert esc("U0PRACT", "#consult-review") == "#consult-review"
    assert esc("U0MOD", "#consult-review") == "<#G0REVIEW|consult-review>"
    offered = slack.mention_candidates("U0PRACT")
    assert {c["name"] for c in offered["channels"]} == {"general", "peer-consult"}
    assert {"U0PRACT", "U0COLL1", "U0COLL2", "U0MOD"} <= {u["id"] for u in offered["users"]}


async def test_only_commands_marked_should_escape_are_escaped():
    plain = SlackStandIn(escape_commands=set())
    assert plain.escape_commands == set()
    assert SlackStandIn().escape_commands == {"/boundary", "/boundary-admin"}
