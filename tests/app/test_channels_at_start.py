"""Consultation channels from the configuration are joined at start (public ones), and
those the app cannot post in are named in the log and in `/boundary-admin status`."""

from bot import server
from tests.app.test_moderation import admin
from tests.conftest import CONSULT, GENERAL, MODERATOR, make_settings, start_bot, stop_bot

PRIVATE, MISSING = "G0PRIVATE", "C0GONE"


async def test_configured_channels_are_joined_at_start_or_reported(tmp_path, slack):
    channels = [
        {"id": CONSULT, "name": "peer-consult"},  # the app is in it already
        {"id": GENERAL, "name": "general"},  # public, the app is not in it
        {"id": PRIVATE, "name": "staff-lounge"},  # private, not invited
        {"id": MISSING, "name": "gone"},  # no such channel
    ]
    bot = await start_bot(make_settings(tmp_path, slack_api_url=slack.api_url, channels=channels), slack)
    try:
        assert slack.channels[GENERAL]["is_member"] is False
        states = await server.join_configured_channels(bot.services)
        assert states == {CONSULT: "member", GENERAL: "joined", PRIVATE: "not_found", MISSING: "not_found"}
        assert [c.args["channel"] for c in slack.calls_to("conversations.join")] == [GENERAL]
        assert slack.channels[GENERAL]["is_member"] is True
        status = await admin(bot, MODERATOR, "status")
        line = next(x for x in status.splitlines() if "at start" in x)
        assert f"<#{PRIVATE}>" in line and f"<#{MISSING}>" in line and "invited" in line
        assert f"<#{GENERAL}>" not in line and f"<#{CONSULT}>" not in line
        # A later start finds every joinable channel joined: only the two it cannot post in remain.
        assert await server.join_configured_channels(bot.services) == {**states, GENERAL: "member"}
        assert len(slack.calls_to("conversations.join")) == 1
    finally:
        await stop_bot(bot)


async def test_all_channels_joined_reads_as_such(bot):
    assert await server.join_configured_channels(bot.services) == {CONSULT: "member"}
    status = await admin(bot, MODERATOR, "status")
    assert "at start:* I'm in all 1" in status
