"""Moderation end to end over signed HTTP: `/boundary-admin`, pre-approval, flags,
blocks, removals, retention, the audit trail, settings sources and the App Home.

Moderators act on post numbers only; these tests check at every step that no
author ID reaches anything the app writes for someone other than the author."""

import json
from datetime import timedelta

from aiohttp import ClientSession
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from sqlalchemy import text as sql
from sqlalchemy import update

from bot.gateway import Team
from bot.sandbox.signing import block_actions_body, signed_headers
from bot.storage import models as m
from bot.storage.models import utcnow
from tests.conftest import (
    COLLEAGUE,
    COLLEAGUE2,
    CONSULT,
    GENERAL,
    MODERATOR,
    PRACTITIONER,
    REVIEW,
    SECRET,
    TEAM,
    make_settings,
    start_bot,
    stop_bot,
)

PRIVATE = "G0PRIVATE"
NOT_MODERATOR = "Only moderators can use"
SITUATION = "A former client asked me to be friends after we met at a school event. We ended therapy last year."
QUESTION = "How do I decline kindly?"


# ---- helpers ---------------------------------------------------------------
def flat(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)


def valid_blocks(blocks) -> None:
    assert blocks, "a message with blocks"
    assert len(blocks) <= 50
    for b in blocks:
        Block.parse(b).to_dict()  # raises on anything slack_sdk finds invalid
        if b["type"] == "section" and "text" in b:
            assert len(b["text"]["text"]) <= 3000


def valid_view(view: dict) -> None:
    keep = {
        k: v
        for k, v in view.items()
        if k in ("type", "title", "blocks", "close", "submit", "private_metadata", "callback_id", "external_id")
    }
    View(**keep).to_dict()
    assert len(view["blocks"]) <= 100


async def admin(bot, user: str, text: str) -> str:
    """Runs `/boundary-admin text`; returns the one ephemeral answer (checked)."""
    before = len(bot.slack.calls_to("response_url"))
    delivery = await bot.command(user, text, channel=GENERAL, command="/boundary-admin")
    assert delivery.status == 200, delivery.response_text
    sent = bot.slack.calls_to("response_url")[before:]
    assert len(sent) == 1, sent
    args = sent[0].args
    assert args["response_type"] == "ephemeral"
    assert sent[0].response == {"ok": True}
    valid_blocks(args["blocks"])
    return args["text"]


async def answer_to_click(bot, user: str, message: dict, action_id: str, value=None) -> str | None:
    before = len(bot.slack.calls_to("response_url"))
    delivery = await bot.slack.click(user, message, action_id, value)
    assert delivery.status == 200
    sent = bot.slack.calls_to("response_url")[before:]
    if not sent:
        return None
    assert sent[-1].args.get("response_type", "ephemeral") == "ephemeral"
    return sent[-1].args["text"]


async def flag_post(bot, user: str, post: dict, reason: str = "") -> str | None:
    """Flag: the click opens the reason form; sending it flags and answers ephemerally."""
    delivery = await bot.slack.click(user, post, "post_flag")
    assert delivery.status == 200
    view = bot.slack.views(user)[-1]
    assert view["callback_id"] == "flag_submit", "the Flag form"
    before = len(bot.slack.calls_to("response_url"))
    await bot.slack.submit_view(user, view["id"], {"reason": {"value": reason}})
    sent = bot.slack.calls_to("response_url")[before:]
    if not sent:
        return None
    assert sent[-1].args.get("response_type") == "ephemeral"
    return sent[-1].args["text"]


async def signed_click(bot, user: str, action_id: str, value: str) -> str:
    """A hand-made click (e.g. on a button the user was never shown)."""
    before = len(bot.slack.calls_to("response_url"))
    url = bot.slack.response_url("hand-" + action_id + user, user=user)
    body = block_actions_body(user_id=user, team_id=TEAM, action_id=action_id, value=value, response_url=url)
    async with ClientSession() as s:
        async with s.post(
            bot.server.make_url("/slack/events"), data=body.encode(), headers=signed_headers(body, SECRET)
        ) as r:
            assert r.status == 200
    sent = bot.slack.calls_to("response_url")[before:]
    assert sent, "an answer"
    return sent[-1].args["text"]


async def block(bot, user: str, ref: str) -> str:
    """Types `/boundary-admin block <ref>`; when it asks "Block …?", clicks Block and
    returns what the click answers (else the command's own answer)."""
    asked = await admin(bot, user, f"block {ref}")
    if not asked.startswith("Block "):
        return asked
    question = bot.slack.ephemerals(user)[-1]
    assert "admin_block_yes" in flat(question) and "admin_block_no" in flat(question)
    before = len(bot.slack.calls_to("response_url"))
    await bot.slack.click(user, question, "admin_block_yes")
    sent = bot.slack.calls_to("response_url")[before:]
    assert len(sent) == 1 and sent[0].args.get("replace_original") in (True, "true"), sent
    return sent[0].args["text"]


async def consult(
    bot,
    user: str = PRACTITIONER,
    situation: str = SITUATION,
    question: str = QUESTION,
    group: str | None = None,
    post: bool = True,
) -> dict:
    """Runs a whole intake by typing; returns the DM shown last."""
    d = await bot.command(user, "consult")
    assert d.status == 200
    await bot.dm(user, "1")  # current client
    await bot.dm(user, "skip")  # setting
    await bot.dm(user, situation)
    await bot.dm(user, "skip")  # considering
    await bot.dm(user, "ok")  # the suggested principles
    await bot.dm(user, question)
    if group is not None:
        step = bot.last_dm(user)
        assert "Which group" in flat(step)
        await bot.click_dm(
            user,
            next(
                el["action_id"]
                for b in step["blocks"]
                if b["type"] == "actions"
                for el in b["elements"]
                if el.get("value", "").endswith("|" + group)
            ),
        )
    assert "Post anonymously" in flat(bot.last_dm(user)), flat(bot.last_dm(user))[:500]
    if post:
        await bot.click_dm(user, "intake_post")
    return bot.last_dm(user)


