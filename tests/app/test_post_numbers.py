"""Post numbers count within each workspace (issue 12): two workspaces installed through
OAuth each get Dilemma #1, #2 …; what a moderator types names a post of their own
workspace only; a button carrying another workspace's post (its row id) is refused; and
what the poster reads (the relay DM, the record's file, /boundary mine) says the
workspace's number, never the row id."""

from __future__ import annotations

from bot.storage import models as m
from tests.app.test_moderation import admin, answer_to_click, block, consult, flag_post, flat
from tests.app.test_oauth import A, B, install, oauth_app, record_files, rows, two_workspaces
from tests.conftest import COLLEAGUE, COLLEAGUE2, CONSULT, MODERATOR, PRACTITIONER, Bot


def post_in(bot: Bot, number: int) -> dict:
    """The channel message of Dilemma #number (by its title, as people find it)."""
    [found] = [msg for msg in bot.slack.messages(CONSULT) if msg["blocks"][0]["text"]["text"] == f"Dilemma #{number}"]
    return found


def titles(bot: Bot) -> list[str]:
    return sorted(msg["blocks"][0]["text"]["text"] for msg in bot.slack.messages(CONSULT))


def anonymous_replies(bot: Bot, number: int) -> list[dict]:
    post = post_in(bot, number)
    return [r for r in bot.slack.replies(CONSULT, post["ts"]) if "Anonymous colleague" in flat(r)]


async def reply(bot: Bot, user: str, number: int, words: str) -> None:
    await bot.slack.click(user, post_in(bot, number), "post_reply_anon")
    await bot.slack.submit_view(user, bot.slack.views(user)[-1]["id"], {"reply": {"value": words}})


async def posts_by_team(bot: Bot) -> dict[int, tuple[str, int]]:
    """Row id -> (workspace, number), as stored."""
    return {p["id"]: (p["team_id"], p["number"]) for p in await rows(bot, m.Post)}


async def two_workspaces_with_two_posts_each(bots: dict[str, Bot]) -> tuple[Bot, Bot]:
    a, b = bots[A], bots[B]
    for bot, team in ((a, A), (b, B)):
        assert (await install(bot, team))[0] == 200
        assert "is now a consultation channel" in await admin(bot, MODERATOR, f"channel add <#{CONSULT}|peer-consult>")
    # Interleaved, so that no workspace's numbers are the row ids: A 1, 3; B 2, 4.
    for bot in (a, b, a, b):
        await consult(bot)
    return a, b


async def test_each_workspace_counts_its_posts_from_one(tmp_path):
    async with oauth_app(tmp_path, two_workspaces()) as bots:
        a, b = await two_workspaces_with_two_posts_each(bots)
        assert titles(a) == ["Dilemma #1", "Dilemma #2"]
        assert titles(b) == ["Dilemma #1", "Dilemma #2"]
        assert await posts_by_team(a) == {1: (A, 1), 2: (B, 1), 3: (A, 2), 4: (B, 2)}
        # The poster's confirmation names the workspace's number.
        said = " ".join(flat(msg) for msg in b.dms(PRACTITIONER))
        assert "Dilemma #2" in said and "#4" not in said and "#3" not in said


async def test_what_the_poster_reads_names_the_workspaces_number(tmp_path):
    async with oauth_app(tmp_path, two_workspaces()) as bots:
        a, b = await two_workspaces_with_two_posts_each(bots)
        # /boundary mine in Bravo: its own #1 and #2 (row ids 2 and 4), never a row id.
        await b.command(PRACTITIONER, "mine")
        mine = flat(b.slack.calls_to("response_url")[-1].args)
        assert "Dilemma #1" in mine and "Dilemma #2" in mine and "#4" not in mine and "#3" not in mine
        # The relay DM of a reply to Bravo's #2.
        await reply(b, COLLEAGUE, 2, "Decline warmly.")
        await b.worker.tick()
        [relay] = [msg for msg in b.dms(PRACTITIONER) if "new repl" in flat(msg)]
        assert "your *Dilemma #2*" in relay["text"] and "#4" not in flat(relay)
        assert not [msg for msg in a.dms(PRACTITIONER) if "new repl" in flat(msg)]
        # The record, and its file's name, of Bravo's #2: from the relay's own button.
        await b.slack.click(PRACTITIONER, relay, "post_record")
        records = [msg for msg in b.dms(PRACTITIONER) if "Consultation record" in flat(msg)]
        assert records and all("Dilemma #2" in flat(r) and "#4" not in flat(r) for r in records)
        assert [f["name"][:29] for f in record_files(b)] == ["consultation-record-dilemma-2"]
        assert record_files(a) == []


