"""Moderator-facing messages: admin answers, the review queue, the App Home tab."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block, ConfirmObject, InputBlock, PlainTextInputElement, PlainTextObject
from slack_sdk.models.views import View

from bot.blocks.common import (
    CONSULT_START,
    MAX_FALLBACK_TEXT,
    MAX_VIEW_BLOCKS,
    Message,
    actions,
    button,
    clip,
    confirm,
    context,
    divider,
    escape,
    header,
    render,
    section,
    sections,
)
from bot.blocks.posts import own_post, post_body
from bot.outgoing import AdminAnswer, ApprovalRequest, BlockQuestion, Decided, FlagNotice, HomeView, RejectForm
from bot.texts import text as lookup
from bot.values import flag_value, post_value

APPROVE = "review_approve"
REJECT = "review_reject"
FLAG_REMOVE = "flag_remove"
FLAG_DISMISS = "flag_dismiss"
BLOCK = "review_block"
REJECT_CALLBACK = "review_reject_submit"


def _t(key: str, **fmt) -> str:
    return lookup(f"moderation.{key}", **fmt)


BLOCK_YES = "admin_block_yes"
BLOCK_NO = "admin_block_no"


def block_question(q: BlockQuestion) -> Message:
    """The answer to a typed `/boundary-admin block …`: the question and two buttons."""
    asked = _t("confirm_block.reply" if q.reply else "confirm_block.post", number=q.number, reply=q.reply)
    buttons = actions(
        button(_t("confirm_block.block_button"), BLOCK_YES, post_value(q.number, q.reply), style="danger"),
        button(_t("confirm_block.cancel_button"), BLOCK_NO, post_value(q.number, q.reply)),
    )
    return Message(text=clip(asked, MAX_FALLBACK_TEXT), blocks=render([*sections(asked), buttons]))


def admin_answer(answer: AdminAnswer) -> Message:
    return Message(text=clip(answer.text, MAX_FALLBACK_TEXT), blocks=render(sections(answer.text)))


def approval_request(request: ApprovalRequest, catalog) -> Message:
    number, value = request.number, post_value(request.number)
    blocks = [
        header(_t("review.approval_title", number=number)),
        context(_t("review.approval_note"), _t("review.approval_target", channel=request.channel)),
    ]
    blocks += post_body(request.content, catalog, str(number))[1:]
    blocks.append(
        actions(
            button(_t("review.approve_button"), APPROVE, value, style="primary"),
            button(_t("review.reject_button"), REJECT, value, style="danger"),
        )
    )
    return Message(text=_t("review.approval_title", number=number), blocks=render(blocks))


def flag_notice(notice: FlagNotice, catalog) -> Message:
    number = notice.number
    blocks = [header(_t("review.flag_title", number=number)), context(_t("review.flag_note"))]
    if notice.reason:
        blocks.append(section(_t("queue.reason", reason=escape(clip(notice.reason, 600)))))
    blocks += post_body(notice.content, catalog, str(number))[1:]
    blocks.append(flag_actions(number, notice.flag_number))
    return Message(text=_t("review.flag_title", number=number), blocks=render(blocks))


def block_button(number: int):
    """Block the author of a post, behind Slack's confirm dialog (unblock: `/boundary-admin unblock N`).
    The value and the dialog name the post by its number."""
    return button(
        _t("review.block_button"),
        BLOCK,
        post_value(number),
        confirm=confirm(
            _t("review.block_confirm_title"),
            _t("review.block_confirm_text", number=number),
            _t("review.block_confirm_yes"),
            _t("review.block_confirm_no"),
        ),
    )


def flag_actions(number: int, flag_number: int, labelled: bool = False):
    """Remove / Dismiss one flag (value: its post's number and its place among the post's
    flags, bot/values.py) and Block the post's author."""
    suffix = f" #{number}" if labelled else ""
    value = flag_value(number, flag_number)
    remove = button(_t("review.remove_button") + suffix, FLAG_REMOVE, value, style="danger")
    remove.confirm = ConfirmObject(
        title=_t("review.remove_confirm_title"),
        text=_t("review.remove_confirm_text", number=number),
        confirm=_t("review.remove_confirm_yes"),
        deny=_t("review.remove_confirm_no"),
    )
    dismiss = button(_t("review.dismiss_button") + suffix, FLAG_DISMISS, value)
    return actions(remove, dismiss, block_button(number))