def written_for_others(bot, author: str) -> list[dict]:
    """Every message, update and view the app sent anywhere but the author's own DM and Home."""
    out = []
    own_dm = bot.slack.dm_channel(author)
    for call in bot.slack.calls:
        if (
            call.method in ("chat.postMessage", "chat.update", "chat.postEphemeral")
            and call.args.get("channel") != own_dm
        ):
            out.append(call.args)
        elif call.method in ("views.open", "views.update") or (
            call.method == "views.publish" and call.args.get("user_id") != author
        ):
            out.append(call.args)
        elif call.method == "response_url":
            out.append(call.args)
    return out


def assert_author_hidden(bot, author: str = PRACTITIONER) -> None:
    for args in written_for_others(bot, author):
        assert author not in flat(args), args


async def db_dump(bot) -> str:
    rows = []
    async with bot.services.store.engine.connect() as conn:
        tables = (await conn.execute(sql("SELECT name FROM sqlite_master WHERE type='table'"))).scalars().all()
        for table in tables:
            rows.append(f"{table}: {(await conn.execute(sql(f'SELECT * FROM {table}'))).all()!r}")
    return "\n".join(rows)


async def review_ready(bot) -> None:
    assert "now go to <#G0REVIEW>" in await admin(bot, MODERATOR, "review-channel <#G0REVIEW|consult-review>")


# ---- refusals and usage ------------------------------------------------------
EVERY_SUBCOMMAND = [
    "",
    "help",
    "status",
    "channels",
    "channel add <#C0GENERAL|general>",
    "channel remove <#C0CONSULT|peer-consult>",
    "moderators",
    f"moderators add <@{COLLEAGUE}>",
    f"moderators remove <@{MODERATOR}>",
    "approval on",
    "approval off",
    "review-channel <#G0REVIEW|consult-review>",
    "terms",
    "terms add Lighthouse",
    "terms remove x",
    "retention 1",
    "block 1",
    "remove 1",
    "audit",
    "nonsense",
]


async def test_non_moderators_are_refused_every_subcommand(bot):
    await consult(bot)
    for text in EVERY_SUBCOMMAND:
        answer = await admin(bot, COLLEAGUE, text)
        assert answer.startswith(NOT_MODERATOR), (text, answer)
    # Nothing changed: the post is there, nobody is blocked, nothing was audited or stored.
    assert len(bot.slack.messages(CONSULT)) == 1
    assert not bot.slack.calls_to("conversations.join")
    store = bot.services.store
    assert await store.settings(TEAM) == {} and await store.audit_log(TEAM) == [] and await store.terms(TEAM) == []
    assert (await store.get_post(1)).content is not None


async def test_help_unknown_and_usage_lines(bot):
    usage = await admin(bot, MODERATOR, "")
    assert "moderators only" in usage
    for sub in (
        "status",
        "channel add",
        "approval on",
        "review-channel",
        "terms add",
        "retention",
        "block",
        "remove",
        "audit",
    ):
        assert f"`{sub}" in usage, sub
    assert await admin(bot, MODERATOR, "help") == usage
    unknown = await admin(bot, MODERATOR, "frobnicate <!channel> & co")
    assert unknown.startswith("I don't know `frobnicate`") and usage in unknown
    sneaky = await admin(bot, MODERATOR, "<!channel>")
    assert "<!channel>" not in sneaky and "&lt;!channel&gt;" in sneaky
    wrong = {
        "channel": "Usage: `/boundary-admin channel add",
        "channel frob <#C0GENERAL|general>": "Usage: `/boundary-admin channel add",
        "channel add": "Usage: `/boundary-admin channel add",
        "moderators add": "Usage: `/boundary-admin moderators add",
        "moderators promote <@U0COLL1>": "Usage: `/boundary-admin moderators add",
        "approval": "Usage: `/boundary-admin approval on`",
        "approval maybe": "Usage: `/boundary-admin approval on`",
        "review-channel": "Usage: `/boundary-admin review-channel",
        "terms add": "Usage: `/boundary-admin terms add",
        "terms frob": "Usage: `/boundary-admin terms add",
        "retention": "Usage: `/boundary-admin retention &lt;days&gt;`",
        "retention soon": "Usage: `/boundary-admin retention &lt;days&gt;`",
        "retention -3": "Usage: `/boundary-admin retention &lt;days&gt;`",
        "block": "Usage: `/boundary-admin block &lt;post number&gt;`",
        "block Pat": "Usage: `/boundary-admin block &lt;post number&gt;`",
        "remove": "Usage: `/boundary-admin remove &lt;post number&gt;`",
        "remove the last one": "Usage: `/boundary-admin remove &lt;post number&gt;`",
    }
    for text, expected in wrong.items():
        assert (await admin(bot, MODERATOR, text)).startswith(expected), text
    assert "There's no post #7" in await block(bot, MODERATOR, "7")
    assert "There's no post #7" in await admin(bot, MODERATOR, "remove #7")
    assert await bot.services.store.audit_log(TEAM) == []


async def test_plain_names_are_sent_to_autocomplete(bot):
    bot.slack.escape_commands = set()  # plain names reach the app (a name Slack could not resolve)
    for text in ("channel add #general", "channel remove #peer-consult", "review-channel #consult-review"):
        answer = await admin(bot, MODERATOR, text)
        assert "pick the channel from Slack's autocomplete" in answer, text
    answer = await admin(bot, MODERATOR, "moderators add @sam")
    assert "pick the person from Slack's autocomplete" in answer and "`@sam`" in answer
    answer = await admin(bot, MODERATOR, "channel add #<b>&x")
    assert "<b>" not in answer and "&lt;b&gt;&amp;x" in answer
    assert not bot.slack.calls_to("conversations.join")
    assert await bot.services.store.channels(TEAM) == []


