"""The intake conversation, preview and posting, against an in-memory Slack."""

from __future__ import annotations

from bot import outgoing as out
from bot.consult.conversation import value
from bot.consult.intake import StepId
from bot.consult.model import PostStatus
from bot.gateway import Refused, Unavailable
from tests.conftest import CONSULT, PRACTITIONER, TEAM
from tests.consult.conftest import WORKSPACE, make_domain

SITUATION = "My former client Rosalind Okafor (34) asked me to coffee at Lincoln Elementary on March 3rd."


def last_dm(domain):
    return domain.gateway.to(PRACTITIONER, "dm")[-1]


async def ref_of(domain) -> str:
    hashes = domain.services.identity.author_hashes(TEAM, PRACTITIONER)
    intake = await domain.store.open_intake(TEAM, hashes)
    assert intake is not None
    return intake.ref


async def to_preview(domain) -> out.PreviewPrompt:
    c = domain.services.conversation
    assert await c.start(WORKSPACE, PRACTITIONER) == "started"
    assert isinstance(domain.gateway.to(PRACTITIONER)[0], out.IntakeIntro)
    for typed in ("former", "2-5 years", "skip", SITUATION, "skip", "ok", "How do I say no kindly?"):
        await c.on_text(WORKSPACE, PRACTITIONER, "D1", typed)
    preview = last_dm(domain)
    assert isinstance(preview, out.PreviewPrompt), preview
    return preview


async def test_the_intake_reaches_a_deidentified_preview(domain):
    preview = await to_preview(domain)
    shown = " ".join(filter(None, [preview.content.situation, preview.content.question]))
    for identifier in ("Rosalind", "Okafor", "34", "Lincoln", "March 3rd"):
        assert identifier not in shown
    assert ("Relationship", "Former client") in preview.content.fields
    assert preview.target is not None and preview.target.id == CONSULT
    assert preview.content.removed["NAME"] >= 1


async def test_each_step_is_one_transaction_and_slack_is_called_after_it(domain):
    c = domain.services.conversation
    await c.start(WORKSPACE, PRACTITIONER)
    for typed in ("former", "3", "skip", SITUATION, "skip", "ok", "What now?"):
        before = domain.store.transactions
        await c.on_text(WORKSPACE, PRACTITIONER, "D1", typed)  # the fake asserts no transaction is open
        # Where its prompt went (known once Slack answered) is saved by the next step.
        assert domain.store.transactions - before == 1, typed


async def test_a_wrong_answer_asks_again_without_moving_on(domain):
    c = domain.services.conversation
    await c.start(WORKSPACE, PRACTITIONER)
    await c.on_text(WORKSPACE, PRACTITIONER, "D1", "banana")
    error, again = domain.gateway.to(PRACTITIONER)[-2:]
    assert isinstance(error, out.Notice) and isinstance(again, out.StepPrompt)
    assert again.step_id == StepId.RELATIONSHIP


async def test_back_changes_an_answer_and_drops_what_no_longer_applies(domain):
    c = domain.services.conversation
    await c.start(WORKSPACE, PRACTITIONER)
    await c.on_text(WORKSPACE, PRACTITIONER, "D1", "former")
    await c.on_text(WORKSPACE, PRACTITIONER, "D1", "3")
    await c.on_text(WORKSPACE, PRACTITIONER, "D1", "back")
    await c.on_text(WORKSPACE, PRACTITIONER, "D1", "back")
    await c.on_text(WORKSPACE, PRACTITIONER, "D1", "current")
    intake = await domain.store.open_intake(TEAM, domain.services.identity.author_hashes(TEAM, PRACTITIONER))
    assert intake.state["answers"] == {"relationship": "current"}


async def test_posting_sends_once_and_closes_the_intake(domain):
    await to_preview(domain)
    ref = await ref_of(domain)
    c = domain.services.conversation
    await c.on_click(WORKSPACE, PRACTITIONER, "D1", "post", value(ref, "preview"))
    await c.on_click(WORKSPACE, PRACTITIONER, "D1", "post", value(ref, "preview"))  # a double click
    posts = domain.gateway.live(CONSULT)
    assert len(posts) == 1 and isinstance(posts[0].value, out.ChannelPost)
    assert posts[0].mark is not None and posts[0].mark.number == posts[0].value.number and posts[0].mark.key
    assert any("Posted anonymously" in getattr(m, "text", "") for m in domain.gateway.to(PRACTITIONER))
    post = await domain.store.get_post(1)
    assert post.status == PostStatus.POSTED and post.message_ts == posts[0].ts
    assert await domain.store.open_intake(TEAM, domain.services.identity.author_hashes(TEAM, PRACTITIONER)) is None


async def test_slack_down_queues_the_post_and_the_worker_sends_it(domain):
    await to_preview(domain)
    domain.gateway.fail_next("post", Unavailable("service_unavailable"))
    await domain.services.conversation.on_click(
        WORKSPACE, PRACTITIONER, "D1", "post", value(await ref_of(domain), "preview")
    )
    assert "saved" in last_dm(domain).text and not domain.gateway.live(CONSULT)
    assert await domain.services.posting.deliver_due() == 1
    assert len(domain.gateway.live(CONSULT)) == 1
    assert "now posted" in last_dm(domain).text


async def test_an_answer_lost_after_slack_stored_the_post_does_not_post_twice(domain):
    await to_preview(domain)
    posting = domain.services.posting
    original = domain.gateway.post

    async def stored_then_lost(*args, **kwargs):
        await original(*args, **kwargs)
        raise Unavailable("connection_reset")

    domain.gateway.post = stored_then_lost
    await domain.services.conversation.on_click(
        WORKSPACE, PRACTITIONER, "D1", "post", value(await ref_of(domain), "preview")
    )
    domain.gateway.post = original
    await posting.deliver_due()
    assert len(domain.gateway.live(CONSULT)) == 1
    assert (await domain.store.get_post(1)).status == PostStatus.POSTED


async def test_a_channel_slack_refuses_fails_the_post_and_tells_the_poster(domain):
    await to_preview(domain)
    domain.gateway.fail_next("post", Refused("is_archived"))
    await domain.services.conversation.on_click(
        WORKSPACE, PRACTITIONER, "D1", "post", value(await ref_of(domain), "preview")
    )
    assert "couldn't post" in last_dm(domain).text
    post = await domain.store.get_post(1)
    assert post.status == PostStatus.FAILED and post.content is None


async def test_with_approval_on_the_post_waits_for_a_moderator(tmp_path):
    d = await make_domain(tmp_path, approval=True, review_channel="G0REVIEW")
    try:
        await to_preview(d)
        await d.services.conversation.on_click(WORKSPACE, PRACTITIONER, "D1", "post", value(await ref_of(d), "preview"))
        assert not d.gateway.live(CONSULT)
        assert isinstance(d.gateway.to("G0REVIEW")[-1], out.ApprovalRequest)
        assert "reviews posts first" in last_dm(d).text
        outcome = await d.services.moderation.approve(WORKSPACE, "U0MOD", 1)
        assert "Approved" in outcome and len(d.gateway.live(CONSULT)) == 1
        assert await d.services.moderation.approve(WORKSPACE, "U0MOD", 1) == ("Someone already decided on this post.")
    finally:
        await d.services.close()
