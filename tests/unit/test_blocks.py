"""Every message and view the app renders passes slack_sdk's Block Kit models and
the limits they don't check (≤ 50 blocks per message, section text ≤ 3,000)."""

from types import SimpleNamespace

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot import outgoing as out
from bot.blocks import answers
from bot.blocks.common import escape, sections
from bot.blocks.render import Renderer
from bot.consult.intake import load_spec
from bot.consult.model import FlagNumber, Group, IntakeState, OwnPost, PostContent, PostNumber, PostStatus
from bot.principles import get_catalog, get_matcher
from bot.values import ELSEWHERE, FLAG_ELSEWHERE, ValueTags, flag_ref, minting, post_or_reply_ref, post_ref

CATALOG = get_catalog()
SPEC = load_spec()
RENDER = Renderer(CATALOG, SPEC)
TAGS = ValueTags([b"k" * 32])
TAG = TAGS.tag("T1")
HUGE = "Tom & <Jerry> " * 215  # 3,000 characters that grow when escaped


@pytest.fixture(autouse=True)
def _workspace_t1():
    """Values rendered here are minted for workspace key T1 (the gateway does this)."""
    with minting(TAGS, "T1"):
        yield


def check_message(message, limit=50):
    blocks = message.blocks if hasattr(message, "blocks") else message
    assert 0 < len(blocks) <= limit
    for b in blocks:
        parsed = Block.parse(b)
        assert parsed is not None, b
        parsed.to_dict()
        if b["type"] == "section" and "text" in b:
            assert len(b["text"]["text"]) <= 3000
    if hasattr(message, "text"):
        assert message.text and len(message.text) <= 3000


def check_view(view):
    View(**view).to_dict()
    assert len(view["blocks"]) <= 100


def test_help_principles_and_each_principle():
    check_message(answers.help_message(CATALOG))
    check_message(answers.principles_message(CATALOG))
    for p in CATALOG.principles.values():
        check_message(answers.principle_message(CATALOG, p))


@pytest.mark.parametrize(
    "question",
    [
        "client wants to friend me on facebook",
        "a gift card from a client",
        "former client wants coffee",
        "what's the weather",
        "subpoena for my notes",
        HUGE,
    ],
)
def test_answers(question):
    check_message(answers.answer_message(CATALOG, question, get_matcher().answer(question)))


def test_every_situation_renders():
    for s in CATALOG.situations.values():
        a = SimpleNamespace(
            off_topic=False, situation=s, principles=[SimpleNamespace(key=k, why="Because.") for k in s.principles[:3]]
        )
        check_message(answers.answer_message(CATALOG, s.title, a))


def test_every_intake_step_and_the_preview_with_huge_text():
    state = IntakeState(groups=[Group("C1", "a"), Group("C2", "b")], suggested=["power", "objectivity"])
    content = PostContent(
        fields=(("Relationship", "Former client"), ("Setting", "Hospital")),
        situation=HUGE,
        considering=HUGE,
        question=HUGE,
        principles=tuple(CATALOG.principles),
        removed={"NAME": 3, "AGE": 1},
        warnings=("A rare job in a small town can identify.",),
        risk=True,
    )
    mine = [OwnPost(17, PostStatus.POSTED, False, HUGE), OwnPost(18, PostStatus.PENDING, False, "")] * 10
    messages = [
        out.IntakeIntro(),
        *[out.StepPrompt(step.id, state, "ref") for step in SPEC.steps[:-1]],
        out.PreviewPrompt(content, "ref", Group("C1", "a")),
        out.AlreadyOpen("Situation"),
        out.StartPrompt(),
        out.Notice(HUGE),
        out.ChannelPost(17, content),
        out.ChannelPost(17, content, resolved=True),
        out.ThreadReply("anonymous", HUGE),
        out.RelayNotice(17, 3, "https://x.slack.com/archives/C1/p1", False),
        out.MyPosts(tuple(mine)),
        out.MyPosts(()),
        out.ApprovalRequest(17, "C1", content),
        out.FlagNotice(17, 3, content),
        out.Decided("Awaiting approval: Dilemma #17", "Approved"),
        out.AdminAnswer(HUGE),
    ]
    for message in messages:
        check_message(RENDER.message(message))
    assert "resolved" in RENDER.message(out.ChannelPost(17, content, resolved=True)).blocks[0]["text"]["text"]
    moderator = out.ModeratorHome("• x", tuple(out.QueueItem(n) for n in range(5)), (out.QueueItem(1, 9),))
    views = [
        out.EditForm("ref", content.with_texts(situation=HUGE[:3000])),
        out.TextForm("situation", "ref"),
        out.PrinciplesForm("ref", ("power",)),
        out.ReplyForm("anonymous", 17),
        out.ReplyForm("op", 17),
        out.RejectForm(17),
        out.HomeView(tuple(mine[:12]), moderator),
        out.HomeView(),
        out.ModalNotice(HUGE),
    ]
    for view in views:
        check_view(RENDER.view(view))