def decided(decision: Decided) -> Message:
    return Message(text=decision.outcome, blocks=render([section(f"*{escape(decision.title)}*\n{decision.outcome}")]))


def reject_form(form: RejectForm) -> dict:
    return View(
        type="modal",
        callback_id=REJECT_CALLBACK,
        private_metadata=post_value(form.number),
        title=PlainTextObject(text=_t("review.reject_form_title")[:24]),
        submit=PlainTextObject(text=_t("review.reject_form_submit")[:24]),
        close=PlainTextObject(text=lookup("intake.form_close")[:24]),
        blocks=[
            InputBlock(
                block_id="reason",
                label=PlainTextObject(text=_t("review.reject_form_label")),
                element=PlainTextInputElement(
                    action_id="value",
                    multiline=True,
                    max_length=1000,
                    placeholder=PlainTextObject(text=_t("review.reject_form_placeholder")[:150]),
                ),
            )
        ],
    ).to_dict()


def _queue_item(title: str, item: Any) -> Block:
    """One queued post: what it is, a short escaped excerpt of its de-identified
    text, and for a flag the reason the colleague gave (never who they are)."""
    lines = [title]
    if item.excerpt:
        lines.append(_t("queue.excerpt", text=escape(clip(" ".join(item.excerpt.split()), 200))))
    if getattr(item, "reason", ""):
        lines.append(_t("queue.reason", reason=escape(clip(" ".join(item.reason.split()), 300))))
    return section("\n".join(lines))


def home(view: HomeView, catalog) -> dict:
    blocks = [
        header(_t("home.title")),
        section(_t("home.intro")),
        actions(button(_t("home.start_button"), CONSULT_START, "home", style="primary")),
        divider(),
        *sections(
            _t("home.principles")
            + "\n"
            + "\n".join(f"• *{p.title}* — {p.summary}" for p in catalog.principles.values())
        ),
    ]
    blocks.append(divider())
    blocks.append(section(_t("home.my_posts")))
    if not view.posts:
        blocks.append(context(_t("home.no_posts")))
    for p in view.posts[:10]:
        blocks += own_post(p, max_question=150)
    moderator = view.moderator
    if moderator is not None:
        blocks += [
            divider(),
            header(_t("home.moderator_heading")),
            *sections(_t("home.settings") + "\n" + moderator.settings),
        ]
        queue = [_t("queue.awaiting", number=q.number) for q in moderator.awaiting]
        queue += [_t("queue.flagged", number=q.number) for q in moderator.flags]
        blocks += sections(_t("home.queue") + "\n" + ("\n".join(queue) if queue else _t("home.queue_empty")))
        for item in moderator.awaiting[:10]:
            value = post_value(item.number)
            blocks.append(_queue_item(_t("queue.awaiting_item", number=item.number), item))
            blocks.append(
                actions(
                    button(f"{_t('review.approve_button')} #{item.number}", APPROVE, value, style="primary"),
                    button(f"{_t('review.reject_button')} #{item.number}", REJECT, value, style="danger"),
                    block_button(item.number),
                )
            )
        for item in moderator.flags[:10]:
            assert item.flag_number is not None
            blocks.append(_queue_item(_t("queue.flagged_item", number=item.number), item))
            blocks.append(flag_actions(item.number, item.flag_number, labelled=True))
    return View(type="home", blocks=blocks[:MAX_VIEW_BLOCKS]).to_dict()
