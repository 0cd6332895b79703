"""The intake's DM messages and forms."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
)
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
    plain_sections,
    render,
    section,
    sections,
)
from bot.blocks.posts import REPLY_CALLBACK, REPLY_CHECK_CALLBACK, post_body
from bot.consult.conversation import parse_value, value
from bot.consult.model import Group, IntakeState, PostContent
from bot.outgoing import RemoveWordsForm, ReplyCheck, ReplyForm
from bot.texts import load_texts, text
from bot.values import post_value

CHOICE = "intake_choice"
FORM = "intake_form"
BACK = "intake_back"
SKIP = "intake_skip"
CANCEL = "intake_cancel"
POST = "intake_post"
EDIT = "intake_edit"
REMOVE = "intake_remove"
PRINCIPLES_ACCEPT = "intake_principles_accept"
PRINCIPLES_CHANGE = "intake_principles_change"
RESUME = "intake_resume"
RESTART = "intake_restart"

FORM_CALLBACK = "intake_form_submit"
PRINCIPLES_CALLBACK = "intake_principles_submit"
EDIT_CALLBACK = "intake_edit_submit"
REMOVE_CALLBACK = "intake_remove_submit"


_value = value
__all__ = ["parse_value"]


def intro(spec) -> Message:
    blocks = [section(spec.text("welcome")), section(spec.text("privacy")), context(spec.text("controls"))]
    return Message(text=spec.text("welcome"), blocks=render(blocks))


def _controls(spec, ref: str, step) -> list:
    buttons = []
    if step.id != spec.steps[0].id:
        buttons.append(button(spec.text("back_button"), BACK, _value(ref, step.id)))
    if not step.required and step.kind != "preview":
        buttons.append(button(spec.text("skip_button"), SKIP, _value(ref, step.id)))
    buttons.append(button(spec.text("cancel_button"), CANCEL, _value(ref, step.id), confirm=_cancel_confirm(spec)))
    return buttons


def _cancel_confirm(spec):
    return confirm(
        spec.text("cancel_confirm.title"),
        spec.text("cancel_confirm.text"),
        spec.text("cancel_confirm.confirm"),
        spec.text("cancel_confirm.deny"),
    )


def step_message(spec, step, state: IntakeState, ref: str, catalog) -> Message:
    blocks: list[Block] = [section(step.prompt)]
    numbering = spec.numbering(step.id, state)
    if numbering:
        blocks.append(context(spec.text("step_number", number=numbering[0], total=numbering[1])))
    if step.tip:
        blocks.append(context(step.tip))
    if step.kind == "choice":
        lines = "\n".join(f"{i}. {c.label}" for i, c in enumerate(step.choices, 1))
        blocks.append(context(spec.text("choice_hint") + "\n" + lines))
        blocks.append(
            actions(
                *[
                    button(f"{i}. {c.label}", f"{CHOICE}:{i}", _value(ref, step.id, c.value))
                    for i, c in enumerate(step.choices, 1)
                ]
            )
        )
    elif step.kind == "group":
        blocks.append(
            actions(
                *[
                    button(f"{i}. #{g.name}", f"{CHOICE}:{i}", _value(ref, step.id, g.id))
                    for i, g in enumerate(state.groups, 1)
                ]
            )
        )
    elif step.kind == "text":
        blocks.append(actions(button(spec.text("private_form_button"), FORM, _value(ref, step.id), style="primary")))
    elif step.kind == "principles":
        suggested = state.suggested or []
        if suggested:
            lines = "\n".join(f"• *{catalog.principles[k].title}* — {catalog.principles[k].summary}" for k in suggested)
            blocks.append(section(f"{step.text('suggested')}\n{lines}"))
        else:
            blocks.append(section(step.text("none_suggested")))
        numbered = "\n".join(f"{i}. {p.title}" for i, p in enumerate(catalog.principles.values(), 1))
        blocks.append(context(f"{step.text('typed_hint')}\n{numbered}"))
        blocks.append(
            actions(
                button(step.text("accept_button"), PRINCIPLES_ACCEPT, _value(ref, step.id, "accept"), style="primary"),
                button(step.text("change_button"), PRINCIPLES_CHANGE, _value(ref, step.id)),
            )
        )
    blocks.append(actions(*_controls(spec, ref, step), block_id="intake_controls"))
    return Message(text=step.prompt.replace("*", ""), blocks=render(blocks))


def risk_note(kind: str | None, resources: dict[str, str] | None = None) -> str:
    """The preview's note when the answers describe a risk: a peer channel is not a
    crisis service; talk to a supervisor now; posting stays allowed."""
    t = load_texts("risk")
    res = resources or {}
    on_call = t("card.on_call_set", value=res["on_call"]) if res.get("on_call") else ""
    emergency = f" ({res['emergency']})" if res.get("emergency") else ""
    kind_text = t(f"kinds.{kind}") if kind and t.has(f"kinds.{kind}") else t("kinds_unknown")
    return t("intake.note", kind=kind_text, on_call=on_call, emergency=emergency)


def preview_message(
    spec, content: PostContent, ref: str, catalog, target: Group | None = None, resources: dict | None = None
) -> Message:
    step = spec.by_id["preview"]
    blocks: list[Block] = [section(step.prompt)]
    if target:
        blocks.append(context(step.text("target").format(channel=target.id)))
    blocks.append(divider())
    blocks += post_body(content, catalog, "…")
    blocks.append(divider())
    removed = content.removed
    labels = spec.raw("labels.removed")
    if removed:
        lines = "\n".join(f"• {n} × {labels.get(label, label.lower())}" for label, n in sorted(removed.items()))
        blocks += sections(f"{step.text('removed_heading')}\n{lines}")
    else:
        blocks.append(section(f"{step.text('removed_heading')}\n{step.text('removed_none')}"))
    if content.review:
        # the poster's own words: shown literally (plain_text), never as mrkdwn
        blocks.append(section(step.text("review_heading")))
        blocks += plain_sections(", ".join(content.review))
        blocks.append(context(step.text("review_hint")))
    if content.warnings:
        blocks += sections(step.text("warnings_heading") + "\n" + "\n".join(f"• {escape(w)}" for w in content.warnings))
    if content.risk:
        blocks += sections(risk_note(content.risk_kind, resources))
    blocks.append(
        actions(
            button(step.text("post_button"), POST, _value(ref, "preview", content.digest()), style="primary"),
            button(step.text("edit_button"), EDIT, _value(ref, "preview")),
            button(step.text("remove_button"), REMOVE, _value(ref, "preview")),
            button(
                step.text("cancel_button"),
                CANCEL,
                _value(ref, "preview"),
                style="danger",
                confirm=_cancel_confirm(spec),
            ),
            button(spec.text("back_button"), BACK, _value(ref, "preview")),
        )
    )
    return Message(text=step.prompt.replace("*", ""), blocks=render(blocks))


def notice(text: str) -> Message:
    return Message(text=clip(text, MAX_FALLBACK_TEXT), blocks=render(sections(text)))


def start_prompt(spec) -> Message:
    text = spec.text("messages.no_intake")
    return Message(
        text=text,
        blocks=render(
            [section(text), actions(button(spec.text("messages.start_button"), CONSULT_START, "dm", style="primary"))]
        ),
    )


def already_open(spec, step_label: str) -> Message:
    text = spec.text("messages.already_open", step=step_label)
    return Message(
        text=text,
        blocks=render(
            [
                section(text),
                actions(
                    button(spec.text("messages.resume_button"), RESUME, "resume", style="primary"),
                    button(spec.text("messages.restart_button"), RESTART, "restart", style="danger"),
                ),
            ]
        ),
    )


def _text_input(
    block_id: str,
    label: str,
    initial: str | None,
    required: bool,
    placeholder: str | None = None,
    hint: str | None = None,
    max_length: int = 3000,
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=PlainTextObject(text=label[:2000]),
        optional=not required,
        hint=PlainTextObject(text=hint[:2000]) if hint else None,
        element=PlainTextInputElement(
            action_id="value",
            multiline=True,
            initial_value=(initial or None) and initial[:max_length],
            max_length=max_length,
            placeholder=PlainTextObject(text=placeholder[:150]) if placeholder else None,
        ),
    )


def _view(callback_id: str, title: str, blocks: list, metadata: str, submit: str) -> dict:
    view = View(
        type="modal",
        callback_id=callback_id,
        title=PlainTextObject(text=title[:24]),
        submit=PlainTextObject(text=submit[:24]),
        close=PlainTextObject(text=text("intake.form_close")[:24]),
        private_metadata=metadata,
        blocks=blocks[:MAX_VIEW_BLOCKS],
    )
    return view.to_dict()


def modal_notice(value) -> dict:
    """One sentence (mrkdwn from prompts/) in a modal with only a Close button."""
    view = View(
        type="modal",
        callback_id="modal_notice",
        title=PlainTextObject(text=text("messages.modal.title")[:24]),
        close=PlainTextObject(text=text("messages.modal.close")[:24]),
        blocks=render(sections(value.text))[:MAX_VIEW_BLOCKS],
    )
    return view.to_dict()


def text_form(spec, step, ref: str, max_chars: int) -> dict:
    return _view(
        FORM_CALLBACK,
        step.text("form_title") or text("intake.form_title"),
        [
            _text_input(
                "answer",
                step.prompt.replace("*", ""),
                None,
                step.required,
                step.text("placeholder") or None,
                step.tip or None,
                max_chars,
            ),
        ],
        _value(ref, step.id),
        submit=text("intake.form_continue"),
    )


def principles_form(step, ref: str, catalog, selected) -> dict:
    options = [
        Option(value=p.key, label=clip(p.title, 75), description=clip(p.summary, 75))
        for p in catalog.principles.values()
    ]
    initial = [o for o in options if o.value in selected] or None
    return _view(
        PRINCIPLES_CALLBACK,
        step.text("form_title") or step.field_label,
        [
            InputBlock(
                block_id="principles",
                label=PlainTextObject(text=step.prompt.replace("*", "")),
                optional=True,
                element=CheckboxesElement(action_id="value", options=options, initial_options=initial),
            ),
        ],
        _value(ref, step.id),
        submit=text("intake.form_continue"),
    )


def edit_form(spec, ref: str, content: PostContent, max_chars: int) -> dict:
    blocks = [
        _text_input(step.id, step.field_label, content.text_of(step.id), step.required, max_length=max_chars)
        for step in spec.text_steps
    ]
    return _view(
        EDIT_CALLBACK,
        spec.by_id["preview"].text("edit_form_title"),
        blocks,
        _value(ref, "preview"),
        submit=text("intake.form_preview"),
    )


def word_choices(block_id: str, label: str, words) -> InputBlock:
    """Checkboxes for words to remove (at most 10, Slack's limit), none ticked."""
    options = [Option(value=w[:150], label=w[:75]) for w in list(dict.fromkeys(words))[:10]]
    return InputBlock(
        block_id=block_id,
        label=PlainTextObject(text=label[:2000]),
        optional=True,
        element=CheckboxesElement(action_id="value", options=options),
    )


def other_words(block_id: str, label: str, hint: str) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=PlainTextObject(text=label[:2000]),
        optional=True,
        hint=PlainTextObject(text=hint[:2000]),
        element=PlainTextInputElement(action_id="value", multiline=False, max_length=1000),
    )


