"""Moderator-facing messages: admin answers, the review queue, the App Home tab."""

from __future__ import annotations

from slack_sdk.models.blocks import ConfirmObject, InputBlock, PlainTextInputElement, PlainTextObject
from slack_sdk.models.views import View

from bot.blocks.common import (
    CONSULT_START,
    MAX_VIEW_BLOCKS,
    Message,
    actions,
    button,
    context,
    divider,
    escape,
    header,
    render,
    section,
    sections,
)
from bot.blocks.posts import own_post, post_body
from bot.texts import load_texts

APPROVE = "review_approve"
REJECT = "review_reject"
FLAG_REMOVE = "flag_remove"
FLAG_DISMISS = "flag_dismiss"
REJECT_CALLBACK = "review_reject_submit"


def _t(key: str, **fmt) -> str:
    return load_texts("moderation")(key, **fmt)


def text(mrkdwn: str) -> Message:
    return Message(text=mrkdwn, blocks=render(sections(mrkdwn)))


def usage(prefix: str | None = None) -> Message:
    body = (prefix + "\n" if prefix else "") + _t("usage")
    return text(body)


def approval_request(post, catalog) -> Message:
    blocks = [
        header(_t("review.approval_title", number=post.id)),
        context(_t("review.approval_note"), _t("review.approval_target", channel=post.channel_id)),
    ]
    blocks += post_body(post.content or {}, catalog, str(post.id))[1:]
    blocks.append(
        actions(
            button(_t("review.approve_button"), APPROVE, str(post.id), style="primary"),
            button(_t("review.reject_button"), REJECT, str(post.id), style="danger"),
        )
    )
    return Message(text=_t("review.approval_title", number=post.id), blocks=render(blocks))


def flag_notice(post, flag, catalog) -> Message:
    blocks = [header(_t("review.flag_title", number=post.id)), context(_t("review.flag_note"))]
    blocks += post_body(post.content or {}, catalog, str(post.id))[1:]
    blocks.append(flag_actions(post.id, flag.id))
    return Message(text=_t("review.flag_title", number=post.id), blocks=render(blocks))


def flag_actions(number: int, flag_id: int, labelled: bool = False):
    suffix = f" #{number}" if labelled else ""
    remove = button(_t("review.remove_button") + suffix, FLAG_REMOVE, str(flag_id), style="danger")
    remove.confirm = ConfirmObject(
        title=_t("review.remove_confirm_title"),
        text=_t("review.remove_confirm_text", number=number),
        confirm=_t("review.remove_confirm_yes"),
        deny=_t("review.remove_confirm_no"),
    )
    return actions(remove, button(_t("review.dismiss_button") + suffix, FLAG_DISMISS, str(flag_id)))


def decided(title: str, outcome: str) -> Message:
    return Message(text=outcome, blocks=render([section(f"*{escape(title)}*\n{outcome}")]))


def reject_form(number: int) -> dict:
    return View(
        type="modal",
        callback_id=REJECT_CALLBACK,
        private_metadata=str(number),
        title=PlainTextObject(text=_t("review.reject_form_title")[:24]),
        submit=PlainTextObject(text="Reject"),
        close=PlainTextObject(text="Cancel"),
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


def home(catalog, posts, moderator_view: dict | None) -> dict:
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
    if not posts:
        blocks.append(context(_t("home.no_posts")))
    for p in posts[:10]:
        blocks += own_post(p, max_question=150)
    if moderator_view is not None:
        blocks += [
            divider(),
            header(_t("home.moderator_heading")),
            *sections(_t("home.settings") + "\n" + moderator_view["settings"]),
        ]
        queue = moderator_view["queue"]
        blocks += sections(_t("home.queue") + "\n" + ("\n".join(queue) if queue else _t("home.queue_empty")))
        for post in moderator_view.get("awaiting", [])[:10]:
            blocks.append(
                actions(
                    button(f"{_t('review.approve_button')} #{post.id}", APPROVE, str(post.id), style="primary"),
                    button(f"{_t('review.reject_button')} #{post.id}", REJECT, str(post.id), style="danger"),
                )
            )
        for flag in moderator_view.get("flags", [])[:10]:
            blocks.append(flag_actions(flag.post_id, flag.id, labelled=True))
    return View(type="home", blocks=blocks[:MAX_VIEW_BLOCKS]).to_dict()
