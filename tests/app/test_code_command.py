"""`/boundary code …` (a personal choice of code family) and `/boundary-admin code …`
(the workspace default) over signed HTTP; answers then cite that family."""

import json

from sqlalchemy import select

from bot.storage import models as m
from tests.app.test_boundary_command import assert_valid_blocks
from tests.app.test_moderation import admin
from tests.conftest import COLLEAGUE, MODERATOR, PRACTITIONER, TEAM

FORMER_CLIENT = "a former client wants to be friends on facebook, is that ok?"


async def ask(bot, user: str, text: str) -> dict:
    before = len(bot.slack.calls_to("response_url"))
    delivery = await bot.command(user, text)
    assert delivery.status == 200, delivery.response_text
    sent = bot.slack.calls_to("response_url")[before:]
    assert len(sent) == 1, sent
    body = sent[0].args
    assert body["response_type"] == "ephemeral"
    assert_valid_blocks(body["blocks"])
    return body


async def test_code_shows_the_current_family_and_the_choices(bot):
    body = await ask(bot, PRACTITIONER, "code")
    text = json.dumps(body["blocks"])
    assert "United States" in text and "app default" not in text
    for key in ("`us`", "`uk`", "`australia`", "`nz`", "`canada`", "`ireland`"):
        assert key in text


async def test_personal_choice_changes_the_codes_cited_for_that_user_only(bot):
    us = json.dumps((await ask(bot, PRACTITIONER, FORMER_CLIENT))["blocks"])
    assert "BACP" not in us and "HCPC" not in us

    body = await ask(bot, PRACTITIONER, "code uk")
    assert "United Kingdom" in body["text"] and "BACP" in body["text"]
    uk = json.dumps((await ask(bot, PRACTITIONER, FORMER_CLIENT))["blocks"])
    assert "In the codes (United Kingdom" in uk and ("HCPC 1.8" in uk or "BACP GP33" in uk)
    assert "NASW" not in uk and "ACA A." not in uk
    # someone else still gets the workspace default
    other = json.dumps((await ask(bot, COLLEAGUE, FORMER_CLIENT))["blocks"])
    assert "BACP" not in other
    # and `/boundary code` says it is a personal choice
    assert "your own choice" in json.dumps((await ask(bot, PRACTITIONER, "code"))["blocks"])


async def test_the_choice_is_stored_under_the_keyed_hash_never_the_user_id(bot):
    await ask(bot, PRACTITIONER, "code ireland")
    async with bot.services.store.session() as s:
        rows = (await s.execute(select(m.Setting).where(m.Setting.team_id == TEAM))).scalars().all()
    keys = [r.key for r in rows if r.value == "ireland"]
    assert keys and all(k.startswith("code_user:") for k in keys)
    assert all(PRACTITIONER not in f"{r.key}{r.value}" for r in rows)
    expected = "code_user:" + bot.services.identity.author_hash(TEAM, PRACTITIONER)[:30]
    assert keys == [expected]


async def test_a_family_without_confirmed_numbers_names_its_codes_at_principle_level(bot):
    await ask(bot, PRACTITIONER, "code nz")
    text = json.dumps((await ask(bot, PRACTITIONER, FORMER_CLIENT))["blocks"], ensure_ascii=False)
    assert "NZAC" in text and "Aotearoa" in text and "No section numbers are shown" in text


async def test_code_default_returns_to_the_workspace_default(bot):
    await ask(bot, PRACTITIONER, "code canada")
    body = await ask(bot, PRACTITIONER, "code default")
    assert "workspace default" in body["text"] and "United States" in body["text"]
    assert "BACP" not in json.dumps((await ask(bot, PRACTITIONER, FORMER_CLIENT))["blocks"])


async def test_unknown_family_is_refused_and_quoted_inertly(bot):
    body = await ask(bot, PRACTITIONER, "code <@U0EVIL> mars")
    assert "don't know the code family" in body["text"] and "<@U0EVIL>" not in body["text"]


async def test_moderators_set_the_workspace_default_shown_in_status(bot):
    assert "United States" in await admin(bot, MODERATOR, "code")
    assert "United Kingdom" in await admin(bot, MODERATOR, "code uk")
    status = await admin(bot, MODERATOR, "status")
    assert "Codes cited by default:* United Kingdom" in status and "workspace setting" in status
    # members without a personal choice now get UK codes
    text = json.dumps((await ask(bot, COLLEAGUE, FORMER_CLIENT))["blocks"])
    assert "In the codes (United Kingdom" in text
    # a personal choice still wins
    await ask(bot, PRACTITIONER, "code us")
    assert "BACP" not in json.dumps((await ask(bot, PRACTITIONER, FORMER_CLIENT))["blocks"])
    assert "don't know the code family" in await admin(bot, MODERATOR, "code narnia")


async def test_non_moderators_cannot_set_the_workspace_default(bot):
    assert "Only moderators" in await admin(bot, PRACTITIONER, "code uk")
    assert "United States" in (await ask(bot, COLLEAGUE, "code"))["text"]
