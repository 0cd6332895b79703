"""Nothing the app sends to Slack carries a count over all workspaces (issue 12).

Posts' row ids and flags' row ids count every workspace's consults and flags; a member
can read a message's raw data (button values, form metadata, message metadata). So the
app names a post by its number in the workspace (`p1~tag`, `p1.2~tag`) and a flag by its
post's number and its place among the post's flags (`f1.1~tag`), the tag that of the
workspace key (tests/app/test_bound_values.py), and finds its own message after a
lost answer by the random key in its metadata. Buttons of older messages carry bare
digits, the row ids: still accepted within their own workspace, refused in another.
Two workspaces installed through OAuth, signed HTTP requests against the fake Slack."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.gateway import PostMark, Team
from bot.outgoing import Notice
from bot.slack.gateway import METADATA_TYPE
from bot.storage import models as m
from bot.storage.models import utcnow
from tests.app.test_moderation import admin, answer_to_click, consult, flag_post, review_ready
from tests.app.test_oauth import A, B, install, oauth_app, rows, two_workspaces
from tests.app.test_post_numbers import anonymous_replies, post_in, reply, titles
from tests.conftest import COLLEAGUE, COLLEAGUE2, CONSULT, MODERATOR, PRACTITIONER, REVIEW, TEAM, Bot

# What, in what the app sends, names something: every one of these is checked.
NAMING_KEYS = ("value", "private_metadata", "action_id", "block_id", "callback_id", "external_id", "metadata")
# Slack's reads: nothing sent.
READS = {"conversations.history", "conversations.replies", "conversations.members", "conversations.info"}
RANDOM = re.compile(r"[A-Za-z0-9_-]{16,}")  # intake refs, delivery keys, view ids: random, not counts
URL = re.compile(r"https?://[^\s|\"]+")
TAG = re.compile(r"~[a-z2-7]{10}\b")  # the workspace key's tag (bot/values.py): the same whatever is posted


def tagged(bot: Bot, team: str, value: str) -> str:
    """``value`` as the app mints it for workspace key ``team``."""
    return f"{value}~{bot.services.identity.value_tags.tag(team)}"


def _walk(obj: Any, out: list[str]) -> None:
    if isinstance(obj, str) and obj[:1] in "[{":
        try:
            obj = json.loads(obj)  # blocks, views and metadata may travel as JSON text
        except ValueError:
            return
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key in NAMING_KEYS and value not in (None, ""):
                out.append(f"{key}={json.dumps(value, sort_keys=True) if not isinstance(value, str) else value}")
            _walk(value, out)
    elif isinstance(obj, list):
        for item in obj:
            _walk(item, out)


def names_sent(bot: Bot) -> Counter[str]:
    """Every value, metadata, action, block and callback ID the app sent this workspace,
    its random keys and URLs blanked out (they differ from run to run, never by count)."""
    out: list[str] = []
    for call in bot.slack.calls:
        if call.method not in READS:
            _walk(call.args, out)
    named = (v.split("=", 1) for v in out)
    return Counter(
        f"{key}={TAG.sub('~<tag>', URL.sub('<url>', RANDOM.sub('<random>', value)))}" for key, value in named
    )


def metadata_of(messages: list[dict]) -> list[dict]:
    return [msg["metadata"]["event_payload"] for msg in messages if msg.get("metadata")]


async def workspaces(bots: dict[str, Bot]) -> tuple[Bot, Bot]:
    a, b = bots[A], bots[B]
    for bot, team in ((a, A), (b, B)):
        assert (await install(bot, team))[0] == 200
        assert "is now a consultation channel" in await admin(bot, MODERATOR, f"channel add <#{CONSULT}|peer-consult>")
    return a, b


async def alpha_busy(a: Bot, posts: int) -> None:
    """Alpha posts, is replied to and flagged: every row id counter moves on."""
    for n in range(1, posts + 1):
        await consult(a)
        await reply(a, COLLEAGUE, n, "Decline warmly, and say why.")
        assert "Thanks" in (await flag_post(a, COLLEAGUE2, post_in(a, n), "too identifying") or "")
    assert titles(a) == [f"Dilemma #{n}" for n in range(1, posts + 1)]


async def bravo_everything(b: Bot) -> None:
    """Bravo's first post and every kind of message, button, form and metadata the app
    sends about it: the post, a reply, the reply and flag forms, the flag notice and its
    confirmation with Undo, the relay DM, /boundary mine, the moderators' Home queue, a
    typed block's question, an approval request and its reject form."""
    await review_ready(b)
    await consult(b)
    await reply(b, COLLEAGUE, 1, "Decline warmly.")
    assert "Thanks" in (await flag_post(b, COLLEAGUE2, post_in(b, 1), "Too close to home") or "")
    await b.worker.tick()  # the relay DM
    await b.command(PRACTITIONER, "mine")
    await b.slack.open_home(MODERATOR)
    assert (await admin(b, MODERATOR, "block 1")).startswith("Block ")
    assert "Pre-approval is on" in await admin(b, MODERATOR, "approval on")
    await consult(b)
    [request] = [msg for msg in b.slack.messages(REVIEW) if "review_reject" in json.dumps(msg)]
    await b.slack.click(MODERATOR, request, "review_reject")
    assert b.slack.views(MODERATOR)[-1]["callback_id"] == "review_reject_submit"