# ---- channels ----------------------------------------------------------------
async def test_second_channel_is_joined_and_the_intake_then_asks_which_group(bot):
    # One channel: no group step, the post goes to it.
    await consult(bot)
    assert "Which group" not in flat(bot.dms(PRACTITIONER))
    assert len(bot.slack.messages(CONSULT)) == 1

    answer = await admin(bot, MODERATOR, "channel add <#C0GENERAL|general>")
    assert answer == "<#C0GENERAL> is now a consultation channel."
    assert [c.args["channel"] for c in bot.slack.calls_to("conversations.join")] == [GENERAL]
    assert bot.slack.channels[GENERAL]["is_member"]
    listed = await admin(bot, MODERATOR, "channels")
    assert "<#C0CONSULT> _(from default.yaml)_" in listed and "<#C0GENERAL> _(set in Slack)_" in listed
    assert "channel add · <#C0GENERAL>" in await admin(bot, MODERATOR, "audit")

    # Two channels: the next intake asks, and the post goes where the poster chose.
    await consult(bot, COLLEAGUE, group=GENERAL)
    # As first sent (once answered, the question loses its buttons).
    dm = bot.slack.dm_channel(COLLEAGUE)
    ask = [
        c.args
        for c in bot.slack.calls_to("chat.postMessage")
        if c.args.get("channel") == dm and "Which group" in flat(c.args)
    ]
    assert len(ask) == 1 and "#general" in flat(ask[0]) and "#peer-consult" in flat(ask[0])
    valid_blocks(ask[0]["blocks"])
    posted = bot.slack.messages(GENERAL)
    assert len(posted) == 1 and "Dilemma #2" in flat(posted[0])
    assert len(bot.slack.messages(CONSULT)) == 1

    # Adding it again is harmless; removing it brings back the single-group intake.
    assert "is now a consultation channel" in await admin(bot, MODERATOR, "channel add <#C0GENERAL>")
    assert "no longer a consultation channel" in await admin(bot, MODERATOR, "channel remove <#C0GENERAL|general>")
    assert "isn't a consultation channel" in await admin(bot, MODERATOR, "channel remove <#C0GENERAL|general>")
    await consult(bot, COLLEAGUE2)
    assert "Which group" not in flat(bot.dms(COLLEAGUE2))
    assert len(bot.slack.messages(CONSULT)) == 2


async def test_removing_the_configured_channel_overrides_config(bot):
    assert "no longer a consultation channel" in await admin(bot, MODERATOR, "channel remove <#C0CONSULT|peer-consult>")
    assert "none yet" in await admin(bot, MODERATOR, "channels")
    await bot.command(PRACTITIONER, "consult")
    assert "No consultation channel is set up yet" in flat(bot.last_dm(PRACTITIONER))
    assert "is now a consultation channel" in await admin(bot, MODERATOR, "channel add <#C0CONSULT>")
    assert "set in Slack" in await admin(bot, MODERATOR, "channels")


async def test_private_channel_the_app_is_not_in_asks_for_an_invite(bot):
    # Slack hides a private channel from an app that isn't in it (channel_not_found).
    for text in (
        "channel add <#G0PRIVATE|staff-lounge>",
        "review-channel <#G0PRIVATE|staff-lounge>",
        "channel add <#C0NOPE|nope>",
    ):
        answer = await admin(bot, MODERATOR, text)
        assert "a private channel I haven't been invited to" in answer and "invite me first" in answer, text
    assert not bot.slack.calls_to("conversations.join")
    assert await bot.services.store.channels(TEAM) == []
    assert "review_channel" not in await bot.services.store.settings(TEAM)
    # If Slack does show it (private, app not a member), the answer is plain.
    bot.slack.channels[PRIVATE]["is_member"] = False
    real_info = bot.slack._m_conversations_info
    bot.slack._m_conversations_info = lambda args: {
        "channel": bot.slack._channel_info(bot.slack.channels[args["channel"]])
    }
    answer = await admin(bot, MODERATOR, "channel add <#G0PRIVATE|staff-lounge>")
    assert "<#G0PRIVATE> is private and I'm not in it. Invite me first" in answer
    bot.slack._m_conversations_info = real_info
    # Joining a public channel can fail too.
    bot.slack.fail_next("conversations.join", "is_archived")
    assert "I couldn't join <#C0GENERAL> (is_archived)" in await admin(
        bot, MODERATOR, "channel add <#C0GENERAL|general>"
    )
    assert await bot.services.store.channels(TEAM) == []
    # Once invited, it works (no join needed for a private channel the app is in).
    bot.slack.channels[PRIVATE]["is_member"] = True
    assert "is now a consultation channel" in await admin(bot, MODERATOR, "channel add <#G0PRIVATE|staff-lounge>")
    assert [c.args["channel"] for c in bot.slack.calls_to("conversations.join")] == [GENERAL]
    assert [c.channel_id for c in await bot.services.store.channels(TEAM)] == [PRIVATE]


async def test_review_channel_public_gets_a_privacy_note(bot):
    answer = await admin(bot, MODERATOR, "review-channel <#C0GENERAL|general>")
    assert "now go to <#C0GENERAL>" in answer and "public" in answer
    assert bot.slack.channels[GENERAL]["is_member"]
    answer = await admin(bot, MODERATOR, "review-channel <#G0REVIEW|consult-review>")
    assert "now go to <#G0REVIEW>" in answer and "public" not in answer


# ---- moderators --------------------------------------------------------------
async def test_moderators_added_in_slack_can_moderate_until_removed(bot):
    assert (await admin(bot, COLLEAGUE, "status")).startswith(NOT_MODERATOR)
    assert await admin(bot, MODERATOR, f"moderators add <@{COLLEAGUE}>") == f"<@{COLLEAGUE}> is now a moderator."
    assert "already a moderator" in await admin(bot, MODERATOR, f"moderators add <@{COLLEAGUE}|sam>")
    assert f"<@{COLLEAGUE}>" in await admin(bot, COLLEAGUE, "moderators")
    assert "Boundary Consult settings" in await admin(bot, COLLEAGUE, "status")
    assert "no longer a moderator" in await admin(bot, MODERATOR, f"moderators remove <@{COLLEAGUE}>")
    assert (await admin(bot, COLLEAGUE, "status")).startswith(NOT_MODERATOR)
    assert "isn't on the moderator list" in await admin(bot, MODERATOR, f"moderators remove <@{COLLEAGUE}>")
    audit = await admin(bot, MODERATOR, "audit")
    assert f"moderator add · <@{COLLEAGUE}>" in audit and f"moderator remove · <@{COLLEAGUE}>" in audit


