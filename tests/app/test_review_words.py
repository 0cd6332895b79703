"""The preview points at what de-identification kept, and the poster removes
words in one step (signed HTTP against the stand-in Slack)."""

import re

from aiohttp import ClientSession

from bot.deid import get_engine
from bot.sandbox.signing import block_actions_body, signed_headers
from tests.app.test_consult_flow import flat, post_with
from tests.conftest import COLLEAGUE, CONSULT, PRACTITIONER, SECRET, TEAM

# Several details the engine may keep but should point out; whichever it still
# keeps when this runs must be listed (the engine improves; the contract holds).
SITUATION = (
    "My client Rosalind Okafor (34) ran into me at Lincoln Elementary. Her ex rusty texted me again. "
    "Her dad passed at 9. J came in late, and I had seen R's text. She is turning eight soon. "
    "We met at brindolyn last week. I saw her at the markets in brunswick. The age of consent here is 16."
)
CONSIDERING = "Saying no kindly at our next contact, since rusty deserves honesty."
QUESTION = "How do I decline friendship without hurting her?"


def kept_words(*texts: str) -> list[str]:
    words = []
    for t in texts:
        for v in get_engine().redact(t).review:
            w = t[v.start : v.end]
            if w.casefold() not in (x.casefold() for x in words):
                words.append(w)
    return words


def present(word: str, text: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(word) + r"(?!\w)", text) is not None


def post_text(message: dict) -> str:
    """The post's own text in a preview (between its dividers) or a channel post."""
    blocks = message["blocks"]
    cut = [i for i, b in enumerate(blocks) if b.get("type") == "divider"]
    if len(cut) >= 2:
        blocks = blocks[cut[0] + 1 : cut[1]]
    return " ".join(
        b["text"]["text"]
        for b in blocks
        if b.get("type") == "section" and (b.get("text") or {}).get("type") == "plain_text"
    )


def checklist(preview: dict) -> list[str]:
    """The words under "Check these before posting" (a plain_text section)."""
    blocks = preview["blocks"]
    for i, b in enumerate(blocks[1:], 1):
        if "Check these before posting" in flat(blocks[i - 1]):
            assert b["text"]["type"] == "plain_text"
            return [w.strip() for w in b["text"]["text"].split(",")]
    return []


async def to_preview(bot, situation=SITUATION, considering=CONSIDERING, question=QUESTION):
    await bot.command(PRACTITIONER, "consult")
    await bot.dm(PRACTITIONER, "1")  # current client
    await bot.dm(PRACTITIONER, "skip")  # setting
    await bot.dm(PRACTITIONER, situation)
    await bot.dm(PRACTITIONER, considering)
    await bot.dm(PRACTITIONER, "ok")  # principles
    await bot.dm(PRACTITIONER, question)
    preview = bot.last_dm(PRACTITIONER)
    assert "Post anonymously" in flat(preview)
    return preview


async def test_preview_lists_the_words_to_check(bot):
    words = kept_words(SITUATION, CONSIDERING, QUESTION)
    assert words, "the engine should point out at least one of these details"
    preview = await to_preview(bot)
    shown = flat(preview["blocks"])
    assert "Check these before posting" in shown and "Remove words" in shown
    # the words themselves, as plain text (the poster's text never formats)
    assert checklist(preview) == words[:10]
    assert "Rosalind" not in shown and "Okafor" not in shown


async def test_no_list_when_nothing_to_check(bot):
    preview = await to_preview(bot, "A client gave me a small gift.", "Accepting it.", "Is that ok?")
    assert "Check these before posting" not in flat(preview["blocks"])
    assert "Remove words" in flat(preview["blocks"])  # any word can still be removed


