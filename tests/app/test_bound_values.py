"""A button or form value names a post only in the workspace key it was minted for.

Numbers count within each workspace, so Alpha's and Bravo's first posts are both `p1`.
A message stays in its channel when the workspace's key changes (its own install and its
organisation's, T… and E…) and a click can come from another team than the message's
(a shared channel): every `p`/`f` value carries the tag of the key it was minted for
(bot/values.py), and a value whose tag is not the request's key's is refused ("I can't
find that post"), never acted on the request's workspace's post of the same number.
Two workspaces installed through OAuth, signed HTTP requests against the fake Slack."""

from __future__ import annotations

import json
from pathlib import Path

from bot.storage import models as m
from tests.app.test_moderation import admin, answer_to_click, consult, flag_post, review_ready
from tests.app.test_no_global_ids import tagged, workspaces
from tests.app.test_oauth import A, B, oauth_app, rows, two_workspaces
from tests.app.test_post_numbers import anonymous_replies, post_in, reply
from tests.conftest import COLLEAGUE, COLLEAGUE2, CONSULT, MODERATOR, PRACTITIONER, REVIEW, Bot

NOT_FOUND = "can't find that post"
ORG = "E0ORGWIDE"  # the organisation's key, after the workspace switched to the org-wide install


def foreign_values(bot: Bot, value: str) -> list[str]:
    """``value`` as minted for Alpha (another workspace), for the organisation's key (the
    same workspace before or after a switch of install), and with no tag at all."""
    return [tagged(bot, A, value), tagged(bot, ORG, value), value]


async def test_post_buttons_minted_elsewhere_are_refused_in_a_workspace_with_the_same_number(tmp_path: Path):
    async with oauth_app(tmp_path, two_workspaces()) as bots:
        a, b = await workspaces(bots)
        await consult(a)
        await consult(b)
        post = post_in(b, 1)
        # Bravo's #1 is flagged by COLLEAGUE2 (for Undo) and replied to (for the relay DM).
        assert "Thanks" in (await flag_post(b, COLLEAGUE2, post) or "")
        undo = b.slack.ephemerals(COLLEAGUE2)[-1]
        assert "post_flag_undo" in json.dumps(undo)
        await reply(b, COLLEAGUE, 1, "Decline warmly.")
        await b.worker.tick()
        [relay] = [msg for msg in b.dms(PRACTITIONER) if "new repl" in json.dumps(msg)]
        views_before = len(b.slack.views(COLLEAGUE))
        for value in foreign_values(b, "p1"):
            # Reply and Flag: no form opens, the click is answered at once.
            for action in ("post_reply_anon", "post_flag"):
                said = await answer_to_click(b, COLLEAGUE, post, action, value)
                assert said is not None and NOT_FOUND in said, (action, value, said)
            # The poster's reply, Mark resolved, Delete, Save a record (relay DM).
            for action in ("post_op_reply", "post_resolve", "post_delete", "post_record"):
                said = await answer_to_click(b, PRACTITIONER, relay, action, value)
                assert said is not None and NOT_FOUND in said, (action, value, said)
        # Undo of the flag on Bravo's #1, with Alpha's `p1` (the answer replaces the Undo).
        said = await answer_to_click(b, COLLEAGUE2, undo, "post_flag_undo", tagged(b, A, "p1"))
        assert said is not None and NOT_FOUND in said, said
        assert len(b.slack.views(COLLEAGUE)) == views_before and b.slack.views(PRACTITIONER) == []
        posts = {(p["team_id"], p["number"]): p for p in await rows(b, m.Post)}
        assert not posts[(B, 1)]["resolved"] and posts[(B, 1)]["status"] == "posted"
        assert [f["status"] for f in await rows(b, m.Flag)] == ["open"]
        assert len(anonymous_replies(b, 1)) == 1 and len(anonymous_replies(a, 1)) == 0
        assert not [msg for msg in b.dms(PRACTITIONER) if "record" in json.dumps(msg).lower() and "file" in msg]

        # The form's metadata carries the tag too: a form whose metadata is Alpha's `p1`
        # posts nothing, in Bravo's #1 thread or Alpha's.
        await b.slack.click(COLLEAGUE, post, "post_reply_anon")
        form = b.slack._views[COLLEAGUE][-1]
        assert form["private_metadata"] == tagged(b, B, "p1")
        form["private_metadata"] = tagged(b, A, "p1")
        await b.slack.submit_view(COLLEAGUE, form["id"], {"reply": {"value": "Across."}})
        assert NOT_FOUND in json.dumps(b.dms(COLLEAGUE)[-1])
        assert len(anonymous_replies(b, 1)) == 1 and len(anonymous_replies(a, 1)) == 0

        # Bravo's own buttons still work.
        await b.slack.click(COLLEAGUE, post, "post_reply_anon")
        form = b.slack.views(COLLEAGUE)[-1]
        await b.slack.submit_view(COLLEAGUE, form["id"], {"reply": {"value": "Mine, from my button."}})
        assert len(anonymous_replies(b, 1)) == 2
        said = await answer_to_click(b, PRACTITIONER, relay, "post_resolve")
        assert said is not None and "resolved" in said