async def test_workspace_admin_status_is_cached_briefly(bot):
    await admin(bot, MODERATOR, "status")
    await admin(bot, MODERATOR, "channels")
    assert len([c for c in bot.slack.calls_to("users.info") if c.args.get("user") == MODERATOR]) == 1
    bot.slack.users[MODERATOR]["is_admin"] = False
    assert "Boundary Consult settings" in await admin(bot, MODERATOR, "status")  # still cached
    bot.services.moderation._admin_cache.clear()  # the cache expires
    assert (await admin(bot, MODERATOR, "status")).startswith(NOT_MODERATOR)
    bot.slack.users[COLLEAGUE]["is_owner"] = True
    assert "Boundary Consult settings" in await admin(bot, COLLEAGUE, "status")


# ---- settings sources ------------------------------------------------------------
async def test_status_shows_where_each_value_comes_from_and_slack_overrides_config(tmp_path, slack):
    settings = make_settings(
        tmp_path,
        slack_api_url=slack.api_url,
        approval=False,
        review_channel=REVIEW,
        retention_days=30,
        terms=["Lighthouse program"],
        moderators=[COLLEAGUE2],
    )
    bot = await start_bot(settings, slack)
    try:
        status = await admin(bot, COLLEAGUE2, "status")  # a moderator from config/
        assert "*Pre-approval:* off _(from default.yaml)_" in status
        assert "*Review channel:* <#G0REVIEW> _(from default.yaml)_" in status
        assert "*Retention:* 30 days _(from default.yaml)_" in status
        assert "*Workspace terms:* 1 _(1 from the config file, 0 set in Slack)_" in status
        assert "*Consultation channels:* <#C0CONSULT> _(from default.yaml)_" in status
        assert "*Retention job:* has not run yet" in status

        await admin(bot, COLLEAGUE2, "approval on")
        await admin(bot, COLLEAGUE2, "retention 0")
        await admin(bot, COLLEAGUE2, "terms add Sunny Days")
        await admin(bot, COLLEAGUE2, "channel add <#C0GENERAL|general>")
        status = await admin(bot, COLLEAGUE2, "status")
        assert "*Pre-approval:* on _(set in Slack)_" in status
        assert "*Retention:* keep post text _(set in Slack)_" in status
        assert "*Review channel:* <#G0REVIEW> _(from default.yaml)_" in status
        assert "*Workspace terms:* 2 _(1 from the config file, 1 set in Slack)_" in status
        assert "<#C0CONSULT>, <#C0GENERAL> _(from the config file and Slack)_" in status
        # The stored values are what the app acts on.
        eff = await bot.services.workspace.effective(TEAM)
        assert eff.approval is True and eff.retention_days == 0 and eff.terms == ["Lighthouse program", "Sunny Days"]
        # A config moderator stays one; a config term can't be removed in Slack.
        assert "isn't on the moderator list" in await admin(bot, MODERATOR, f"moderators remove <@{COLLEAGUE2}>")
        assert "Boundary Consult settings" in await admin(bot, COLLEAGUE2, "status")
        assert "configuration" in await admin(bot, COLLEAGUE2, "terms remove Lighthouse program")
        # Settings survive a restart: they live in the database, not in memory.
        await stop_bot(bot)
        bot = await start_bot(settings, slack)
        assert "*Pre-approval:* on _(set in Slack)_" in await admin(bot, COLLEAGUE2, "status")
    finally:
        await stop_bot(bot)


# ---- terms -------------------------------------------------------------------------
async def test_terms_added_in_slack_are_removed_from_the_next_post(bot):
    assert "No workspace terms yet" in await admin(bot, MODERATOR, "terms")
    situation = "My client joined our Lighthouse program and asked me to be friends outside sessions."
    await consult(bot, situation=situation)
    assert "Lighthouse program" in flat(bot.slack.messages(CONSULT)[0])  # the engine alone keeps it

    assert "I'll always remove “Lighthouse program”" in await admin(bot, MODERATOR, "terms add  Lighthouse   program ")
    assert "already on the list" in await admin(bot, MODERATOR, "terms add lighthouse PROGRAM")
    assert "“Lighthouse program”" in await admin(bot, MODERATOR, "terms")
    await consult(bot, COLLEAGUE, situation=situation, question="Does the LIGHTHOUSE PROGRAM policy help?")
    post = flat(bot.slack.messages(CONSULT)[1])
    assert "Dilemma #2" in post and "lighthouse" not in post.lower()

    # Terms apply to anonymous replies too.
    await bot.slack.click(COLLEAGUE2, bot.slack.messages(CONSULT)[1], "post_reply_anon")
    view = bot.slack.views(COLLEAGUE2)[-1]
    await bot.slack.submit_view(COLLEAGUE2, view["id"], {"reply": {"value": "The Lighthouse program has a policy."}})
    thread = bot.slack.replies(CONSULT, bot.slack.messages(CONSULT)[1]["ts"])
    assert "Anonymous colleague" in flat(thread[-1]) and "Lighthouse" not in flat(thread[-1])

    # Term text is escaped when shown, and removal is case-insensitive.
    answer = await admin(bot, MODERATOR, "terms add <Oak & Ash>")
    assert "“&lt;Oak &amp; Ash&gt;”" in answer and "<Oak" not in answer
    assert "is off the list" in await admin(bot, MODERATOR, "terms remove LIGHTHOUSE program")
    assert "isn't on the list" in await admin(bot, MODERATOR, "terms remove Lighthouse program")
    assert await bot.services.store.terms(TEAM) == ["<Oak & Ash>"]
    audit = await admin(bot, MODERATOR, "audit")
    assert "terms add" in audit and "terms remove" in audit and "Lighthouse" not in audit


