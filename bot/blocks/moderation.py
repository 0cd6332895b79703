"""Moderator-facing messages: admin answers, the review queue, the App Home tab."""
from __future__ import annotations

from slack_sdk.models.blocks import ConfirmObject, InputBlock, PlainTextInputElement, PlainTextObject
from slack_sdk.models.views import View

from bot.blocks.common import (
    MAX_VIEW_BLOCKS, Message, actions, button, context, divider, escape, header, render, section, sections,
)
from bot.blocks.posts import owner_actions, post_body
from bot.texts import load_texts

APPROVE = "review_approve"
REJECT = "review_reject"
FLAG_REMOVE = "flag_remove"
FLAG_DISMISS = "flag_dismiss"
REJECT_CALLBACK = "review_reject_submit"
HOME_START = "consult_start"


def _t(key: str, **fmt) -> str:
    return load_texts("moderation")(key, **fmt)


def text(mrkdwn: str) -> Message:
    return Message(text=mrkdwn, blocks=render(sections(mrkdwn)))


def usage(prefix: str | None = None) -> Message:
    body = (prefix + "\n" if prefix else "") + _t("usage")
    return text(body)


def approval_request(post, catalog) -> Message:
    blocks = [header(_t("review.approval_title", number=post.id)), context(_t("review.approval_note"))]
    blocks += post_body(post.content or {}, catalog, str(post.id))[1:]
    blocks.append(actions(
        button(_t("review.approve_button"), APPROVE, str(post.id), style="primary"),
        button(_t("review.reject_button"), REJECT, str(post.id), style="danger"),
    ))
    return Message(text=_t("review.approval_title", number=post.id), blocks=render(blocks))


def flag_notice(post, flag, catalog) -> Message:
    blocks = [header(_t("review.flag_title", number=post.id)), context(_t("review.flag_note"))]
    blocks += post_body(post.content or {}, catalog, str(post.id))[1:]
    remove = button(_t("review.remove_button"), FLAG_REMOVE, str(flag.id), style="danger")
    remove.confirm = ConfirmObject(title="Remove this post?", text=f"Dilemma #{post.id} will be deleted for everyone.",
                                   confirm="Remove", deny="Keep")
    blocks.append(actions(remove, button(_t("review.dismiss_button"), FLAG_DISMISS, str(flag.id))))
    return Message(text=_t("review.flag_title", number=post.id), blocks=render(blocks))


def decided(title: str, outcome: str) -> Message:
    return Message(text=outcome, blocks=render([section(f"*{escape(title)}*\n{outcome}")]))


def reject_form(number: int) -> dict:
    return View(
        type="modal", callback_id=REJECT_CALLBACK, private_metadata=str(number),
        title=PlainTextObject(text=_t("review.reject_form_title")[:24]),
        submit=PlainTextObject(text="Reject"), close=PlainTextObject(text="Cancel"),
        blocks=[InputBlock(
            block_id="reason", label=PlainTextObject(text=_t("review.reject_form_label")),
            element=PlainTextInputElement(action_id="value", multiline=True, max_length=1000,
                                          placeholder=PlainTextObject(text=_t("review.reject_form_placeholder")[:150])),
        )],
    ).to_dict()


def home(catalog, posts, moderator_view: dict | None) -> dict:
    blocks = [header(_t("home.title")), section(_t("home.intro")),
              actions(button("Start an anonymous consult", HOME_START, "home", style="primary")), divider(),
              section(_t("home.principles") + "\n" + "\n".join(
                  f"• *{p.title}* — {p.summary}" for p in catalog.principles.values()))]
    blocks.append(divider())
    blocks.append(section(_t("home.my_posts")))
    if not posts:
        blocks.append(context(_t("home.no_posts")))
    for p in posts[:10]:
        q = escape(((p.content or {}).get("question") or "")[:150])
        state = "resolved" if p.resolved else {"posted": "open", "pending": "waiting for Slack",
                                                 "awaiting_approval": "waiting for a moderator"}.get(p.status, p.status)
        blocks.append(section(f"*Dilemma #{p.id}* · {state}\n{q}"))
        if p.status == "posted":
            blocks += owner_actions(p.id, p.resolved)
    if moderator_view is not None:
        blocks += [divider(), header(_t("home.moderator_heading")), *sections(_t("home.settings") + "\n" + moderator_view["settings"])]
        queue = moderator_view["queue"]
        blocks += sections(_t("home.queue") + "\n" + ("\n".join(queue) if queue else _t("home.queue_empty")))
        for post in moderator_view.get("awaiting", [])[:5]:
            blocks.append(actions(
                button(f"Approve #{post.id}", APPROVE, str(post.id), style="primary"),
                button(f"Reject #{post.id}", REJECT, str(post.id), style="danger"),
            ))
    return View(type="home", blocks=blocks[:MAX_VIEW_BLOCKS]).to_dict()