async def test_moderators_buttons_minted_elsewhere_are_refused(tmp_path: Path):
    async with oauth_app(tmp_path, two_workspaces()) as bots:
        a, b = await workspaces(bots)
        for bot in (a, b):
            await review_ready(bot)
        # Flags: each workspace's #1 flagged once, `f1.1` in both.
        await consult(a)
        await consult(b)
        assert "Thanks" in (await flag_post(a, COLLEAGUE, post_in(a, 1)) or "")
        assert "Thanks" in (await flag_post(b, COLLEAGUE, post_in(b, 1)) or "")
        [notice] = b.slack.messages(REVIEW)
        for value in foreign_values(b, "f1.1"):
            for action in ("flag_remove", "flag_dismiss"):
                said = await answer_to_click(b, MODERATOR, notice, action, value)
                assert said is not None and "already decided" in said, (action, value, said)
        # Block from the flag notice, and from a typed question.
        for value in foreign_values(b, "p1"):
            said = await answer_to_click(b, MODERATOR, notice, "review_block", value)
            assert said is not None and NOT_FOUND in said, (value, said)
        assert (await admin(b, MODERATOR, "block 1")).startswith("Block ")
        for value in [*foreign_values(b, "p1"), tagged(b, A, "p1.1")]:
            question = b.slack.ephemerals(MODERATOR)[-1]
            said = await answer_to_click(b, MODERATOR, question, "admin_block_yes", value)
            assert said is not None and NOT_FOUND in said, (value, said)
            assert (await admin(b, MODERATOR, "block 1")).startswith("Block ")
        assert await rows(b, m.AuthorBlock) == []
        assert sorted(f["status"] for f in await rows(b, m.Flag)) == ["open", "open"]
        assert [p["status"] for p in await rows(b, m.Post)] == ["posted", "posted"]

        # Approve / Reject: both workspaces' #2 awaits approval.
        for bot in (a, b):
            assert "Pre-approval is on" in await admin(bot, MODERATOR, "approval on")
            await consult(bot)
        [request] = [msg for msg in b.slack.messages(REVIEW) if "review_approve" in json.dumps(msg)]
        views_before = len(b.slack.views(MODERATOR))
        for value in foreign_values(b, "p2"):
            said = await answer_to_click(b, MODERATOR, request, "review_approve", value)
            assert said is not None and "Approved" not in said, (value, said)
            await b.slack.click(MODERATOR, request, "review_reject", value)
        assert len(b.slack.views(MODERATOR)) == views_before, "no reject form for another key's value"
        assert sorted(p["status"] for p in await rows(b, m.Post) if p["number"] == 2) == ["awaiting_approval"] * 2

        # ... and the request's own buttons work.
        said = await answer_to_click(b, MODERATOR, request, "review_approve")
        statuses = {(p["team_id"], p["number"]): p["status"] for p in await rows(b, m.Post)}
        assert statuses[(B, 2)] == "posted" and statuses[(A, 2)] == "awaiting_approval", said
        assert len(b.slack.messages(CONSULT)) == 2