# ---- approval ------------------------------------------------------------------------
async def test_approval_approve_posts_and_tells_the_poster(bot):
    await review_ready(bot)
    assert "new posts wait in <#G0REVIEW>" in await admin(bot, MODERATOR, "approval on")
    await consult(bot)
    assert "A moderator will see only the de-identified post" in flat(bot.last_dm(PRACTITIONER))
    assert bot.slack.messages(CONSULT) == []
    review = bot.slack.messages(REVIEW)
    assert len(review) == 1
    request = review[0]
    valid_blocks(request["blocks"])
    shown = flat(request)
    assert "Awaiting approval: Dilemma #1" in shown and "decline kindly" in shown and "<#C0CONSULT>" in shown
    assert PRACTITIONER not in shown

    # A colleague can't approve, even by pressing the button.
    assert (await answer_to_click(bot, COLLEAGUE, request, "review_approve")).startswith(NOT_MODERATOR)
    assert bot.slack.messages(CONSULT) == []

    answer = await answer_to_click(bot, MODERATOR, request, "review_approve")
    assert "Approved by <@U0MOD>" in answer
    posted = bot.slack.messages(CONSULT)
    assert len(posted) == 1 and "Dilemma #1" in flat(posted[0]) and "decline kindly" in flat(posted[0])
    assert "A moderator approved your consult: it's posted as *Dilemma #1* in <#C0CONSULT>" in flat(
        bot.last_dm(PRACTITIONER)
    )
    closed = bot.slack.messages(REVIEW)[0]
    assert "Approved by <@U0MOD>" in flat(closed) and "review_approve" not in flat(closed)
    valid_blocks(closed["blocks"])

    # A second decision (a stale button, another moderator) changes nothing.
    assert "already decided" in await signed_click(bot, MODERATOR, "review_approve", "1")
    assert "already decided" in await signed_click(bot, MODERATOR, "review_reject", "1")
    assert not bot.slack.views(MODERATOR)
    assert len(bot.slack.messages(CONSULT)) == 1
    assert "approve · Dilemma #1" in await admin(bot, MODERATOR, "audit")
    assert_author_hidden(bot)


async def test_approval_reject_with_reason_tells_the_poster_and_purges(bot):
    await review_ready(bot)
    await admin(bot, MODERATOR, "approval on")
    await consult(bot)
    request = bot.slack.messages(REVIEW)[0]

    # Reject opens the reason form, for moderators only.
    assert (await answer_to_click(bot, COLLEAGUE, request, "review_reject")).startswith(NOT_MODERATOR)
    assert not bot.slack.views(COLLEAGUE)
    await bot.slack.click(MODERATOR, request, "review_reject")
    form = bot.slack.views(MODERATOR)[-1]
    valid_view(form)
    assert form["callback_id"] == "review_reject_submit" and form["private_metadata"].startswith("p1~")

    reason = "It still names the school <!channel> & the town."
    await bot.slack.submit_view(MODERATOR, form["id"], {"reason": {"value": reason}})
    assert not bot.slack.views(MODERATOR)
    told = flat(bot.last_dm(PRACTITIONER))
    assert (
        "didn't approve your consult" in told and "It still names the school &lt;!channel&gt; &amp; the town." in told
    )
    assert "<!channel>" not in told
    assert "Rejected by <@U0MOD>" in flat(bot.last_dm(MODERATOR))
    assert bot.slack.messages(CONSULT) == []
    closed = flat(bot.slack.messages(REVIEW)[0])
    assert "Rejected by <@U0MOD>" in closed and "review_reject" not in closed and "<!channel>" not in closed
    post = await bot.services.store.get_post(1)
    assert post.status == "rejected" and post.content is None and post.author_enc is None
    # Approving it afterwards does nothing.
    assert "already decided" in await signed_click(bot, MODERATOR, "review_approve", "1")
    assert bot.slack.messages(CONSULT) == []
    # A colleague submitting a hand-made reject form is refused too.
    await consult(bot, COLLEAGUE)
    assert (await bot.services.moderation.reject(Team(TEAM), COLLEAGUE, 2, "no")).startswith(NOT_MODERATOR)
    assert (await bot.services.store.get_post(2)).status == "awaiting_approval"
    assert "reject · Dilemma #1" in await admin(bot, MODERATOR, "audit")
    assert_author_hidden(bot)
    assert_author_hidden(bot, COLLEAGUE)


async def test_approval_without_review_channel_waits_in_the_app_home_queue(bot):
    assert "they wait on the App Home tab" in await admin(bot, MODERATOR, "approval on")
    await consult(bot)
    assert bot.slack.messages(CONSULT) == [] and bot.slack.messages(REVIEW) == []
    await bot.slack.open_home(MODERATOR)
    home = bot.slack.home(MODERATOR)
    valid_view(home)
    assert "Dilemma #1 awaits approval" in flat(home)
    # Approve from the Home tab (no response_url there).
    await bot.slack.click(MODERATOR, home, "review_approve", "1")
    assert len(bot.slack.messages(CONSULT)) == 1
    assert "A moderator approved your consult" in flat(bot.last_dm(PRACTITIONER))
    home = bot.slack.home(MODERATOR)
    assert "awaits approval" not in flat(home) and "Nothing waiting" in flat(home)
    assert "Approved by <@U0MOD>" in flat(bot.last_dm(MODERATOR))
    # Turning approval off: posts go straight out again.
    assert "go straight to the group" in await admin(bot, MODERATOR, "approval off")
    await consult(bot, COLLEAGUE)
    assert len(bot.slack.messages(CONSULT)) == 2