async def test_a_moderator_acts_on_their_own_workspaces_number_only(tmp_path):
    async with oauth_app(tmp_path, two_workspaces()) as bots:
        a, b = await two_workspaces_with_two_posts_each(bots)
        for bot in (a, b):
            await reply(bot, COLLEAGUE, 1, "A first reply.")
            assert len(anonymous_replies(bot, 1)) == 1

        # block 1.1 in Bravo blocks the writer of Bravo's reply 1 of #1; Alpha's can still reply.
        assert "can no longer post" in await block(b, MODERATOR, "1.1")
        await reply(b, COLLEAGUE, 1, "Blocked in Bravo.")
        assert len(anonymous_replies(b, 1)) == 1
        await reply(a, COLLEAGUE, 1, "Still fine in Alpha.")
        assert len(anonymous_replies(a, 1)) == 2
        assert "can post again" in await admin(b, MODERATOR, "unblock 1.1")

        # block 1 / unblock 1 in Bravo: Bravo's author only.
        assert "can no longer post" in await block(b, MODERATOR, "1")
        before = len(b.dms(PRACTITIONER))
        await b.command(PRACTITIONER, "consult")
        assert "You can't post consults" in flat(b.dms(PRACTITIONER)[before:])
        await consult(a)  # Alpha's author (the same user ID) is not blocked
        assert titles(a) == ["Dilemma #1", "Dilemma #2", "Dilemma #3"]
        assert "can post again" in await admin(b, MODERATOR, "unblock 1")
        await consult(b)
        assert titles(b) == ["Dilemma #1", "Dilemma #2", "Dilemma #3"]
        blocks = await rows(a, m.AuthorBlock)
        assert blocks == [], "both blocks lifted"

        # remove 1 in Bravo deletes Bravo's #1; Alpha's #1 and its thread stay.
        assert await admin(b, MODERATOR, "remove 1") == "Dilemma #1 and the app's replies in its thread are deleted."
        assert titles(b) == ["Dilemma #2", "Dilemma #3"]
        assert titles(a) == ["Dilemma #1", "Dilemma #2", "Dilemma #3"]
        assert len(anonymous_replies(a, 1)) == 2
        stored = {(p["team_id"], p["number"]): p for p in await rows(a, m.Post)}
        assert stored[(B, 1)]["status"] == "removed" and stored[(B, 1)]["content"] is None
        assert stored[(A, 1)]["status"] == "posted" and stored[(A, 1)]["content"]
        # A number Bravo does not have yet is no post, even though Alpha's rows use it.
        assert await admin(b, MODERATOR, "remove 5") == "There's no post #5."
        assert await admin(b, MODERATOR, "block 5") == "There's no post #5."
        # The audit log names Bravo's numbers.
        audit = await admin(b, MODERATOR, "audit")
        assert "Dilemma #1" in audit and "#4" not in audit


