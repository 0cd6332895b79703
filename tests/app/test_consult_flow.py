"""The whole consult, end to end over signed HTTP: intake in the DM, the
de-identified post, the discussion, and what is (not) stored."""

import json
from datetime import timedelta

from aiohttp import ClientSession
from sqlalchemy import text as sql
from sqlalchemy import update

from bot.sandbox.signing import block_actions_body, signed_headers
from bot.storage import models as m
from bot.storage.models import utcnow
from tests.conftest import COLLEAGUE, CONSULT, PRACTITIONER, SECRET, TEAM

IDENTIFIERS = [
    "Rosalind",
    "Okafor",
    "(34)",
    "Lincoln Elementary",
    "March 3rd",
    "555-0142",
    "(208)",
    "Boise",
    "rosalind.o@example.org",
]
SITUATION = (
    "My former client Rosalind Okafor (34) ran into me at Lincoln Elementary in Boise on March 3rd "
    "and asked to be friends. She texted from (208) 555-0142 and emailed rosalind.o@example.org."
)


async def signed_click(bot, user, action_id, value):
    url = bot.slack.response_url("click-" + action_id, user=user)
    body = block_actions_body(user_id=user, team_id=TEAM, action_id=action_id, value=value, response_url=url)
    async with ClientSession() as s:
        async with s.post(
            bot.server.make_url("/slack/events"), data=body.encode(), headers=signed_headers(body, SECRET)
        ) as r:
            return r.status, await r.text()


def flat(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)


def step_prompt(msg) -> str:
    return msg["blocks"][0]["text"]["text"]


async def run_intake_to_preview(bot, user=PRACTITIONER):
    d = await bot.command(user, "consult")
    assert d.status == 200 and "direct message" in d.response_text
    assert "Who can learn what" in flat(bot.dms(user))
    assert "Who is the person" in step_prompt(bot.last_dm(user))
    await bot.click_dm(user, "intake_choice:2")  # Former client
    assert "How long ago" in step_prompt(bot.last_dm(user))
    await bot.dm(user, "3")  # 2–5 years, typed
    assert "setting" in step_prompt(bot.last_dm(user))
    await bot.dm(user, "skip")
    assert "Describe the situation" in step_prompt(bot.last_dm(user))
    await bot.dm(user, SITUATION)
    assert "considering" in step_prompt(bot.last_dm(user))
    # The private form: the answer never becomes a DM message.
    await bot.click_dm(user, "intake_form")
    view = bot.slack.views(user)[-1]
    await bot.slack.submit_view(
        user, view["id"], {"answer": {"value": "Saying no kindly at our next contact, Rosalind deserves honesty."}}
    )
    assert "Saying no kindly" not in flat(bot.dms(user))
    assert "principles" in step_prompt(bot.last_dm(user)).lower()
    await bot.click_dm(user, "intake_principles_accept")
    assert "ask your colleagues" in step_prompt(bot.last_dm(user))
    await bot.dm(user, "How do I decline friendship with Rosalind without hurting her?")
    return bot.last_dm(user)