# ---- flags ------------------------------------------------------------------------------
async def test_flags_reach_the_review_channel_and_dismiss_keeps_remove_deletes(bot):
    await review_ready(bot)
    await consult(bot)
    post = bot.slack.messages(CONSULT)[0]
    await bot.slack.send_user_message(COLLEAGUE2, CONSULT, "My own reply.", thread_ts=post["ts"])
    await bot.slack.click(COLLEAGUE, post, "post_reply_anon")
    await bot.slack.submit_view(
        COLLEAGUE, bot.slack.views(COLLEAGUE)[-1]["id"], {"reply": {"value": "Decline warmly."}}
    )

    assert "moderators have been told" in await flag_post(bot, COLLEAGUE, post)
    flags = bot.slack.messages(REVIEW)
    assert len(flags) == 1
    notice = flags[0]
    valid_blocks(notice["blocks"])
    assert "Flagged: Dilemma #1" in flat(notice) and "decline kindly" in flat(notice)
    assert PRACTITIONER not in flat(notice) and COLLEAGUE not in flat(notice)
    assert "already flagged" in await flag_post(bot, COLLEAGUE, post)
    assert len(bot.slack.messages(REVIEW)) == 1

    # Only moderators decide.
    for action in ("flag_dismiss", "flag_remove"):
        assert (await answer_to_click(bot, COLLEAGUE, notice, action)).startswith(NOT_MODERATOR)
    assert "Dismissed by <@U0MOD>" in await answer_to_click(bot, MODERATOR, notice, "flag_dismiss")
    assert len(bot.slack.messages(CONSULT)) == 1
    closed = flat(bot.slack.messages(REVIEW)[0])
    assert "Dismissed by <@U0MOD>" in closed and "flag_remove" not in closed
    assert "already decided" in await signed_click(bot, MODERATOR, "flag_remove", "1")
    assert len(bot.slack.messages(CONSULT)) == 1

    # A second flag, this time removed: the post and the app's thread replies go.
    await flag_post(bot, COLLEAGUE2, bot.slack.messages(CONSULT)[0])
    notice = bot.slack.messages(REVIEW)[-1]
    assert "Flagged: Dilemma #1" in flat(notice)
    assert "Removed by <@U0MOD>" in await answer_to_click(bot, MODERATOR, notice, "flag_remove")
    left = bot.slack.all_messages(CONSULT)
    assert all(msg.get("user") in (COLLEAGUE2, "USLACKBOT") for msg in left), left
    assert "Dilemma #1" not in flat(left) and "Anonymous colleague" not in flat(left)
    row = await bot.services.store.get_post(1)
    assert row.status == "removed" and row.content is None
    assert "Removed by <@U0MOD>" in flat(bot.slack.messages(REVIEW)[-1])
    audit = await admin(bot, MODERATOR, "audit")
    assert "flag dismiss · Dilemma #1" in audit and "flag remove · Dilemma #1" in audit
    assert_author_hidden(bot)


async def test_flags_without_review_channel_are_decided_from_the_home_tab(bot):
    await consult(bot)
    await flag_post(bot, COLLEAGUE, bot.slack.messages(CONSULT)[0])
    await bot.slack.open_home(MODERATOR)
    home = bot.slack.home(MODERATOR)
    assert "Dilemma #1 was flagged" in flat(home) and "flag_remove" in flat(home)
    await bot.slack.click(MODERATOR, home, "flag_remove")
    assert bot.slack.messages(CONSULT) == []
    assert "Nothing waiting" in flat(bot.slack.home(MODERATOR))


async def test_removing_a_post_closes_its_open_flags(bot):
    await review_ready(bot)
    await consult(bot)
    await flag_post(bot, COLLEAGUE, bot.slack.messages(CONSULT)[0])
    assert "Dilemma #1 and the app's replies in its thread are deleted" in await admin(bot, MODERATOR, "remove 1")
    assert await bot.services.store.open_flags(TEAM) == []
    assert "flag_remove" not in flat(bot.slack.messages(REVIEW))


# ---- block and remove ----------------------------------------------------------------------
async def test_block_holds_without_revealing_the_author(bot):
    await consult(bot)  # Dilemma #1
    await consult(bot, post=False)  # a second draft, open at the preview
    answer = await block(bot, MODERATOR, "1")
    assert answer == (
        "The author of Dilemma #1 can no longer post consults or anonymous replies. "
        "Nobody — you included — learns who it is."
    )
    assert await block(bot, MODERATOR, "#1") == answer

    # The open draft can't be posted.
    await bot.click_dm(PRACTITIONER, "intake_post")
    assert "You can't post consults in this workspace" in flat(bot.last_dm(PRACTITIONER))
    assert len(bot.slack.messages(CONSULT)) == 1
    # A new consult is refused politely.
    before = len(bot.dms(PRACTITIONER))
    await bot.command(PRACTITIONER, "consult")
    new = bot.dms(PRACTITIONER)[before:]
    assert len(new) == 1 and "You can't post consults in this workspace" in flat(new[0])
    assert "contact your group's moderators" in flat(new[0])
    # Someone else is unaffected.
    await consult(bot, COLLEAGUE)
    assert len(bot.slack.messages(CONSULT)) == 2

    # Nothing tells anyone who it is: not the answers, messages, audit or database.
    audit = await admin(bot, MODERATOR, "audit")
    assert audit.count("block · Dilemma #1") == 2
    assert_author_hidden(bot)
    dump = await db_dump(bot)
    assert PRACTITIONER not in dump and "author_blocks" in dump


async def test_block_survives_removal_of_the_post(bot):
    await consult(bot)
    await admin(bot, MODERATOR, "remove 1")
    assert "can no longer post" in await block(bot, MODERATOR, "1")
    await bot.command(PRACTITIONER, "consult")
    assert "You can't post consults" in flat(bot.last_dm(PRACTITIONER))


async def test_remove_deletes_the_post_and_the_apps_thread_messages(bot):
    await consult(bot)
    post = bot.slack.messages(CONSULT)[0]
    await bot.slack.send_user_message(COLLEAGUE2, CONSULT, "Thoughts: decline.", thread_ts=post["ts"])
    await bot.slack.click(COLLEAGUE, post, "post_reply_anon")
    await bot.slack.submit_view(COLLEAGUE, bot.slack.views(COLLEAGUE)[-1]["id"], {"reply": {"value": "Agreed."}})
    await bot.worker.tick()  # relays the replies to the poster, who answers as original poster
    await bot.click_dm(PRACTITIONER, "post_op_reply")
    await bot.slack.submit_view(PRACTITIONER, bot.slack.views(PRACTITIONER)[-1]["id"], {"reply": {"value": "Thanks."}})
    assert len(bot.slack.replies(CONSULT, post["ts"])) == 4

    assert "Dilemma #1 and the app's replies in its thread are deleted" in await admin(bot, MODERATOR, "remove 1")
    left = bot.slack.all_messages(CONSULT)
    assert all(msg.get("user") in (COLLEAGUE2, "USLACKBOT") for msg in left), left
    row = await bot.services.store.get_post(1)
    assert row.status == "removed" and row.content is None and row.author_enc is None
    assert "There's no post #1" in await admin(bot, MODERATOR, "remove 1")
    assert "remove · Dilemma #1" in await admin(bot, MODERATOR, "audit")
    # The author's own list no longer offers it.
    await bot.command(PRACTITIONER, "mine")
    assert_author_hidden(bot)


