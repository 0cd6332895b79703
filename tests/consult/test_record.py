"""What colleagues said, as the relay and the consultation record read it from the
thread (against an in-memory Slack): anonymous replies as posted, people's replies
de-identified, the poster's own replies left out, and never who wrote any of them."""

from __future__ import annotations

from sqlalchemy import update

from bot import outgoing as out
from bot.consult.conversation import value
from bot.slack.gateway import plain_of
from bot.storage import models as m
from bot.storage.models import utcnow
from tests.conftest import COLLEAGUE, CONSULT, PRACTITIONER, TEAM
from tests.consult.conftest import WORKSPACE
from tests.consult.test_conversation import ref_of, to_preview


async def posted(domain):
    await to_preview(domain)
    await domain.services.conversation.on_click(
        WORKSPACE, PRACTITIONER, "D1", "post", value(await ref_of(domain), "preview")
    )
    domain.gateway.members[CONSULT] = {COLLEAGUE, PRACTITIONER}
    return await domain.store.get_post(1)


async def test_the_record_and_the_relay_say_what_colleagues_said_and_never_who(domain):
    post = await posted(domain)
    d = domain.services.discussion
    assert (await d.reply_anonymously(WORKSPACE, COLLEAGUE, 1, "Decline warmly.", "form-1")).ok
    domain.gateway.person_replies(post.message_ts, "Ask Rosalind Okafor's school, [name] says.")
    await d.on_thread_message(CONSULT, post.message_ts, domain.gateway.people_replies[post.message_ts][0].ts)
    assert (await d.reply_as_poster(WORKSPACE, PRACTITIONER, 1, "Thanks, both.")).ok

    assert await d.flush_relays() == 1
    [relay] = [m for m in domain.gateway.to(PRACTITIONER, "dm") if isinstance(m, out.RelayNotice)]
    assert relay.count == 2 and relay.replies[0] == "Decline warmly."
    assert "Rosalind" not in relay.replies[1] and "school" in relay.replies[1]

    result = await d.record(WORKSPACE, PRACTITIONER, 1)
    assert result.ok
    [record] = [m for m in domain.gateway.to(PRACTITIONER, "dm") if isinstance(m, out.ConsultRecord)]
    assert record.replies == relay.replies  # the poster's own "Thanks, both." is not a colleague's suggestion
    assert record.number == 1 and not record.resolved and record.posted_on == post.posted_at.date().isoformat()
    text = domain.services.renderer.message(record).blocks
    assert PRACTITIONER not in str(text) and COLLEAGUE not in str(text)

    # Only the poster gets one.
    assert not (await d.record(WORKSPACE, COLLEAGUE, 1)).ok
    assert [m for m in domain.gateway.to(COLLEAGUE, "dm") if isinstance(m, out.ConsultRecord)] == []
    assert (await domain.store.get_post(1)).team_id == TEAM


def test_a_persons_message_becomes_plain_words():
    assert plain_of("Ask <@U0COLL1|sam> in <#C0GENERAL|general> &amp; see <https://x.org|this> <!here>") == (
        "Ask [name] in #general & see this @here"
    )
    assert plain_of("&lt;b&gt; <https://x.org>") == "<b> https://x.org"


async def test_a_relay_that_fails_unexpectedly_is_put_back_and_the_others_still_go_out(domain, caplog):
    await posted(domain)
    d = domain.services.discussion
    await to_preview(domain)  # a second post, with its own reply
    await domain.services.conversation.on_click(
        WORKSPACE, PRACTITIONER, "D1", "post", value(await ref_of(domain), "preview")
    )
    assert (await d.reply_anonymously(WORKSPACE, COLLEAGUE, 1, "Decline warmly.", "form-1")).ok
    assert (await d.reply_anonymously(WORKSPACE, COLLEAGUE, 2, "Refer on.", "form-2")).ok
    domain.gateway.fail_next("permalink", RuntimeError("a bug"))  # not a Slack error: nothing expects it

    assert await d.flush_relays() == 1  # the other post's relay still went out
    assert await domain.store.relays_waiting() == 1  # the failed one waits, not lost
    async with domain.store.session() as s:  # its relay window passes
        await s.execute(update(m.Relay).values(due_at=utcnow()))
    assert await d.flush_relays() == 1
    relays = [m for m in domain.gateway.to(PRACTITIONER, "dm") if isinstance(m, out.RelayNotice)]
    assert sorted((r.number, r.count) for r in relays) == [(1, 1), (2, 1)]
    logged = caplog.text
    assert "relay failed" in logged
    for secret in (PRACTITIONER, COLLEAGUE, "Decline warmly", "Refer on"):
        assert secret not in logged, secret


async def test_an_anonymous_reply_is_relayed_without_a_term_added_after_it_was_posted(domain):
    await posted(domain)
    d = domain.services.discussion
    assert (await d.reply_anonymously(WORKSPACE, COLLEAGUE, 1, "Ask the harbour team, then the clinic.", "form-1")).ok
    assert await domain.store.add_term(TEAM, "harbour team")  # a moderator adds the term afterwards
    assert await d.flush_relays() == 1
    [relay] = [m for m in domain.gateway.to(PRACTITIONER, "dm") if isinstance(m, out.RelayNotice)]
    assert "harbour" not in relay.replies[0] and "then the clinic." in relay.replies[0]
    assert (await d.record(WORKSPACE, PRACTITIONER, 1)).ok
    [record] = [m for m in domain.gateway.to(PRACTITIONER, "dm") if isinstance(m, out.ConsultRecord)]
    assert record.replies == relay.replies
