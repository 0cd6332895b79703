"""Moderation as a domain service, against an in-memory Slack (no HTTP, no Bolt):
approval and rejection, flags with a reason and their withdrawal, removal, block and
unblock, the moderator's Home queue. The signed-HTTP tests in tests/app/test_moderation.py
stay the integration layer; these run in milliseconds."""

from __future__ import annotations

from bot import outgoing as out
from bot.consult.conversation import value
from bot.consult.model import PostStatus
from tests.conftest import COLLEAGUE, CONSULT, MODERATOR, PRACTITIONER, REVIEW
from tests.consult.conftest import WORKSPACE, make_domain
from tests.consult.test_conversation import last_dm, ref_of, to_preview


async def posted(d, *, approval: bool = False):
    """A practitioner's consult, posted (or waiting for a moderator with approval on)."""
    await to_preview(d)
    await d.services.conversation.on_click(WORKSPACE, PRACTITIONER, "D1", "post", value(await ref_of(d), "preview"))
    d.gateway.members[CONSULT] = {COLLEAGUE, PRACTITIONER, MODERATOR}
    return await d.store.get_post(1)


def sent_to(d, where: str, cls: type) -> list:
    return [v for v in d.gateway.to(where) if isinstance(v, cls)]


async def test_a_rejected_post_tells_the_poster_why_and_leaves_nothing_to_post(tmp_path):
    d = await make_domain(tmp_path, approval=True, review_channel=REVIEW)
    try:
        await posted(d, approval=True)
        [request] = sent_to(d, REVIEW, out.ApprovalRequest)
        assert "Rosalind" not in str(request) and PRACTITIONER not in str(request)
        mod = d.services.moderation
        assert await mod.reject(WORKSPACE, COLLEAGUE, 1, "no") == mod_text("not_moderator")
        outcome = await mod.reject(WORKSPACE, MODERATOR, 1, "It still names the <school>.")
        assert "Rejected" in outcome and "&lt;school&gt;" in outcome  # the reason is escaped
        assert "didn't approve your consult" in last_dm(d).text and "&lt;school&gt;" in last_dm(d).text
        post = await d.store.get_post(1)
        assert post.status == PostStatus.REJECTED and post.content is None
        assert d.gateway.live(CONSULT) == []
        assert await mod.approve(WORKSPACE, MODERATOR, 1) == "Someone already decided on this post."
    finally:
        await d.services.close()


async def test_a_flag_carries_its_de_identified_reason_and_can_be_taken_back(tmp_path):
    domain = await make_domain(tmp_path, review_channel=REVIEW)
    try:
        await flag_and_take_back(domain)
    finally:
        await domain.services.close()


async def flag_and_take_back(domain):
    post = await posted(domain)
    disc = domain.services.discussion
    said = await disc.flag(WORKSPACE, COLLEAGUE, 1, "Rosalind Okafor is named in  it?")
    assert said.ok and "moderators have been told" in said.message
    [notice] = sent_to(domain, REVIEW, out.FlagNotice)
    assert "Rosalind" not in str(notice) and COLLEAGUE not in str(notice)
    assert (await disc.flag(WORKSPACE, COLLEAGUE, 1)).message.startswith("You've already flagged")
    # The moderator's Home shows it, with the reason; the flagger takes it back.
    home = await domain.services.moderation.home(WORKSPACE, MODERATOR)
    assert [f.number for f in home.moderator.flags] == [post.id]
    undone = await disc.unflag(WORKSPACE, COLLEAGUE, 1)
    assert undone.ok and "withdrawn" in undone.message
    assert not (await disc.unflag(WORKSPACE, COLLEAGUE, 1)).ok
    home = await domain.services.moderation.home(WORKSPACE, MODERATOR)
    assert list(home.moderator.flags) == []
    # Someone outside the channel cannot flag it.
    assert not (await disc.flag(WORKSPACE, "U0STRANGER", 1)).ok


async def test_removing_a_flagged_post_deletes_it_and_closes_the_flag(domain):
    await posted(domain)
    disc, mod = domain.services.discussion, domain.services.moderation
    assert (await disc.flag(WORKSPACE, COLLEAGUE, 1, "off topic")).ok
    [flag] = await domain.store.open_flags(WORKSPACE.id)
    assert await mod.decide_flag(WORKSPACE, COLLEAGUE, flag.id, remove=True) == mod_text("not_moderator")
    assert len(domain.gateway.live(CONSULT)) == 1
    outcome = await mod.decide_flag(WORKSPACE, MODERATOR, flag.id, remove=True)
    assert "Removed" in outcome
    assert domain.gateway.live(CONSULT) == []
    assert (await domain.store.get_post(1)).status == PostStatus.REMOVED
    assert await mod.decide_flag(WORKSPACE, MODERATOR, flag.id, remove=False) == "Someone already decided on this post."


async def test_a_blocked_author_cannot_post_or_reply_until_unblocked(domain):
    await posted(domain)
    admin = domain.services.admin
    question = await admin.run(WORKSPACE, MODERATOR, "block 1")
    assert isinstance(question, out.BlockQuestion)  # asks first; nothing blocked yet
    assert (await domain.services.conversation.start(WORKSPACE, PRACTITIONER, force_new=True)) == "started"
    await domain.services.conversation.on_text(WORKSPACE, PRACTITIONER, "D1", "cancel")

    answer = await admin.block_confirmed(WORKSPACE, MODERATOR, "1")
    assert "can no longer post" in answer.text and PRACTITIONER not in answer.text
    assert (await domain.services.conversation.start(WORKSPACE, PRACTITIONER, force_new=True)) == "blocked"
    refused = await domain.services.discussion.reply_anonymously(WORKSPACE, PRACTITIONER, 1, "hi", "form-9")
    assert not refused.ok
    # Someone who is not a moderator cannot block, even with a hand-made click.
    assert "moderator" in (await admin.block_confirmed(WORKSPACE, COLLEAGUE, "1")).text

    answer = await admin.run(WORKSPACE, MODERATOR, "unblock 1")
    assert "can post again" in answer.text
    assert (await domain.services.conversation.start(WORKSPACE, PRACTITIONER, force_new=True)) == "started"


def mod_text(key: str) -> str:
    from bot.texts import text

    return text("moderation." + key)