# ---- retention -------------------------------------------------------------------------------
async def backdate(bot, number: int, days: float) -> None:
    async with bot.services.store.session() as s:
        await s.execute(update(m.Post).where(m.Post.id == number).values(created_at=utcnow() - timedelta(days=days)))


async def test_retention_purges_old_post_text_and_status_shows_counts(bot):
    await consult(bot)
    await consult(bot, COLLEAGUE)
    await backdate(bot, 1, 3)
    assert "has not run yet" in await admin(bot, MODERATOR, "status")

    # Nothing to purge while retention is 0 (keep).
    assert (await bot.services.moderation.run_retention())["purged"] == 0
    assert (await bot.services.store.get_post(1)).content is not None

    answer = await admin(bot, MODERATOR, "retention 2")
    assert "older than 2 days will be purged" in answer
    old, new = await bot.services.store.get_post(1), await bot.services.store.get_post(2)
    assert old.content is None and old.author_enc is None and old.purged_at is not None
    assert new.content is not None
    status = await admin(bot, MODERATOR, "status")
    assert "*Retention:* 2 days _(set in Slack)_" in status
    assert "*Retention job:* last ran " in status and "purged 1 post(s)" in status
    assert "decline kindly" not in status

    # The periodic job: the second post ages too.
    await backdate(bot, 2, 5)
    assert (await bot.services.moderation.run_retention())["purged"] == 1
    assert (await bot.services.store.get_post(2)).content is None
    assert "purged 1 post(s)" in await admin(bot, MODERATOR, "status")
    assert (await bot.services.moderation.run_retention())["purged"] == 0
    assert "purged 0 post(s)" in await admin(bot, MODERATOR, "status")
    assert "retention · 2" in await admin(bot, MODERATOR, "audit")
    assert "Post text is kept" in await admin(bot, MODERATOR, "retention 0")
    # A purged post can't be replied to or flagged any more.
    assert "can't find that post" in await flag_post(bot, COLLEAGUE2, bot.slack.messages(CONSULT)[0])


async def test_retention_keeps_posts_still_waiting_for_approval(bot):
    await review_ready(bot)
    await admin(bot, MODERATOR, "approval on")
    await consult(bot)
    await backdate(bot, 1, 10)
    await admin(bot, MODERATOR, "retention 1")
    assert (await bot.services.store.get_post(1)).content is not None
    await answer_to_click(bot, MODERATOR, bot.slack.messages(REVIEW)[0], "review_approve")
    assert "decline kindly" in flat(bot.slack.messages(CONSULT))


async def test_retention_runs_on_the_workers_first_tick(bot):
    await bot.worker.tick()
    assert await bot.services.store.job("retention") is not None


# ---- audit -------------------------------------------------------------------------------------
async def test_audit_shows_the_last_20_actions_with_who_what_and_post_number(bot):
    assert "No moderator actions yet" in await admin(bot, MODERATOR, "audit")
    await consult(bot)
    await consult(bot, COLLEAGUE)
    await admin(bot, MODERATOR, f"moderators add <@{COLLEAGUE2}>")
    for i in range(10):
        await admin(bot, MODERATOR, f"approval {'on' if i % 2 == 0 else 'off'}")
    await admin(bot, MODERATOR, "terms add Sunny Days")
    for i in range(7):
        await admin(bot, COLLEAGUE2, f"retention {i + 10}")
    await block(bot, COLLEAGUE2, "2")
    await admin(bot, MODERATOR, "remove 1")
    audit = await admin(bot, MODERATOR, "audit")
    lines = [line for line in audit.split("\n") if line.startswith("• ")]
    assert len(lines) == 20
    assert lines[0].endswith(f"<@{MODERATOR}> · remove · Dilemma #1")
    assert lines[1].endswith(f"<@{COLLEAGUE2}> · block · Dilemma #2")
    assert lines[2].endswith(f"<@{COLLEAGUE2}> · retention · 16")
    assert "moderator add" not in audit  # the oldest fell off the end
    assert sum("approval" in line for line in lines) == 10
    assert utcnow().strftime("%Y-%m-%d") in lines[0]
    assert PRACTITIONER not in audit and COLLEAGUE not in audit  # the two authors
    assert "Sunny" not in audit
    # The table stores who and what, never who wrote a post.
    entries = await bot.services.store.audit_log(TEAM, 100)
    assert len(entries) == 21
    assert {e.moderator_id for e in entries} == {MODERATOR, COLLEAGUE2}
    for e in entries:
        assert PRACTITIONER not in flat([e.moderator_id, e.action, e.detail]) and COLLEAGUE not in flat(
            [e.moderator_id, e.action, e.detail]
        )