def _button_values(blocks) -> list[str]:
    return [el["value"] for b in blocks if b.get("type") == "actions" for el in b["elements"] if "value" in el]


def test_buttons_and_forms_carry_the_workspace_number_people_read():
    """Values name a post by its number in the workspace (`p3~tag`, `p3.2~tag`) and a flag by its
    post's number and its place among the post's flags (`f3.2~tag`), tagged
    for the workspace key: no row id to send."""
    content = PostContent(fields=(("Relationship", "Former client"),), question="May I?")
    post = RENDER.message(out.ChannelPost(3, content))
    assert post.blocks[0]["text"]["text"].endswith("#3")
    assert _button_values(post.blocks) == [f"p3~{TAG}", f"p3~{TAG}"]
    relay = RENDER.message(out.RelayNotice(3, 2, None, False))
    assert "#3" in relay.text and set(_button_values(relay.blocks)) == {f"p3~{TAG}"}
    mine = RENDER.message(out.MyPosts((OwnPost(3, PostStatus.POSTED, False, "q"),)))
    assert "#3" in str(mine.blocks) and set(_button_values(mine.blocks)) == {f"p3~{TAG}"}
    request = RENDER.message(out.ApprovalRequest(3, "C1", content))
    assert "#3" in request.text and _button_values(request.blocks) == [f"p3~{TAG}", f"p3~{TAG}"]
    flag = RENDER.message(out.FlagNotice(3, 2, content))
    assert "#3" in flag.text and _button_values(flag.blocks) == [f"f3.2~{TAG}", f"f3.2~{TAG}", f"p3~{TAG}"]
    question = RENDER.message(out.BlockQuestion(3, 2))
    assert "#3" in question.text and _button_values(question.blocks) == [f"p3.2~{TAG}", f"p3.2~{TAG}"]
    home = RENDER.view(out.HomeView((), out.ModeratorHome("• x", (out.QueueItem(3),), (out.QueueItem(4, 1),))))
    assert "#3" in str(home) and "#4" in str(home)
    assert _button_values(home["blocks"])[-6:] == [
        f"p3~{TAG}",
        f"p3~{TAG}",
        f"p3~{TAG}",
        f"f4.1~{TAG}",
        f"f4.1~{TAG}",
        f"p4~{TAG}",
    ]
    assert RENDER.view(out.ReplyForm("anonymous", 3))["private_metadata"] == f"p3~{TAG}"
    assert RENDER.view(out.RejectForm(3))["private_metadata"] == f"p3~{TAG}"
    assert (
        RENDER.view(out.FlagForm(3, "https://hooks.example/r"))["private_metadata"]
        == f"p3~{TAG}|https://hooks.example/r"
    )