async def test_what_bravo_is_sent_is_the_same_whether_alpha_posted_nothing_or_five(tmp_path: Path):
    seen: dict[int, Counter[str]] = {}
    for before in (0, 5):
        async with oauth_app(tmp_path / f"alpha-{before}", two_workspaces()) as bots:
            a, b = await workspaces(bots)
            await alpha_busy(a, before)
            await bravo_everything(b)
            seen[before] = names_sent(b)
            assert titles(b) == ["Dilemma #1"]
            # Row ids moved on with Alpha's posts and flags: Bravo's are 6 and 7, its flag 6.
            ids = {(p["team_id"], p["number"]): p["id"] for p in await rows(b, m.Post)}
            assert ids[(B, 1)] == before + 1 and ids[(B, 2)] == before + 2
            # The channel post and the reply name Dilemma #1 and a random key, nothing else.
            [post] = metadata_of(b.slack.messages(CONSULT))
            assert set(post) == {"post", "key"} and post["post"] == 1
            [said] = metadata_of(b.slack.replies(CONSULT, post_in(b, 1)["ts"])[1:])
            assert set(said) == {"post", "reply", "key"} and (said["post"], said["reply"]) == (1, 1)
    assert seen[0] == seen[5], (seen[0] - seen[5], seen[5] - seen[0])
    names = seen[5]
    for expected in ("value=p1~<tag>", "value=f1.1~<tag>", "private_metadata=p1~<tag>"):
        assert names[expected], (expected, sorted(names))
    assert names["value=p2~<tag>"] and names["private_metadata=p1~<tag>|<url>"], "the approval request; the flag form"
    # Every p/f value carries the tag.
    untagged = [v for v in names if re.fullmatch(r"(value|private_metadata)=[pf][\d.]+(\|.*)?", v)]
    assert untagged == []
    # No value is a bare number (a row id) any more, in any message, form or metadata.
    bare = [v for v in names if re.fullmatch(r"(value|private_metadata)=\d+(\.\d+)?", v)]
    assert bare == []


async def test_flags_are_dismissed_and_removed_by_their_number_in_the_workspace(tmp_path: Path):
    """Alpha's #1 and Bravo's #1 are both flagged once: `f1.1` in Bravo is Bravo's flag."""
    async with oauth_app(tmp_path, two_workspaces()) as bots:
        a, b = await workspaces(bots)
        await alpha_busy(a, 2)
        await review_ready(b)
        await consult(b)
        await consult(b)
        for n in (1, 2):
            assert "Thanks" in (await flag_post(b, COLLEAGUE, post_in(b, n)) or "")
        assert "Thanks" in (await flag_post(b, COLLEAGUE2, post_in(b, 2)) or "")
        notices = b.slack.messages(REVIEW)
        assert [json.dumps(msg).count('"value": "f') for msg in notices] == [2, 2, 2]
        first, second, third = notices
        assert '"f1.1~' in json.dumps(first) and '"f2.1~' in json.dumps(second) and '"f2.2~' in json.dumps(third)
        # A flag that is not there (Bravo's #1 has one flag) is no flag.
        said = await answer_to_click(b, MODERATOR, first, "flag_dismiss", tagged(b, B, "f1.2"))
        assert said is not None and "already decided" in said

        # Dismiss Bravo's #1's flag from the review channel.
        assert "Dismissed by <@U0MOD>" in (await answer_to_click(b, MODERATOR, first, "flag_dismiss") or "")
        # Remove Bravo's #2 from its second flag, on the Home queue.
        await b.slack.open_home(MODERATOR)
        home = b.slack.home(MODERATOR)
        assert '"f2.1~' in json.dumps(home) and '"f2.2~' in json.dumps(home) and '"f1.1~' not in json.dumps(home)
        await b.slack.click(MODERATOR, home, "flag_remove", tagged(b, B, "f2.2"))
        assert titles(b) == ["Dilemma #1"]

        flags = {(p["post_id"], p["id"]): p["status"] for p in await rows(b, m.Flag)}
        ids = {(p["team_id"], p["number"]): p["id"] for p in await rows(b, m.Post)}
        bravo = {k: v for k, v in flags.items() if k[0] in (ids[(B, 1)], ids[(B, 2)])}
        assert sorted(bravo.values()) == ["dismissed", "removed", "removed"]
        alpha = {k: v for k, v in flags.items() if k[0] in (ids[(A, 1)], ids[(A, 2)])}
        assert sorted(alpha.values()) == ["open", "open"], "Alpha's flags on its #1 and #2 are untouched"
        assert titles(a) == ["Dilemma #1", "Dilemma #2"]


