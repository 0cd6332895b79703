"""Messages: the intake in the DM, and colleagues' replies in a post's thread.

Slack redelivers an event when it doesn't hear back in time; the event_id is
claimed in the database first, so a redelivery (to any process) does nothing."""

from __future__ import annotations

import hashlib

from bot.listeners.context import team_of
from bot.slack.gateway import plain_of
from bot.storage.outage import is_database_down

IGNORED_SUBTYPES = {"message_changed", "message_deleted", "bot_message", "channel_join", "channel_leave"}


async def ignore(ack):
    await ack()


def handler(services):
    async def on_message(ack, body, event):
        await ack()
        if event.get("bot_id") or event.get("subtype") in IGNORED_SUBTYPES or not event.get("user"):
            return
        # Slack always sends an event_id; without one, a digest (a DM's channel ID
        # would point at its user) of where and when stands in.
        event_id = (
            body.get("event_id") or hashlib.sha256(f"{event.get('channel')}:{event.get('ts')}".encode()).hexdigest()
        )
        thread_ts = event.get("thread_ts")
        if event.get("channel_type") == "im":
            if thread_ts and thread_ts != event.get("ts"):
                return
            # Slack sends "&amp;", "&lt;", "&gt;" and mentions as markup ("<@U…>"): the intake
            # reads plain words, and a mention of a colleague becomes "[name]". The event is
            # claimed in the step's own transaction (one per step).
            typed = plain_of(event.get("text") or "")
            await services.conversation.on_text(
                team_of(body), event["user"], event["channel"], typed, claim=f"event:{event_id}"
            )
            return
        is_reply = bool(thread_ts) and thread_ts != event.get("ts")
        try:
            claimed = await services.store.claim_key(f"event:{event_id}")
        except Exception as exc:
            # A colleague's thread reply cannot be repeated by its writer: it is kept until
            # the database is back. A DM is answered by the app's error handler instead.
            if is_reply and is_database_down(exc):
                services.discussion.hold_thread_message(event["channel"], thread_ts, event["ts"])
                return
            raise
        if not claimed:
            return
        if is_reply:
            await services.discussion.on_thread_message(event["channel"], thread_ts, event["ts"])

    return on_message