async def test_remove_words_in_one_step_gives_a_new_preview_and_post(bot):
    words = kept_words(SITUATION, CONSIDERING, QUESTION)
    await to_preview(bot)
    await bot.click_dm(PRACTITIONER, "intake_remove")
    view = bot.slack.views(PRACTITIONER)[-1]
    options = [o["value"] for b in view["blocks"] if b["block_id"] == "words" for o in b["element"]["options"]]
    assert options == words[:10]
    ticked = words[:2]
    # a ticked review word, plus two words the poster typed (one in another field, one in two fields)
    await bot.slack.submit_view(
        PRACTITIONER,
        view["id"],
        {"words": {"value": ticked}, "other": {"value": "decline, honesty ; Lincoln"}},
    )
    assert bot.slack.views(PRACTITIONER) == []  # the modal closed
    dms = bot.dms(PRACTITIONER)
    assert "gone from every field" in flat(dms[-2])
    preview = dms[-1]
    body = post_text(preview)
    for w in [*ticked, "decline", "honesty"]:
        assert not present(w, body), w
    assert "[redacted]" in body
    shown = flat(preview["blocks"])
    assert "words you chose" in shown
    # the removed words are no longer listed to check; the others still are
    assert checklist(preview) == [w for w in words if w.casefold() not in {t.casefold() for t in ticked}][:10]

    # what is posted is the new preview
    await bot.click_dm(PRACTITIONER, "intake_post")
    post = bot.slack.messages(CONSULT)[0]
    posted = post_text(post)
    for w in [*ticked, "decline", "honesty"]:
        assert not present(w, posted), w
    assert "[redacted]" in posted


async def test_removed_words_stay_removed_after_an_edit(bot):
    await to_preview(bot)
    await bot.click_dm(PRACTITIONER, "intake_remove")
    view = bot.slack.views(PRACTITIONER)[-1]
    await bot.slack.submit_view(PRACTITIONER, view["id"], {"other": {"value": "kindly"}})
    assert not present("kindly", post_text(bot.last_dm(PRACTITIONER)))
    # the poster edits and writes the word again: it goes again
    await bot.click_dm(PRACTITIONER, "intake_edit")
    edit = bot.slack.views(PRACTITIONER)[-1]
    await bot.slack.submit_view(
        PRACTITIONER,
        edit["id"],
        {
            "situation": {"value": "A client met me kindly."},
            "considering": {"value": "Saying no."},
            "question": {"value": "Is that ok?"},
        },
    )
    assert not present("kindly", post_text(bot.last_dm(PRACTITIONER)))


async def test_remove_form_needs_a_word(bot):
    await to_preview(bot)
    before = len(bot.dms(PRACTITIONER))
    await bot.click_dm(PRACTITIONER, "intake_remove")
    view = bot.slack.views(PRACTITIONER)[-1]
    await bot.slack.submit_view(PRACTITIONER, view["id"], {"other": {"value": " ,, ;"}})
    assert "Tick a word or type one" in flat(bot.slack.view_errors(view["id"]))
    assert len(bot.slack.views(PRACTITIONER)) == 1  # still open
    assert len(bot.dms(PRACTITIONER)) == before


async def test_stale_remove_button_opens_nothing(bot):
    await to_preview(bot)
    old = bot.last_dm(PRACTITIONER)
    value = next(
        el["value"]
        for b in old["blocks"]
        if b["type"] == "actions"
        for el in b["elements"]
        if el.get("action_id") == "intake_remove"
    )
    await bot.click_dm(PRACTITIONER, "intake_back")  # the preview is no longer current (its buttons go)
    # a click on the old button anyway (a client that had not refreshed yet), signed as Slack sends it
    body = block_actions_body(user_id=PRACTITIONER, team_id=TEAM, action_id="intake_remove", value=value)
    async with ClientSession() as s:
        async with s.post(
            bot.server.make_url("/slack/events"), data=body.encode(), headers=signed_headers(body, SECRET)
        ) as r:
            assert r.status == 200
    assert bot.slack.views(PRACTITIONER) == []


# ---- the reply form ---------------------------------------------------------------

REPLY = "I had one like this. J said no, and her ex rusty texted me after. At 9, she left."


