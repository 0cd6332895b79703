"""The consultation post, its thread messages, and the poster's DMs."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ConfirmObject, InputBlock, PlainTextInputElement, PlainTextObject
from slack_sdk.models.views import View

from bot.blocks.common import (
    Document,
    Message,
    actions,
    button,
    clip,
    context,
    divider,
    escape,
    fields_section,
    header,
    labelled,
    plain_sections,
    render,
    section,
    sections,
)
from bot.consult.model import FREE_TEXT_FIELDS, OwnPost, PostContent
from bot.outgoing import ChannelPost, ConsultRecord, FlagForm, MyPosts, RelayNotice, ThreadReply
from bot.texts import text
from bot.values import post_value

REPLY_ANON = "post_reply_anon"
FLAG = "post_flag"
OP_REPLY = "post_op_reply"
RESOLVE = "post_resolve"
REOPEN = "post_reopen"
DELETE = "post_delete"
RECORD = "post_record"
FLAG_UNDO = "post_flag_undo"
FLAG_CALLBACK = "flag_submit"
REPLY_CALLBACK = {"anonymous": "reply_anon_submit", "op": "op_reply_submit"}
# the second step, shown when the reply has words to check
REPLY_CHECK_CALLBACK = {"anonymous": "reply_anon_check_submit", "op": "op_reply_check_submit"}


def _t(key: str, **fmt) -> str:
    return text(f"posts.{key}", **fmt)


def post_body(content: PostContent, catalog, number: str) -> list:
    """Blocks shared by the channel post and the intake preview, so that the
    preview is exactly what colleagues will see."""
    blocks: list[Block] = []
    title = _t("post.title", number=number)
    blocks.append(header(title))
    # Choice labels come from prompts/, not from the user; escaped all the same.
    pairs = [(label, escape(value)) for label, value in content.fields if value]
    if pairs:
        blocks.append(fields_section(pairs))
    for key in FREE_TEXT_FIELDS:
        body = content.text_of(key)
        if body:
            blocks += labelled(f"*{_t('post.' + key)}*", body)
    keys = [k for k in content.principles if k in catalog.principles]
    if keys:
        lines = "\n".join(f"• *{catalog.principles[k].title}* — {catalog.principles[k].summary}" for k in keys)
        blocks += sections(f"*{_t('post.principles')}*\n{lines}")
    return blocks


def channel_post(post: ChannelPost, catalog) -> Message:
    content = post.content
    number, value = str(post.number), post_value(post.number)
    blocks = post_body(content, catalog, number)
    if post.resolved:
        blocks[0] = header(_t("post.title_resolved", number=number))
    blocks.append(context(_t("post.footer")))
    blocks.append(
        actions(
            button(_t("post.reply_button"), REPLY_ANON, value, style="primary"),
            button(_t("post.flag_button"), FLAG, value),
        )
    )
    title = _t("post.title_resolved" if post.resolved else "post.title", number=number)
    question = content.question or ""
    return Message(text=f"{title}: {escape(question[:200])}", blocks=render(blocks))


def thread_reply(reply: ThreadReply) -> Message:
    who = _t(f"thread.{reply.kind}")
    if reply.number is not None:
        who = _t("thread.numbered", who=who, number=reply.number)
    body = reply.text
    return Message(text=f"{who}: {escape(body[:200])}", blocks=render(labelled(f"*{who}*", body)))


def owner_actions(number: int, resolved: bool) -> list:
    """The poster's buttons (values: the post's number in the workspace, bot/values.py)."""
    value = post_value(number)
    buttons = [
        button(_t("owner.reply_button"), OP_REPLY, value, style="primary"),
        _state_button(number, resolved),
    ]
    delete = button(_t("owner.delete_button"), DELETE, value, style="danger")
    delete.confirm = ConfirmObject(
        title=_t("owner.delete_confirm_title"),
        text=_t("owner.delete_confirm_text", number=number),
        confirm=_t("owner.delete_confirm_yes"),
        deny=_t("owner.delete_confirm_no"),
    )
    buttons.append(delete)
    buttons.append(button(_t("record.button"), RECORD, value))
    return [actions(*buttons)]


def _state_button(number: int, resolved: bool):
    if resolved:
        return button(_t("owner.reopen_button"), REOPEN, post_value(number))
    return button(_t("owner.resolve_button"), RESOLVE, post_value(number))


def with_resolved(message: dict, clicked: str, number: int, resolved: bool) -> Message | None:
    """The message a Mark resolved / Reopen button was clicked in, with that button (its
    value ``clicked``: the post's number, or on an older message its row id) turned into
    the other one, naming Dilemma #number (None if it has no such button)."""
    blocks = [dict(b) for b in message.get("blocks") or []]
    changed = False
    for block in blocks:
        if block.get("type") != "actions":
            continue
        elements = list(block.get("elements") or [])
        for i, el in enumerate(elements):
            if el.get("action_id") in (RESOLVE, REOPEN) and el.get("value") == clicked:
                elements[i] = _state_button(number, resolved).to_dict()
                changed = True
        block["elements"] = elements
    if not changed:
        return None
    return Message(text=message.get("text") or "", blocks=blocks)


RELAY_SHOWN = 5  # replies quoted in one relay DM; the rest are a link away
RELAY_REPLY_CHARS = 700


def relay_dm(relay: RelayNotice) -> Message:
    summary = _t("relay.text", count=relay.count, number=relay.number, s="y" if relay.count == 1 else "ies")
    link = f" <{relay.permalink}|{_t('relay.link')}>" if relay.permalink else ""
    blocks: list[Block] = [*sections(summary + link)]
    for said in relay.replies[:RELAY_SHOWN]:
        blocks.append(context(_t("relay.reply_label")))
        blocks += plain_sections(clip(said, RELAY_REPLY_CHARS))
    if len(relay.replies) > RELAY_SHOWN:
        blocks.append(context(_t("relay.more", count=len(relay.replies) - RELAY_SHOWN)))
    blocks += owner_actions(relay.number, relay.resolved)
    return Message(text=summary, blocks=render(blocks))


RECORD_REPLIES = 40  # replies written into one record (a message holds 50 blocks)
RECORD_REPLY_CHARS = 1500


def record_text(rec: ConsultRecord, catalog) -> str:
    """The record as plain text, to be copied into notes as it stands: the app's own
    labels, and the post and replies exactly as they were public in the channel."""
    c = rec.content
    lines = [_t("record.heading", number=rec.number), _t("record.date", date=rec.posted_on), ""]
    details = [f"{label}: {value}" for label, value in c.fields if value]
    if details:
        lines += [_t("record.details"), *details, ""]
    for key in FREE_TEXT_FIELDS:
        body = c.text_of(key)
        if body:
            lines += [_t(f"record.{key}"), body.strip(), ""]
    lines.append(_t("record.principles"))
    keys = [k for k in c.principles if k in catalog.principles]
    lines += [f"• {catalog.principles[k].title} — {catalog.principles[k].summary}" for k in keys] or [
        _t("record.no_principles")
    ]
    lines += ["", _t("record.replies", count=len(rec.replies))]
    shown = rec.replies[:RECORD_REPLIES]
    lines += [f"{i}. {clip(said, RECORD_REPLY_CHARS)}" for i, said in enumerate(shown, 1)] or [_t("record.no_replies")]
    if len(rec.replies) > RECORD_REPLIES:
        lines.append(_t("relay.more", count=len(rec.replies) - RECORD_REPLIES))
    outcome = _t("record.resolved" if rec.resolved else "record.open")
    lines += ["", _t("record.outcome", outcome=outcome), _t("record.saved", date=rec.made_on)]
    return "\n".join(lines)


def consult_record(rec: ConsultRecord, catalog) -> Message:
    """The record in the poster's DM: the app's note, then the record as plain text
    (it can neither ping nor format, and copies as it reads)."""
    title = _t("record.title", number=rec.number)
    body = record_text(rec, catalog)
    blocks: list[Block] = [header(title), *sections(_t("record.intro")), divider(), *plain_sections(body)]
    return Message(text=title, blocks=render(blocks[:50]))


def record_document(rec: ConsultRecord, catalog) -> Document:
    """The same record as a text file the poster can download and keep."""
    filename = _t("record.filename", number=rec.number, date=rec.made_on)
    return Document(
        filename=filename, title=_t("record.title", number=rec.number), text=record_text(rec, catalog) + "\n"
    )


def own_post(p: OwnPost, max_question: int = 200) -> list:
    """One of the poster's own posts with its state and, once posted, their buttons
    (in `/boundary mine` and on the App Home tab)."""
    state = _t(f"mine.status.{'resolved' if p.resolved else p.status.value}")
    blocks = list(sections(_t("mine.line", number=p.number, state=state)))
    if p.question:
        blocks += plain_sections(clip(p.question, max_question))
    if p.status == "posted":
        blocks += owner_actions(p.number, p.resolved)
    return blocks


def mine(listing: MyPosts) -> Message:
    posts = listing.posts
    if not posts:
        none = _t("mine.none")
        return Message(text=none, blocks=render(sections(none)))
    blocks: list[Block] = [header(_t("mine.title"))]
    for p in posts[:15]:
        blocks += own_post(p)
        blocks.append(divider())
    return Message(text=_t("mine.title"), blocks=render(blocks[:-1]))


def flag_form(form: FlagForm) -> dict:
    """Flag: an optional reason for the moderators (they never learn who flagged)."""
    return View(
        type="modal",
        callback_id=FLAG_CALLBACK,
        private_metadata=f"{post_value(form.number)}|{form.respond_to}"[:3000],
        title=PlainTextObject(text=clip(_t("flag.form_title"), 24)),
        submit=PlainTextObject(text=clip(_t("flag.form_submit"), 24)),
        close=PlainTextObject(text=clip(text("intake.form_close"), 24)),
        blocks=[
            section(_t("flag.form_intro", number=form.number)),
            InputBlock(
                block_id="reason",
                optional=True,
                label=PlainTextObject(text=_t("flag.form_label")),
                hint=PlainTextObject(text=_t("flag.form_hint")),
                element=PlainTextInputElement(
                    action_id="value",
                    multiline=True,
                    max_length=500,
                    placeholder=PlainTextObject(text=clip(_t("flag.form_placeholder"), 150)),
                ),
            ),
        ],
    ).to_dict()


def flag_confirmation(number: int, said: str, undo: bool) -> Message:
    """What the flagger is told (ephemerally), with an Undo while the flag is open."""
    blocks: list[Block] = list(sections(said))
    if undo:
        blocks.append(actions(button(_t("flag.undo_button"), FLAG_UNDO, post_value(number))))
    return Message(text=said, blocks=render(blocks))