async def test_a_button_carrying_another_workspaces_post_is_refused(tmp_path):
    async with oauth_app(tmp_path, two_workspaces()) as bots:
        a, b = await two_workspaces_with_two_posts_each(bots)
        alpha_first = "1"  # Alpha's Dilemma #1, by row id; Bravo's own posts are rows 2 and 4
        await b.command(PRACTITIONER, "mine")
        mine = b.slack.ephemerals(PRACTITIONER)[-1]
        bravo_post = post_in(b, 1)
        gone = "can't find that post"

        # The poster's buttons (Bravo's practitioner is the same user ID as Alpha's).
        for action in ("post_record", "post_resolve", "post_delete"):
            said = await answer_to_click(b, PRACTITIONER, mine, action, alpha_first)
            assert said is not None and gone in said, (action, said)
        # A colleague's: replying (an older button's row id is looked up before the form
        # opens: none opens) and flagging.
        said = await answer_to_click(b, COLLEAGUE, bravo_post, "post_reply_anon", alpha_first)
        assert said is not None and gone in said and b.slack.views(COLLEAGUE) == [], "no reply form"
        opened = len(b.slack.views(COLLEAGUE2))
        said = await answer_to_click(b, COLLEAGUE2, bravo_post, "post_flag", alpha_first)
        assert said is not None and gone in said and len(b.slack.views(COLLEAGUE2)) == opened, "no flag form"
        # Undo of a flag: Alpha's open flag (the same user ID flagged it there) stays open.
        assert "Thanks" in (await flag_post(a, COLLEAGUE2, post_in(a, 1)) or "")
        assert "Thanks" in (await flag_post(b, COLLEAGUE2, bravo_post) or "")
        confirmation = b.slack.ephemerals(COLLEAGUE2)[-1]
        said = await answer_to_click(b, COLLEAGUE2, confirmation, "post_flag_undo", alpha_first)
        assert said is not None and gone in said
        # A moderator's: the Block of a typed `block` question.
        assert (await admin(b, MODERATOR, "block 2")).startswith("Block ")  # Bravo's #2, for its buttons
        question = b.slack.ephemerals(MODERATOR)[-1]
        said = await answer_to_click(b, MODERATOR, question, "admin_block_yes", alpha_first)
        assert said == "I can't find that post in this workspace any more; nothing was changed."

        # Alpha's post is untouched: still there, not resolved, not flagged, its author not blocked.
        stored = {(p["team_id"], p["number"]): p for p in await rows(a, m.Post)}
        assert stored[(A, 1)]["status"] == "posted" and stored[(A, 1)]["content"] and not stored[(A, 1)]["resolved"]
        assert titles(a) == ["Dilemma #1", "Dilemma #2"]
        assert anonymous_replies(a, 1) == []
        flags = {p["id"]: p["status"] for p in await rows(a, m.Flag)}
        assert sorted(flags.values()) == ["open", "open"], "Alpha's flag and Bravo's own, both still open"
        assert await rows(a, m.AuthorBlock) == []
        assert not [msg for msg in a.dms(PRACTITIONER) if "Consultation record" in flat(msg)]
        assert not [msg for msg in b.dms(PRACTITIONER) if "Consultation record" in flat(msg)]


async def test_the_app_home_queue_names_the_workspaces_numbers(tmp_path):
    """Bravo's moderators approve on the App Home tab: the queue names Bravo's #1 and #2
    (rows 2 and 4), its buttons act on those posts, and the approved post is Bravo's #1."""
    async with oauth_app(tmp_path, two_workspaces()) as bots:
        a, b = bots[A], bots[B]
        for bot, team in ((a, A), (b, B)):
            assert (await install(bot, team))[0] == 200
            assert "is now a consultation channel" in await admin(
                bot, MODERATOR, f"channel add <#{CONSULT}|peer-consult>"
            )
        assert "they wait on the App Home tab" in await admin(b, MODERATOR, "approval on")
        for bot in (a, b, a, b):
            await consult(bot)
        await b.slack.open_home(MODERATOR)
        home = flat(b.slack.home(MODERATOR))
        assert "Dilemma #1 awaits approval" in home and "Dilemma #2 awaits approval" in home
        assert "#3" not in home and "#4" not in home
        await b.slack.click(MODERATOR, b.slack.home(MODERATOR), "review_approve")  # the first: Bravo's #1
        assert titles(b) == ["Dilemma #1"]
        assert "approved" in flat(b.last_dm(PRACTITIONER)) and "#1" in flat(b.last_dm(PRACTITIONER))
        home = flat(b.slack.home(MODERATOR))
        assert "Dilemma #1 awaits" not in home and "Dilemma #2 awaits approval" in home
        # Alpha's queue: none (no approval there), its posts out as #1 and #2.
        assert titles(a) == ["Dilemma #1", "Dilemma #2"]
        assert await posts_by_team(a) == {1: (A, 1), 2: (B, 1), 3: (A, 2), 4: (B, 2)}
