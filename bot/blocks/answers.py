"""Ephemeral answers to `/boundary`: help, the principles, one principle, a question."""

from __future__ import annotations

from types import SimpleNamespace

from slack_sdk.models.blocks import Block

from bot.blocks.common import (
    CONSULT_START,
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
from bot.texts import load_texts

PRINCIPLE_MORE = "principle_more"
PRINCIPLES_LIST = "principles_list"


def _bullets(items) -> str:
    return "\n".join(f"• {i}" for i in items)


def _memo(fn):
    """Renders once per distinct input: building and validating Block Kit models
    costs far more than matching a question, and answers repeat a lot. Keyed by
    the catalog's identity, so a reloaded catalog renders afresh."""
    cache: dict = {}

    def wrapper(catalog, *key):
        k = (id(catalog), *key)
        if k not in cache:
            if len(cache) >= 2048:
                cache.clear()
            cache[k] = fn(catalog, *key)
        return cache[k]

    return wrapper


@_memo
def help_message(catalog) -> Message:
    t = load_texts("messages")
    lines = [f"*{p.title}* — {p.summary}" for p in catalog.principles.values()]
    blocks = [
        header(t("help.title")),
        section(t("help.intro")),
        section(t("help.usage")),
        divider(),
        *sections(t("help.principles_heading") + "\n" + _bullets(lines)),
        actions(
            button(t("help.consult_button"), CONSULT_START, "help", style="primary"),
            button(t("help.principles_button"), PRINCIPLES_LIST, "help"),
        ),
        context(catalog.disclaimer),
    ]
    return Message(text=t("help.intro"), blocks=render(blocks))


@_memo
def principles_message(catalog) -> Message:
    t = load_texts("messages")
    blocks: list[Block] = [header(t("principles.title"))]
    for p in catalog.principles.values():
        blocks.append(
            section(
                f"*{p.title}*\n{p.summary}",
                accessory=button(t("principles.more_button"), f"{PRINCIPLE_MORE}:{p.key}", p.key),
            )
        )
    blocks.append(context(t("principles.footer")))
    return Message(text=t("principles.title"), blocks=render(blocks))


def _code_refs(refs) -> str:
    out = []
    for r in refs:
        title = f" _{r.title}_" if r.title else ""
        gist = f" — {r.gist}" if r.gist else ""
        out.append(f"{r.code} {r.section}{title}{gist}")
    return _bullets(out)


def principle_message(catalog, principle) -> Message:
    return _principle_message(catalog, principle.key)


@_memo
def _principle_message(catalog, key: str) -> Message:
    t = load_texts("messages")
    p = catalog.principles[key]
    blocks = [header(p.title), *sections(f"_{p.summary}_\n\n{p.explanation}")]
    blocks += sections(f"{t('principle.why_heading')}\n{p.why_it_matters}")
    if p.self_check:
        blocks += sections(f"{t('principle.self_check_heading')}\n{_bullets(p.self_check)}")
    if p.typical_situations:
        blocks += sections(f"{t('principle.situations_heading')}\n{_bullets(p.typical_situations)}")
    if p.crossing_vs_violation:
        blocks += sections(f"{t('principle.crossing_heading')}\n{p.crossing_vs_violation}")
    if p.code_refs:
        blocks += sections(f"{t('principle.codes_heading')}\n{_code_refs(p.code_refs)}")
    blocks.append(actions(button(t("help.consult_button"), CONSULT_START, p.key, style="primary")))
    blocks.append(context(catalog.disclaimer))
    return Message(text=f"{p.title}: {p.summary}", blocks=render(blocks))


def answer_message(catalog, question: str, answer, family: str | None = None) -> Message:
    """The answer to a question; `family` is the code family its references come from."""
    t = load_texts("messages")
    lang = getattr(answer, "language", None)
    language = catalog.language_names.get(lang, lang) if lang else None
    if answer.off_topic or not answer.principles:
        message = off_topic_message(catalog)
        if language:
            note = render([section(t("off_topic.language", language=language))])
            return Message(text=t("off_topic.language", language=language), blocks=note + message.blocks)
        return message
    matches = tuple((m.key, m.why) for m in answer.principles)
    closest = tuple(s.key for s in getattr(answer, "closest", ()))
    body = _answer_body(
        catalog, matches, answer.situation.key if answer.situation else None, closest, catalog.code_family(family).key
    )
    quoted = [context(f"_“{escape(question[:200])}”_")]
    if language:
        quoted.append(context(t("answer.language_note", language=language)))
    return Message(text=body.text, blocks=body.blocks[:1] + render(quoted) + body.blocks[1:])


def _codes_section(catalog, family_key: str, principle_keys: list[str], situation) -> list:
    t = load_texts("messages")
    fam = catalog.code_family(family_key)
    refs = fam.refs_for(principle_keys, catalog, situation)[:MAX_REFS]
    heading = t("answer.codes_heading", family=f"{fam.name}: {fam.codes}")
    if fam.us:
        return sections(f"{heading}\n{_code_refs(refs)}") if refs else []
    body = _code_refs(refs) + "\n" if refs else ""
    return sections(f"{heading}\n{body}{fam.note}")


MAX_REFS = 5


@_memo
def _answer_body(
    catalog, matches: tuple, situation_key: str | None, closest: tuple = (), family: str = "us"
) -> Message:
    t = load_texts("messages")
    answer_principles = [SimpleNamespace(key=k, why=why) for k, why in matches]
    blocks = [header(t("answer.title")), section(t("answer.intro"))]
    for match in answer_principles:
        p = catalog.principles[match.key]
        blocks += sections(
            f"*{p.title}* — {p.summary}\n{match.why}",
            accessory=button(t("principles.more_button"), f"{PRINCIPLE_MORE}:{p.key}", p.key),
        )
    s = catalog.situations[situation_key] if situation_key else None
    if s is not None:
        blocks.append(divider())
        blocks += sections(t("answer.situation_heading", title=s.title))
        if s.consider:
            blocks += sections(f"{t('answer.consider_heading')}\n{_bullets(s.consider)}")
        if s.options:
            blocks += sections(f"{t('answer.options_heading')}\n{_bullets(s.options)}")
        if s.say_it:
            say = s.say_it if isinstance(s.say_it, str) else "\n".join(f"> {x}" for x in s.say_it)
            blocks += sections(f"{t('answer.say_it_heading')}\n{say}")
    elif closest:
        blocks.append(divider())
        titles = [catalog.situations[k].title for k in closest]
        blocks += sections(f"{t('answer.closest_heading')}\n{_bullets(titles)}")
    blocks += _codes_section(catalog, family, [m.key for m in answer_principles], s)
    blocks.append(divider())
    blocks.append(
        section(
            t("answer.consult_hint"),
            accessory=button(t("help.consult_button"), CONSULT_START, "answer", style="primary"),
        )
    )
    blocks.append(context(catalog.disclaimer))
    listed = ", ".join(catalog.principles[m.key].title for m in answer_principles)
    return Message(text=f"{t('answer.title')}: {listed}", blocks=render(blocks))


@_memo
def off_topic_message(catalog) -> Message:
    """Short: what the app can do, and the two ways in."""
    t = load_texts("messages")
    intro = f"{t('off_topic.lead')} {catalog.off_topic_text}"
    blocks = [
        section(intro),
        actions(
            button(t("help.principles_button"), PRINCIPLES_LIST, "off_topic"),
            button(t("help.consult_button"), CONSULT_START, "off_topic", style="primary"),
        ),
    ]
    return Message(text=intro, blocks=render(blocks))


def _risk_text(key: str, **fmt) -> str:
    return load_texts("risk")(key, **fmt)


def risk_card(kind: str, resources: dict[str, str] | None = None) -> list:
    """The card that leads every answer in which a risk is recognised: act now, the
    workspace's own resources where moderators set them (neutral defaults otherwise),
    and that this is not a crisis service."""
    t = load_texts("risk")
    res = resources or {}

    def fill(name: str) -> str:
        value = res.get(name)
        return t(f"card.{name}_set", value=value) if value else t(f"card.{name}_default")

    actions_ = [
        a.format(
            emergency=fill("emergency"),
            protocol=fill("protocol"),
            on_call=fill("on_call"),
            crisis_line=fill("crisis_line"),
        )
        for a in t.raw("card.actions")
    ]
    blocks = [
        header(t("card.title")),
        *sections(t("card.lead", kind=t(f"kinds.{kind}")) + "\n" + _bullets(actions_)),
    ]
    notes = [t("card.not_crisis")]
    if not res:
        notes.append(t("card.defaults_note"))
    blocks.append(context(" ".join(notes)))
    return blocks


def duties_blocks() -> list:
    t = load_texts("risk")
    return [
        *sections(f"{t('duties.heading')}\n{t('duties.body')}"),
        *sections(f"{t('duties.codes_heading')}\n{_bullets(t.raw('duties.codes'))}"),
    ]


def risk_answer_message(catalog, question: str, kind: str, resources: dict[str, str] | None, answer) -> Message:
    """A risk answer: the card first, then the duties note, then — when the question is
    also a boundary question — its principles, without any situation card (scripts
    written for ordinary situations, such as a client's death or "you can't share
    anything", do not fit a risk)."""
    t = load_texts("messages")
    blocks = [*risk_card(kind, resources), context(f"_“{escape(question[:200])}”_")]
    lang = getattr(answer, "language", None)
    if lang:  # the card is in English: say so to someone who wrote in another language
        blocks.append(context(t("answer.language_note", language=catalog.language_names.get(lang, lang))))
    blocks += duties_blocks()
    if answer is not None and not answer.off_topic and answer.principles:
        blocks += [divider(), *sections(_risk_text("answer.below"))]
        for match in answer.principles:
            p = catalog.principles[match.key]
            # titles and summaries only: a "why" line read from a risk question is more
            # likely to misread it than to help, and the risk is what matters first
            blocks += sections(
                f"*{p.title}* — {p.summary}",
                accessory=button(t("principles.more_button"), f"{PRINCIPLE_MORE}:{p.key}", p.key),
            )
    blocks.append(divider())
    blocks.append(context(catalog.disclaimer))
    return Message(text=_risk_text("answer.fallback"), blocks=render(blocks))


def code_message(catalog, key: str, family=None, source: str = "", **fmt) -> Message:
    """Answers to `/boundary code …`: the current family and the choices, or what changed."""
    t = load_texts("messages")
    choices = ", ".join(f"`{f.key}` ({f.name}: {f.codes})" for f in catalog.code_families.values())
    if family is not None:
        where = {"personal": "code.source_personal", "workspace": "code.source_workspace"}.get(source)
        first = t(key, name=family.name, codes=family.codes, source=t(where) if where else "")
    else:
        fmt = {k: escape(str(v).replace("`", "'")) for k, v in fmt.items()}
        first = t(key, **fmt)
    body = f"{first}\n{t('code.choices', choices=choices)}"
    return Message(text=first, blocks=render([section(body)]))