def remove_words_form(spec, form: RemoveWordsForm) -> dict:
    step = spec.by_id["preview"]
    blocks = []
    if form.words:
        blocks.append(word_choices("words", step.text("remove_form_words"), form.words))
    blocks.append(other_words("other", step.text("remove_form_other"), step.text("remove_form_other_hint")))
    return _view(
        REMOVE_CALLBACK,
        step.text("remove_form_title"),
        blocks,
        _value(form.ref, "preview"),
        submit=step.text("remove_form_submit"),
    )


def reply_form(form: ReplyForm) -> dict:
    callback = REPLY_CALLBACK[form.kind]
    title = text("posts.post.reply_form_title" if form.kind == "anonymous" else "posts.post.op_form_title")
    hint = text("posts.post.reply_form_hint" if form.kind == "anonymous" else "posts.post.op_form_hint")
    label = text("posts.post.reply_form_label")
    blocks = [_text_input("reply", label, None, True, hint=hint)]
    return _view(callback, title, blocks, post_value(form.number), submit=text("posts.post.reply_form_submit"))


def reply_check_form(check: ReplyCheck) -> dict:
    """The reply form updated in place: what to check, how it would be posted,
    the words to remove, and the reply itself (still editable)."""
    title = text("posts.post.reply_form_title" if check.kind == "anonymous" else "posts.post.op_form_title")
    blocks = [
        section(text("posts.post.reply_check_heading")),
        *plain_sections(", ".join(check.words)),
        context(text("posts.post.reply_check_hint")),
        section(text("posts.post.reply_check_posted_as")),
        *plain_sections(check.redacted),
        word_choices("words", text("posts.post.reply_check_words"), check.words),
        other_words("other", text("posts.post.reply_check_other"), text("posts.post.reply_check_other_hint")),
        _text_input("reply", text("posts.post.reply_check_label"), check.reply, True),
    ]
    return _view(
        REPLY_CHECK_CALLBACK[check.kind],
        text("posts.post.reply_check_title") if check.kind == "anonymous" else title,
        blocks,
        post_value(check.number),
        submit=text("posts.post.reply_form_submit"),
    )