async def reply_form(bot, who=COLLEAGUE):
    post = await post_with(bot, "A client gave me a small gift.", "Is that ok?")
    await bot.slack.click(who, bot.slack.messages(CONSULT)[0], "post_reply_anon")
    return post, bot.slack.views(who)[-1]


def anonymous_replies(bot, post) -> list[str]:
    return [flat(m) for m in bot.slack.replies(CONSULT, post["ts"]) if "Anonymous colleague" in flat(m)]


async def test_reply_with_words_to_check_asks_before_posting(bot):
    words = kept_words(REPLY)
    assert words
    post, view = await reply_form(bot)
    await bot.slack.submit_view(COLLEAGUE, view["id"], {"reply": {"value": REPLY}})
    # the same modal, now its check step; nothing posted yet
    check = bot.slack.views(COLLEAGUE)[-1]
    assert check["id"] == view["id"] and check["callback_id"] == "reply_anon_check_submit"
    shown = flat(check["blocks"])
    assert "Check these before posting" in shown and "It will be posted as" in shown
    options = [o["value"] for b in check["blocks"] if b.get("block_id") == "words" for o in b["element"]["options"]]
    assert options == words[:10]
    reply_box = next(b for b in check["blocks"] if b.get("block_id") == "reply")
    assert reply_box["element"]["initial_value"] == REPLY
    assert anonymous_replies(bot, post) == []

    ticked = words[:1]
    await bot.slack.submit_view(
        COLLEAGUE, check["id"], {"reply": {"value": REPLY}, "words": {"value": ticked}, "other": {"value": "texted"}}
    )
    assert bot.slack.views(COLLEAGUE) == []
    posted = anonymous_replies(bot, post)
    assert len(posted) == 1
    body = posted[0]
    for w in [*ticked, "texted"]:
        assert not present(w, body.replace("Anonymous colleague", "")), w
    assert "[redacted]" in body
    assert "Dilemma #1" in flat(bot.last_dm(COLLEAGUE))  # "your reply is in the thread"


async def test_reply_can_be_posted_as_is_from_the_check_step(bot):
    words = kept_words(REPLY)
    post, view = await reply_form(bot)
    await bot.slack.submit_view(COLLEAGUE, view["id"], {"reply": {"value": REPLY}})
    check = bot.slack.views(COLLEAGUE)[-1]
    await bot.slack.submit_view(COLLEAGUE, check["id"], {"reply": {"value": REPLY}})
    posted = anonymous_replies(bot, post)
    assert len(posted) == 1 and "[redacted]" not in posted[0]
    assert all(present(w, posted[0]) for w in words)


async def test_reply_without_words_to_check_posts_at_once(bot):
    post, view = await reply_form(bot)
    await bot.slack.submit_view(COLLEAGUE, view["id"], {"reply": {"value": "I'd decline warmly and note it."}})
    assert bot.slack.views(COLLEAGUE) == []
    assert len(anonymous_replies(bot, post)) == 1


async def test_poster_reply_has_the_check_step_too(bot):
    words = kept_words(REPLY)
    post = await post_with(bot, "A client gave me a small gift.", "Is that ok?")
    await bot.slack.send_user_message(COLLEAGUE, CONSULT, "Decline.", thread_ts=post["ts"])
    await bot.worker.tick()
    await bot.click_dm(PRACTITIONER, "post_op_reply")
    view = bot.slack.views(PRACTITIONER)[-1]
    await bot.slack.submit_view(PRACTITIONER, view["id"], {"reply": {"value": REPLY}})
    check = bot.slack.views(PRACTITIONER)[-1]
    assert check["callback_id"] == "op_reply_check_submit"
    await bot.slack.submit_view(PRACTITIONER, check["id"], {"reply": {"value": REPLY}, "words": {"value": words[:1]}})
    op = [flat(m) for m in bot.slack.replies(CONSULT, post["ts"]) if "Original poster" in flat(m)]
    assert len(op) == 1 and not present(words[0], op[0].replace("Original poster", ""))
