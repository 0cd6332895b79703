"""The fake Slack refuses what Slack refuses, where an app could get it wrong: trigger
ids, message sizes, metadata, response_url lifetimes, scopes and channel membership."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest
import yaml
from slack_sdk.errors import SlackApiError

from bot.sandbox.web_api import BOT_SCOPES

ROOT = Path(__file__).resolve().parents[2]
SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}
VIEW = {"type": "modal", "title": {"type": "plain_text", "text": "Form"}, "blocks": [SECTION]}


async def refused(call) -> dict:
    with pytest.raises(SlackApiError) as err:
        await call
    return err.value.response.data


async def test_a_trigger_id_opens_one_modal_within_3_seconds(slack, client):
    trigger = slack.issue_trigger("U0PRACT")
    slack.advance(2.9)
    assert (await client.views_open(trigger_id=trigger, view=VIEW))["ok"]
    assert len(slack.views("U0PRACT")) == 1
    # single use, even for views.push
    assert (await refused(client.views_open(trigger_id=trigger, view=VIEW)))["error"] == "exchanged_trigger_id"
    assert (await refused(client.views_push(trigger_id=trigger, view=VIEW)))["error"] == "exchanged_trigger_id"
    late = slack.issue_trigger("U0PRACT")
    slack.advance(3.1)
    assert (await refused(client.views_open(trigger_id=late, view=VIEW)))["error"] == "expired_trigger_id"
    assert (await refused(client.views_open(trigger_id="12345.made.up", view=VIEW)))["error"] == "invalid_trigger_id"
    assert len(slack.views("U0PRACT")) == 1


async def test_a_refused_view_does_not_use_up_the_trigger(slack, client):
    trigger = slack.issue_trigger("U0PRACT")
    bad = {**VIEW, "title": {"type": "plain_text", "text": "x" * 25}}
    assert (await refused(client.views_open(trigger_id=trigger, view=bad)))["error"] == "invalid_arguments"
    assert (await client.views_open(trigger_id=trigger, view=VIEW))["ok"]


async def test_text_over_40000_characters_is_msg_too_long(slack, client):
    assert (await client.chat_postMessage(channel="C0CONSULT", text="x" * 40_000))["ok"]
    too_long = "x" * 40_001
    assert (await refused(client.chat_postMessage(channel="C0CONSULT", text=too_long)))["error"] == "msg_too_long"
    posted = await client.chat_postMessage(channel="C0CONSULT", text="short")
    update = client.chat_update(channel="C0CONSULT", ts=posted["ts"], text=too_long)
    assert (await refused(update))["error"] == "msg_too_long"
    assert slack.messages("C0CONSULT")[-1]["text"] == "short"
    ephemeral = client.chat_postEphemeral(channel="C0CONSULT", user="U0PRACT", text=too_long)
    assert (await refused(ephemeral))["error"] == "msg_too_long"
    async with aiohttp.ClientSession() as http:
        async with http.post(slack.response_url("long", user="U0PRACT"), json={"text": too_long}) as resp:
            assert (await resp.json())["error"] == "msg_too_long"
    assert slack.ephemerals("U0PRACT") == []


async def test_more_than_50_blocks_is_invalid_blocks(slack, client):
    assert (await client.chat_postMessage(channel="C0CONSULT", text="x", blocks=[SECTION] * 50))["ok"]
    many = client.chat_postMessage(channel="C0CONSULT", text="x", blocks=[SECTION] * 51)
    assert (await refused(many))["error"] == "invalid_blocks"
    async with aiohttp.ClientSession() as http:
        url = slack.response_url("many", user="U0PRACT")
        async with http.post(url, json={"text": "x", "blocks": [SECTION] * 51}) as resp:
            assert (await resp.json())["error"] == "invalid_blocks"


async def test_metadata_needs_an_event_type_and_an_event_payload(slack, client):
    for metadata, error in [
        ({"event_payload": {"a": 1}}, "invalid_metadata_format"),
        ({"event_type": "x"}, "invalid_metadata_schema"),
        ({"event_type": "x", "event_payload": "not an object"}, "invalid_metadata_schema"),
    ]:
        post = client.chat_postMessage(channel="C0CONSULT", text="x", metadata=metadata)
        assert (await refused(post))["error"] == error
    assert slack.messages("C0CONSULT") == []
    good = {"event_type": "x", "event_payload": {"a": 1}}
    posted = await client.chat_postMessage(channel="C0CONSULT", text="x", metadata=good)
    assert slack.messages("C0CONSULT")[0]["metadata"] == good
    update = client.chat_update(channel="C0CONSULT", ts=posted["ts"], text="y", metadata={"event_type": "x"})
    assert (await refused(update))["error"] == "invalid_metadata_schema"


async def test_a_response_url_takes_5_posts_within_30_minutes(slack):
    async with aiohttp.ClientSession() as http:
        url = slack.response_url("five", user="U0PRACT")
        for i in range(5):
            async with http.post(url, json={"text": f"answer {i}"}) as resp:
                assert resp.status == 200
        async with http.post(url, json={"text": "sixth"}) as resp:
            assert resp.status == 404 and (await resp.json())["error"] == "used_url"
        old = slack.response_url("old", user="U0PRACT")
        slack.advance(29 * 60)
        async with http.post(old, json={"text": "in time"}) as resp:
            assert resp.status == 200
        slack.advance(60 + 1)
        async with http.post(old, json={"text": "too late"}) as resp:
            assert resp.status == 404 and (await resp.json())["error"] == "expired_url"
    assert [e["text"] for e in slack.ephemerals("U0PRACT")][-1] == "in time"


def test_the_fake_grants_exactly_the_manifests_scopes(slack):
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    assert sorted(BOT_SCOPES) == sorted(manifest["oauth_config"]["scopes"]["bot"])
    assert sorted(slack.scopes) == sorted(BOT_SCOPES)


async def test_a_method_needing_a_missing_scope_is_missing_scope(slack, client):
    slack.scopes.remove("users:read")
    answer = await refused(client.users_info(user="U0PRACT"))
    assert answer["error"] == "missing_scope" and answer["needed"] == "users:read"
    assert "users:read" not in answer["provided"].split(",")
    # scopes that depend on the kind of channel: the manifest has no im:read or mpim:read
    assert (await refused(client.conversations_list(types="public_channel,im")))["needed"] == "im:read"
    dm = (await client.conversations_open(users="U0PRACT"))["channel"]["id"]
    assert (await refused(client.conversations_members(channel=dm)))["needed"] == "im:read"
    assert (await client.conversations_history(channel=dm))["ok"]  # im:history is granted
    slack.scopes.remove("chat:write")
    post = await refused(client.chat_postMessage(channel="C0CONSULT", text="x"))
    assert post["error"] == "missing_scope" and post["needed"] == "chat:write"
    assert slack.messages("C0CONSULT") == []


async def test_posting_where_the_bot_is_not_a_member_is_not_in_channel(slack, client):
    for channel in ("C0GENERAL", "G0PRIVATE"):  # public and private, the bot in neither
        assert (await refused(client.chat_postMessage(channel=channel, text="x")))["error"] == "not_in_channel"
    await client.conversations_join(channel="C0GENERAL")
    assert (await client.chat_postMessage(channel="C0GENERAL", text="x"))["ok"]


async def test_a_file_is_uploaded_once_for_its_length_and_completed_into_a_channel(slack, client):
    done = await client.files_upload_v2(channel="C0CONSULT", content="hello file", filename="a.txt", title="A")
    file_id = done["file"]["id"]
    assert slack.file(file_id)["content"] == b"hello file"
    [shared] = [m for m in slack.messages("C0CONSULT") if m.get("files")]
    assert shared["files"][0]["id"] == file_id and shared["files"][0]["title"] == "A"

    # The raw steps: the upload URL takes exactly the bytes asked for, once.
    got = await client.files_getUploadURLExternal(filename="b.txt", length=3)
    async with aiohttp.ClientSession() as http:
        async with http.post(got["upload_url"], data=b"toolong") as resp:
            assert resp.status == 400
        async with http.post(got["upload_url"], data=b"abc") as resp:
            assert resp.status == 200
        async with http.post(got["upload_url"], data=b"abc") as resp:
            assert resp.status == 404
    files = [{"id": got["file_id"], "title": "B"}]
    assert (await client.files_completeUploadExternal(files=files, channel_id="C0CONSULT"))["ok"]
    again = client.files_completeUploadExternal(files=files, channel_id="C0CONSULT")
    assert (await refused(again))["error"] == "file_not_found"
    never_sent = await client.files_getUploadURLExternal(filename="c.txt", length=3)
    unsent = client.files_completeUploadExternal(files=[{"id": never_sent["file_id"]}], channel_id="C0CONSULT")
    assert (await refused(unsent))["error"] == "file_not_found"
    assert (await refused(client.files_getUploadURLExternal(filename="d.txt", length=0)))[
        "error"
    ] == "invalid_arguments"

    # Deleting a file takes its share message with it; a second delete is file_not_found.
    assert (await client.files_delete(file=file_id))["ok"]
    assert slack.file(file_id) is None and shared not in slack.messages("C0CONSULT")
    assert (await refused(client.files_delete(file=file_id)))["error"] == "file_not_found"