async def test_older_buttons_and_forms_carrying_row_ids_work_in_their_own_workspace_only(tmp_path: Path):
    async with oauth_app(tmp_path, two_workspaces()) as bots:
        a, b = await workspaces(bots)
        await alpha_busy(a, 2)  # Alpha: posts 1, 2; flags 1, 2
        await review_ready(b)
        await consult(b)
        ids = {(p["team_id"], p["number"]): p["id"] for p in await rows(b, m.Post)}
        row = str(ids[(B, 1)])  # 3: what Bravo's #1's buttons carried before
        alpha_row = str(ids[(A, 1)])
        post = post_in(b, 1)

        # Reply: an older button opens the form, which names the post by its number.
        await b.slack.click(COLLEAGUE, post, "post_reply_anon", row)
        form = b.slack.views(COLLEAGUE)[-1]
        assert form["private_metadata"] == tagged(b, B, "p1")
        await b.slack.submit_view(COLLEAGUE, form["id"], {"reply": {"value": "From an older button."}})
        assert len(anonymous_replies(b, 1)) == 1
        # A form opened before the upgrade carries the row id in its metadata: still posted.
        await b.slack.click(COLLEAGUE, post, "post_reply_anon")
        old_form = b.slack._views[COLLEAGUE][-1]  # what Slack holds of the form
        old_form["private_metadata"] = row
        await b.slack.submit_view(COLLEAGUE, old_form["id"], {"reply": {"value": "From an older form."}})
        assert len(anonymous_replies(b, 1)) == 2
        # ... and Alpha's row id in Bravo's form is no post of Bravo's.
        await b.slack.click(COLLEAGUE, post, "post_reply_anon")
        cross = b.slack._views[COLLEAGUE][-1]
        cross["private_metadata"] = alpha_row
        await b.slack.submit_view(COLLEAGUE, cross["id"], {"reply": {"value": "Across."}})
        assert "can't find that post" in json.dumps(b.dms(COLLEAGUE)[-1])
        assert len(anonymous_replies(b, 1)) == 2 and len(anonymous_replies(a, 1)) == 1

        # The poster's Mark resolved in the relay DM: Alpha's row id is refused; Bravo's
        # works, and the Reopen button it becomes names #1.
        await b.worker.tick()
        [relay] = [msg for msg in b.dms(PRACTITIONER) if "new repl" in json.dumps(msg)]
        said = await answer_to_click(b, PRACTITIONER, relay, "post_resolve", alpha_row)
        assert said is not None and "can't find that post" in said
        said = await answer_to_click(b, PRACTITIONER, relay, "post_resolve", row)
        assert said is not None and "resolved" in said
        assert "resolved" in json.dumps(post_in_resolved(b)["blocks"][0])
        # The relay's own button (`p1`) becomes Reopen, naming #1 too.
        said = await answer_to_click(b, PRACTITIONER, relay, "post_resolve")
        assert said is not None and "resolved" in said
        [relay] = [msg for msg in b.dms(PRACTITIONER) if "new repl" in json.dumps(msg)]
        reopen = [
            el for blk in relay["blocks"] for el in blk.get("elements", []) if el.get("action_id") == "post_reopen"
        ]
        assert [el["value"] for el in reopen] == [tagged(b, B, "p1")]
        assert "resolved" in json.dumps(post_in_resolved(b)["blocks"][0])
        assert not [p for p in await rows(b, m.Post) if p["team_id"] == A and p["resolved"]]

        # A flag's older Dismiss: Bravo's flag row id works; Alpha's is refused in Bravo.
        assert "Thanks" in (await flag_post(b, COLLEAGUE2, post_in_resolved(b)) or "")
        [notice] = b.slack.messages(REVIEW)
        flag_ids = {r["post_id"]: r["id"] for r in await rows(b, m.Flag)}
        said = await answer_to_click(b, MODERATOR, notice, "flag_dismiss", str(flag_ids[ids[(A, 1)]]))
        assert "already decided" in (said or "")
        assert "Dismissed by <@U0MOD>" in (
            await answer_to_click(b, MODERATOR, notice, "flag_dismiss", str(flag_ids[ids[(B, 1)]])) or ""
        )
        statuses = {r["post_id"]: r["status"] for r in await rows(b, m.Flag)}
        assert statuses[ids[(A, 1)]] == "open" and statuses[ids[(B, 1)]] == "dismissed"

        # Block, from a typed question sent before: `row.reply`, Bravo's reply 1 of #1.
        assert (await admin(b, MODERATOR, "block 1.1")).startswith("Block ")
        question = b.slack.ephemerals(MODERATOR)[-1]
        assert f'"{tagged(b, B, "p1.1")}"' in json.dumps(question)
        said = await answer_to_click(b, MODERATOR, question, "admin_block_yes", f"{alpha_row}.1")
        assert said == "I can't find that post in this workspace any more; nothing was changed."
        assert (await admin(b, MODERATOR, "block 1.1")).startswith("Block ")  # the answer replaced the question
        question = b.slack.ephemerals(MODERATOR)[-1]
        said = await answer_to_click(b, MODERATOR, question, "admin_block_yes", f"{row}.1")
        assert said is not None and "can no longer post" in said
        assert [(r["team_id"], r["post_number"], r["reply_number"]) for r in await rows(b, m.AuthorBlock)] == [
            (B, 1, 1)
        ]


