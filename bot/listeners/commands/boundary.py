"""`/boundary` — help, principles, one principle, a question, consult, mine."""

from __future__ import annotations

from bot.ack_first import after_acks
from bot.blocks import answers
from bot.consult.intake import load_spec
from bot.listeners.context import team_of
from bot.outgoing import MyPosts
from bot.risk import assess
from bot.slack.gateway import plain_of

MAX_QUESTION = 1000


def risk_of(text: str):
    """The risk kind a free-text question describes (None for help, a principle's name, …)."""
    words = " ".join(text.split())
    if words.lower() in ("", "help", "?", "hi", "hello", "principles", "principle", "list"):
        return None
    return assess(words[:MAX_QUESTION]).kind


def route(services, text: str, resources: dict | None, family: str | None, kind: str | None):
    """The ephemeral answer for everything except `consult`, `mine` and `code`. Risk
    comes first: a question that describes one (`kind`, from risk_of) gets the risk card
    before any principle. `family` is the code family answers cite."""
    catalog = services.catalog
    words = " ".join(text.split())
    lowered = words.lower()
    if lowered in ("", "help", "?", "hi", "hello"):
        return answers.help_message(catalog)
    if lowered in ("principles", "principle", "list"):
        return answers.principles_message(catalog)
    question = words[:MAX_QUESTION]
    if kind is not None:
        return answers.risk_answer_message(
            catalog, question, kind, resources, services.matcher.answer(question, risk=kind)
        )
    if len(words.split()) <= 4:
        principle = catalog.find_principle(words)
        if principle is not None:
            return answers.principle_message(catalog, principle)
    return answers.answer_message(catalog, question, services.matcher.answer(question), family)


def handler(services):
    async def boundary_command(ack, command, context):
        # Slack sends "&", "<", ">" as entities and (should_escape) mentions as markup: the
        # question is read, matched and quoted as the plain words the practitioner typed
        text = plain_of(command.get("text") or "").strip()
        sub = text.lower()
        team, user_id = team_of(command), command["user_id"]
        if sub in ("consult", "start", "new"):
            await ack(response_type="ephemeral", text=load_spec().text("messages.dm_opened"))
            await services.conversation.start(team, user_id)
            return
        await ack()
        # What follows (the risk check, the database, the answer) waits for the other acks of a burst.
        await after_acks(context)
        if sub == "code" or sub.startswith(("code ", "codes")):
            message = await code_command(services, team.id, user_id, text.split(None, 1)[1] if " " in text else "")
            await services.responder.send(command["response_url"], **message.kwargs())
            return
        if sub in ("mine", "my posts", "posts"):
            mine = MyPosts(tuple(await services.discussion.mine(team.id, user_id)))
            message = services.renderer.message(mine, team.id)
            await services.responder.send(command["response_url"], **message.kwargs())
            return
        # Answered through response_url after the acknowledgement, by the
        # responder's queue, so a burst of questions never holds back an ack.
        # assessed once: it decides both whether to read the workspace's risk resources and the answer
        kind = risk_of(text)
        async with services.store.transaction():  # one transaction: the workspace's settings are read once
            resources = await services.workspace.risk_resources(team.id) if kind else None
            family = (await services.codes.effective(team.id, user_id)).family.key
        await services.responder.answer(command["response_url"], lambda: route(services, text, resources, family, kind))

    return boundary_command


async def code_command(services, team_id: str, user_id: str, arg: str):
    """`/boundary code` (the current family and the choices), `/boundary code uk`, `/boundary code default`."""
    catalog, codes = services.catalog, services.codes
    arg = " ".join(arg.split()).lower()
    if arg in ("default", "reset", "workspace"):
        await codes.set_personal(team_id, user_id, None)
        ws = (await codes.workspace(team_id)).family
        return answers.code_message(catalog, "code.reset", name=ws.name, codes=ws.codes)
    if arg:
        key = catalog.family_for_name(arg)
        if key is None:
            return answers.code_message(catalog, "code.unknown", given=arg[:40])
        await codes.set_personal(team_id, user_id, key)
        fam = catalog.code_families[key]
        return answers.code_message(catalog, "code.set", name=fam.name, codes=fam.codes)
    current = await codes.effective(team_id, user_id)
    return answers.code_message(catalog, "code.current", family=current.family, source=current.source)