# ---- App Home ------------------------------------------------------------------------------------
async def test_app_home_for_everyone_and_for_moderators(bot):
    await consult(bot)
    await review_ready(bot)
    await admin(bot, MODERATOR, "approval on")
    await consult(bot, COLLEAGUE)
    await flag_post(bot, COLLEAGUE2, bot.slack.messages(CONSULT)[0])

    # A regular user: principles, the consult button and their own posts; no settings or queue.
    delivery = await bot.slack.open_home(PRACTITIONER)
    assert delivery.status == 200
    home = bot.slack.home(PRACTITIONER)
    valid_view(home)
    shown = flat(home)
    assert "The principles" in shown and "consult_start" in shown and "Objectivity" in shown
    assert "Dilemma #1" in shown and "post_delete" in shown and "Dilemma #2" not in shown
    assert "Moderator" not in shown and "Queue" not in shown and "Pre-approval" not in shown

    await bot.slack.open_home(COLLEAGUE)
    colleague_home = flat(bot.slack.home(COLLEAGUE))
    assert "Dilemma #2" in colleague_home and "waiting for a moderator" in colleague_home
    assert "review_approve" not in colleague_home

    # A moderator: also the settings and the queue (post numbers only).
    await bot.slack.open_home(MODERATOR)
    home = bot.slack.home(MODERATOR)
    valid_view(home)
    shown = flat(home)
    assert "Moderator" in shown and "*Pre-approval:* on _(set in Slack)_" in shown
    assert "Dilemma #2 awaits approval" in shown and "Dilemma #1 was flagged" in shown
    assert "You haven't posted any consults yet" in shown
    assert PRACTITIONER not in shown and COLLEAGUE not in shown

    # "Start an anonymous consult" from the Home tab opens the intake in the DM.
    await bot.slack.open_home(COLLEAGUE2)
    await bot.slack.click(COLLEAGUE2, bot.slack.home(COLLEAGUE2), "consult_start")
    assert "Who can learn what" in flat(bot.dms(COLLEAGUE2))

    # The poster's own buttons work from the Home tab too.
    await bot.slack.click(PRACTITIONER, bot.slack.home(PRACTITIONER), "post_resolve")
    assert "resolved" in flat(bot.slack.messages(CONSULT)[0]["blocks"][0])
    assert "post_resolve" not in flat(bot.slack.home(PRACTITIONER))
    # Other tabs (messages) are ignored.
    d = await bot.slack.deliver_event(
        {
            "type": "app_home_opened",
            "user": PRACTITIONER,
            "tab": "messages",
            "channel": bot.slack.dm_channel(PRACTITIONER),
        }
    )
    assert d.status == 200


async def test_blocking_two_posts_by_one_author_does_not_link_them(bot):
    await consult(bot)  # Dilemma #1
    await consult(bot)  # Dilemma #2, the same author
    await consult(bot, COLLEAGUE)  # Dilemma #3, someone else
    answers = [await block(bot, MODERATOR, f"{n}") for n in (1, 2, 3)]
    assert [a.replace(f"#{n}", "#N") for a, n in zip(answers, (1, 2, 3), strict=True)] == [
        answers[0].replace("#1", "#N")
    ] * 3
    audit = await admin(bot, MODERATOR, "audit")
    assert all(f"block · Dilemma #{n}" in audit for n in (1, 2, 3))
    for user in (PRACTITIONER, COLLEAGUE):
        await bot.command(user, "consult")
        assert "You can't post consults" in flat(bot.last_dm(user))


async def test_approval_during_a_slack_outage_posts_later_and_tells_the_poster(bot):
    await review_ready(bot)
    await admin(bot, MODERATOR, "approval on")
    await consult(bot)
    bot.slack.fail_next("chat.postMessage", 500)  # a post is never retried blindly: one error delays it
    assert "Approved by <@U0MOD>" in await answer_to_click(
        bot, MODERATOR, bot.slack.messages(REVIEW)[0], "review_approve"
    )
    assert bot.slack.messages(CONSULT) == []
    assert (await bot.services.store.get_post(1)).status == "pending"
    await bot.worker.tick()
    assert len(bot.slack.messages(CONSULT)) == 1
    assert "Your *Dilemma #1* is now posted in <#C0CONSULT>" in flat(bot.last_dm(PRACTITIONER))
    assert "already decided" in await signed_click(bot, MODERATOR, "review_approve", "1")


async def test_reject_from_the_home_tab(bot):
    await admin(bot, MODERATOR, "approval on")
    await consult(bot)
    await bot.slack.open_home(MODERATOR)
    await bot.slack.click(MODERATOR, bot.slack.home(MODERATOR), "review_reject", "1")
    form = bot.slack.views(MODERATOR)[-1]
    await bot.slack.submit_view(MODERATOR, form["id"], {"reason": {"value": "Please leave out the school."}})
    assert "Please leave out the school." in flat(bot.last_dm(PRACTITIONER))
    assert (await bot.services.store.get_post(1)).status == "rejected"
    await bot.slack.open_home(MODERATOR)
    assert "awaits approval" not in flat(bot.slack.home(MODERATOR))
    # A colleague can't reach the form from a hand-made click either.
    assert (await signed_click(bot, COLLEAGUE, "review_reject", "1")).startswith(NOT_MODERATOR)


async def test_thread_replies_to_a_purged_post_are_not_relayed(bot):
    await consult(bot)
    post = bot.slack.messages(CONSULT)[0]
    await bot.slack.send_user_message(COLLEAGUE, CONSULT, "Before the purge.", thread_ts=post["ts"])
    await backdate(bot, 1, 3)
    await admin(bot, MODERATOR, "retention 1")
    await bot.slack.send_user_message(COLLEAGUE, CONSULT, "After the purge.", thread_ts=post["ts"])
    before = len(bot.dms(PRACTITIONER))
    for _ in range(2):
        await bot.worker.tick()
    assert len(bot.dms(PRACTITIONER)) == before  # nobody to tell: the author link is gone
    async with bot.services.store.session() as s:
        assert (await s.execute(sql("SELECT count(*) FROM relays"))).scalar() == 0


async def test_typed_channel_and_person_names_work_as_in_slack(bot):
    """The commands have should_escape: Slack (here the stand-in) sends a typed
    #general and @Alex as <#C…|general> and <@U…|alex>, so they work as typed."""
    assert await admin(bot, MODERATOR, "channel add #general") == "<#C0GENERAL> is now a consultation channel."
    assert await admin(bot, MODERATOR, "moderators add @Alex") == f"<@{COLLEAGUE2}> is now a moderator."
    assert "Boundary Consult settings" in await admin(bot, COLLEAGUE2, "status")
    # A name Slack does not know is sent as typed, and the app says how to pick it.
    assert "autocomplete" in await admin(bot, MODERATOR, "moderators add @nobody")