def post_in_resolved(b: Bot) -> dict:
    [found] = [msg for msg in b.slack.messages(CONSULT) if "Dilemma #1" in msg["blocks"][0]["text"]["text"]]
    return found


async def test_a_post_and_a_reply_whose_answers_were_lost_go_out_once(tmp_path: Path):
    """Posting exactly once after a lost answer: the app finds its own message by the
    random key in its metadata (which names Bravo's #1, never a row id)."""
    async with oauth_app(tmp_path, two_workspaces()) as bots:
        a, b = await workspaces(bots)
        await alpha_busy(a, 3)
        await consult(b, post=False)
        b.slack.lose_next_answer("chat.postMessage", "500")
        await b.click_dm(PRACTITIONER, "intake_post")
        await b.worker.tick()
        await b.worker.tick()
        assert titles(b) == ["Dilemma #1"]
        [stored] = [p for p in await rows(b, m.Post) if p["team_id"] == B]
        assert stored["status"] == "posted" and stored["message_ts"] == post_in(b, 1)["ts"]
        assert metadata_of(b.slack.messages(CONSULT)) == [{"post": 1, "key": stored["delivery_key"]}]

        b.slack.lose_next_answer("chat.postMessage", "reset")
        await reply(b, COLLEAGUE, 1, "Lost, then found.")
        assert len(anonymous_replies(b, 1)) == 1
        [said] = metadata_of(b.slack.replies(CONSULT, post_in(b, 1)["ts"])[1:])
        assert (said["post"], said["reply"]) == (1, 1) and len(said["key"]) == 40
        assert "Your anonymous reply is in the thread of Dilemma #1" in json.dumps(b.dms(COLLEAGUE)[-1])


async def test_a_message_sent_before_numbering_is_still_found_by_its_key(bot):
    """A post in flight across the upgrade carries {"post_id": row id, "key": …}: found."""
    since = utcnow() - timedelta(minutes=1)
    old = await bot.services.client.chat_postMessage(
        channel=CONSULT,
        text="Dilemma #1",
        metadata={"event_type": METADATA_TYPE, "event_payload": {"post_id": 7, "key": "k-older"}},
    )
    new = await bot.services.gateway.post(Team(TEAM), CONSULT, Notice("Dilemma #2"), mark=PostMark(2, "k-newer"))
    gateway = bot.services.gateway
    assert await gateway.find_marked(Team(TEAM), CONSULT, PostMark(1, "k-older"), since) == [old["ts"]]
    assert await gateway.find_marked(Team(TEAM), CONSULT, PostMark(2, "k-newer"), since) == [new.ts]
    assert await gateway.find_marked(Team(TEAM), CONSULT, PostMark(2, "k-other"), since) == []