async def test_full_consult_posts_anonymously_without_identifiers(bot):
    preview = await run_intake_to_preview(bot)
    shown = flat(preview["blocks"])
    assert "Post anonymously" in shown and "What I removed" in shown
    for ident in IDENTIFIERS:
        assert ident not in shown, ident
    assert "names" in shown and "contact details" in shown

    await bot.click_dm(PRACTITIONER, "intake_post")
    posts = bot.slack.messages(CONSULT)
    assert len(posts) == 1
    post = posts[0]
    channel_view = flat(post)
    assert "Dilemma #1" in channel_view and "Reply anonymously" in channel_view
    for ident in IDENTIFIERS:
        assert ident not in channel_view, ident
    assert "[Person A]" in channel_view
    # The poster's ID appears nowhere the channel (or anyone but the poster) receives.
    for call in bot.slack.calls:
        if call.method in ("chat.postMessage", "chat.update") and call.args.get("channel") != bot.slack.dm_channel(
            PRACTITIONER
        ):
            assert PRACTITIONER not in flat(call.args)
    assert "Posted anonymously as *Dilemma #1*" in flat(bot.last_dm(PRACTITIONER))

    # A colleague answers in the thread; the poster hears about it in a DM with a link.
    await bot.slack.send_user_message(COLLEAGUE, CONSULT, "I'd decline warmly and document it.", thread_ts=post["ts"])
    await bot.worker.tick()
    relay = bot.last_dm(PRACTITIONER)
    assert "1 new reply" in flat(relay) and "Open the thread" in flat(relay)
    assert "post_op_reply" in flat(relay) and "post_resolve" in flat(relay) and "post_delete" in flat(relay)

    # An anonymous reply through the form, de-identified, posted in the thread.
    await bot.slack.click(COLLEAGUE, bot.slack.messages(CONSULT)[0], "post_reply_anon")
    view = bot.slack.views(COLLEAGUE)[-1]
    await bot.slack.submit_view(
        COLLEAGUE, view["id"], {"reply": {"value": "When Dr. Hartley in Boise faced this she said no."}}
    )
    thread = bot.slack.replies(CONSULT, post["ts"])
    anon = [m for m in thread if "Anonymous colleague" in flat(m)]
    assert anon and "Hartley" not in flat(anon[-1]) and "Boise" not in flat(anon[-1])
    assert "[Person A]" not in flat(anon[-1]) and "[name]" in flat(anon[-1])

    # The poster replies as original poster and resolves.
    await bot.click_dm(PRACTITIONER, "post_op_reply")
    view = bot.slack.views(PRACTITIONER)[-1]
    await bot.slack.submit_view(PRACTITIONER, view["id"], {"reply": {"value": "Thank you all."}})
    assert any("Original poster" in flat(m) for m in bot.slack.replies(CONSULT, post["ts"]))
    assert PRACTITIONER not in flat(bot.slack.replies(CONSULT, post["ts"])[1:])

    # Someone else cannot resolve or delete it, even with a hand-made signed click.
    for action_id in ("post_resolve", "post_delete"):
        status, _ = await signed_click(bot, COLLEAGUE, action_id, "1")
        assert status == 200
        answer = bot.slack.calls_to("response_url")[-1].args
        assert "Only the person who posted Dilemma #1" in answer["text"]
    assert "resolved" not in flat(bot.slack.messages(CONSULT)[0]["blocks"][0])

    await bot.click_dm(PRACTITIONER, "post_resolve")
    updated = bot.slack.messages(CONSULT)[0]
    assert "resolved" in flat(updated["blocks"][0])

    await bot.click_dm(PRACTITIONER, "post_delete")
    left = bot.slack.all_messages(CONSULT)
    # Only Slack's tombstone and the colleague's own message remain; nothing the app wrote.
    assert all(m.get("user") in (COLLEAGUE, "USLACKBOT") for m in left), left
    assert "Dilemma #1" not in flat(left) and "Anonymous colleague" not in flat(left)
    post_row = await bot.services.store.get_post(1)
    assert post_row.status == "deleted" and post_row.content is None and post_row.author_enc is None


async def test_database_holds_no_user_id_or_removed_identifier(bot):
    await run_intake_to_preview(bot)
    await bot.click_dm(PRACTITIONER, "intake_post")
    post = bot.slack.messages(CONSULT)[0]
    await bot.slack.send_user_message(COLLEAGUE, CONSULT, "Thoughts: decline.", thread_ts=post["ts"])
    dump = []
    async with bot.services.store.engine.connect() as conn:
        tables = (await conn.execute(sql("SELECT name FROM sqlite_master WHERE type='table'"))).scalars().all()
        for table in tables:
            rows = (await conn.execute(sql(f'SELECT * FROM "{table}"'))).all()
            dump.append(f"{table}: " + repr([tuple(map(str, r)) for r in rows]))  # whole values: Row repr truncates
    everything = "\n".join(dump)
    assert "posts" in everything
    assert PRACTITIONER not in everything
    for ident in IDENTIFIERS:
        assert ident not in everything, ident
    assert "Saying no kindly" in everything  # the de-identified post itself is kept


def text_objects(node, found=None):
    """Every Block Kit text object in a message, with its type."""
    found = [] if found is None else found
    if isinstance(node, dict):
        if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
            found.append((node["type"], node["text"]))
        for value in node.values():
            text_objects(value, found)
    elif isinstance(node, list):
        for value in node:
            text_objects(value, found)
    return found