def test_values_name_posts_and_flags_by_number_and_still_read_older_row_ids():
    def post(v):
        return post_ref(v, TAGS, "T1")

    def flag(v):
        return flag_ref(v, TAGS, "T1")

    assert (post(f"p17~{TAG}"), post("917")) == (PostNumber(17), 917)
    assert post_or_reply_ref(f"p17.2~{TAG}", TAGS, "T1") == (PostNumber(17), 2)
    assert post_or_reply_ref("917.2", TAGS, "T1") == (917, 2)
    assert (flag(f"f17.2~{TAG}"), flag("41")) == (FlagNumber(17, 2), 41)
    for bad in ("", "p", f"p17.2~{TAG}", "17.2", "x17", "p-1", "1234567890", "p1e3", f"917~{TAG}", "p17~", None, 17):
        assert post(bad) is None, bad
    for bad in ("", "f17", "f17.0", f"f17.0~{TAG}", "p17", "17.2", "f1.2.3", f"41~{TAG}", None):
        assert flag(bad) is None, bad
    assert post_or_reply_ref(f"p17.0~{TAG}", TAGS, "T1") is None


def test_a_value_names_a_post_only_under_the_workspace_key_it_was_minted_for():
    """Another key's tag (a workspace switched from T… to its organisation's E…, a shared
    channel), a tag under no key of ours, or no tag at all: no post (ELSEWHERE)."""
    with minting(TAGS, "E1"):
        minted = RENDER.message(out.ChannelPost(3, PostContent(fields=(), question="q")))
    [value, _] = _button_values(minted.blocks)
    assert value == f"p3~{TAGS.tag('E1')}" and post_ref(value, TAGS, "E1") == PostNumber(3)
    assert post_ref(value, TAGS, "T1") == ELSEWHERE
    other = ValueTags([b"o" * 32])
    assert post_ref(f"p3~{other.tag('T1')}", TAGS, "T1") == ELSEWHERE
    assert post_ref("p3", TAGS, "T1") == ELSEWHERE and post_ref(f"p3~{TAG}", TAGS, "") == ELSEWHERE
    assert post_or_reply_ref(f"p3.2~{TAGS.tag('E1')}", TAGS, "T1") == (ELSEWHERE, 2)
    assert flag_ref(f"f3.2~{TAGS.tag('E1')}", TAGS, "T1") == FLAG_ELSEWHERE
    assert flag_ref("f3.2", TAGS, "T1") == FLAG_ELSEWHERE
    # a rotated secret: the old key's tags still name the post, new ones are minted with the new key
    rotated = ValueTags([b"n" * 32, b"k" * 32])
    assert post_ref(f"p3~{TAG}", rotated, "T1") == PostNumber(3) and rotated.tag("T1") != TAG
    # the tag depends on the workspace key only: the same for every number
    assert {v.split("~")[1] for v in _button_values(RENDER.message(out.BlockQuestion(99, 2)).blocks)} == {TAG}
    assert len(f"p999999999.999999~{TAG}") <= 30


def test_minting_outside_a_workspace_is_refused():
    from contextvars import copy_context

    from bot.values import _MINTING, post_value

    def outside():
        _MINTING.set(None)
        return post_value(3)

    with pytest.raises(RuntimeError):
        copy_context().run(outside)


def test_every_outgoing_value_has_a_renderer():
    import dataclasses
    import inspect

    kinds = [
        c
        for _, c in inspect.getmembers(out, inspect.isclass)
        if c.__module__ == out.__name__ and dataclasses.is_dataclass(c)
    ]
    parts = {out.QueueItem, out.ModeratorHome}  # pieces of the Home view, not sent on their own
    for kind in kinds:
        if kind in parts:
            continue
        assert kind in RENDER._messages or kind in RENDER._views, kind.__name__


def test_escape_and_split():
    assert escape("<!here> & <@U1>") == "&lt;!here&gt; &amp; &lt;@U1&gt;"
    parts = sections("a" * 7000)
    assert [len(p.text.text) for p in parts] == [3000, 3000, 1000]


def test_prompt_texts_only_use_slack_control_sequences():
    """A raw `<` in mrkdwn starts a link or mention; texts must write &lt; instead."""
    import re
    from pathlib import Path

    allowed = re.compile(r"<(#\{\w+\}|@\{\w+\}|\{\w+\}\|)")
    for path in (Path(__file__).resolve().parents[2] / "prompts").glob("*.yaml"):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            for m in re.finditer(r"<", line):
                assert allowed.match(line, m.start()), f"{path.name}:{n}: {line.strip()}"