async def post_with(bot, situation: str, question: str) -> dict:
    await bot.command(PRACTITIONER, "consult")
    await bot.dm(PRACTITIONER, "1")
    await bot.dm(PRACTITIONER, "skip")
    await bot.dm(PRACTITIONER, situation)
    await bot.dm(PRACTITIONER, "skip")
    await bot.dm(PRACTITIONER, "ok")
    await bot.dm(PRACTITIONER, question)
    await bot.click_dm(PRACTITIONER, "intake_post")
    return bot.slack.messages(CONSULT)[0]


CONTROL = ("<!channel>", "<!here>", "<!subteam^S1>", "<@U123>", "<https://x.example|y>", "<!everyone>")


async def test_user_text_cannot_ping_or_link(bot):
    nasty = "Hey <!channel> <!here> <!subteam^S1> <@U123> see <https://x.example|y> & more"
    post = await post_with(bot, nasty, "What now <!everyone>?")
    # Only plain_text objects (shown literally by Slack) carry the user's characters as typed;
    # mrkdwn and the notification text never hold a control sequence.
    for kind, body in text_objects(post["blocks"]):
        if kind == "mrkdwn":
            assert not any(raw in body for raw in CONTROL), body
    assert not any(raw in post["text"] for raw in CONTROL)
    # Slack sends these as markup: the intake reads them as plain words ("@channel", a
    # colleague's mention as "[name]", a link as its label), never as the markup itself
    literal = " ".join(body for kind, body in text_objects(post["blocks"]) if kind == "plain_text")
    assert "& more" in literal and not any(raw in literal for raw in CONTROL), literal


async def test_user_text_cannot_format_the_post(bot):
    tricks = "*URGENT* ~gone~ `code` _slanted_\n```fenced```\n> quoted\n*Question for colleagues*\nfake heading"
    post = await post_with(bot, tricks, "*Really?* ~no~")
    mrkdwn = " ".join(body for kind, body in text_objects(post["blocks"]) if kind == "mrkdwn")
    for trick in ("*URGENT*", "~gone~", "`code`", "_slanted_", "```", "> quoted", "&gt; quoted", "*Really?*"):
        assert trick not in mrkdwn, trick
    literal = " ".join(body for kind, body in text_objects(post["blocks"]) if kind == "plain_text")
    assert "*URGENT* ~gone~ `code`" in literal and "*Really?* ~no~" in literal
    assert "*Situation*" in mrkdwn  # the app's own labels keep their formatting


async def test_the_first_reply_comes_at_once_and_later_ones_within_the_window_as_one_dm(bot):
    bot.services.discussion.relay_window = timedelta(seconds=60)
    await run_intake_to_preview(bot)
    await bot.click_dm(PRACTITIONER, "intake_post")
    post = bot.slack.messages(CONSULT)[0]
    before = len(bot.dms(PRACTITIONER))
    await bot.slack.send_user_message(COLLEAGUE, CONSULT, "First thought.", thread_ts=post["ts"])
    await bot.worker.tick()  # the first reply does not wait for the window
    first = bot.dms(PRACTITIONER)[before:]
    assert len(first) == 1 and "1 new reply" in flat(first[0]) and "First thought." in flat(first[0])
    before = len(bot.dms(PRACTITIONER))
    for text in ("Second thought.", "Third."):
        await bot.slack.send_user_message(COLLEAGUE, CONSULT, text, thread_ts=post["ts"])
    await bot.worker.tick()
    assert len(bot.dms(PRACTITIONER)) == before  # still inside the minute
    async with bot.services.store.session() as s:
        await s.execute(update(m.Relay).values(due_at=utcnow()))
    await bot.worker.tick()
    relays = bot.dms(PRACTITIONER)[before:]
    assert len(relays) == 1 and "2 new replies" in flat(relays[0])
    assert "Second thought." in flat(relays[0]) and "Third." in flat(relays[0])
    assert "First thought." not in flat(relays[0])


async def test_slack_entities_and_mentions_in_dm_answers_read_as_plain_words(bot):
    # Slack sends "&", "<", ">" typed in a DM as entities, and a picked mention as "<@U…>"
    post = await post_with(bot, "We met at A&E <3 weeks ago, after <@U0COLL2> saw her there.", "Can I say hi?")
    literal = " ".join(body for kind, body in text_objects(post["blocks"]) if kind == "plain_text")
    assert "A&E <3 weeks" in literal, literal
    assert "&amp;" not in literal and "&lt;" not in literal and "U0COLL2" not in literal and "<@" not in literal
