"""Every message and view the app renders passes slack_sdk's Block Kit models and
the limits they don't check (≤ 50 blocks per message, section text ≤ 3,000)."""

from types import SimpleNamespace

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.blocks import answers
from bot.blocks import intake as ib
from bot.blocks import moderation as mb
from bot.blocks import posts as pb
from bot.blocks.common import escape, sections
from bot.consult.intake import load_spec
from bot.principles import get_catalog, get_matcher

CATALOG = get_catalog()
SPEC = load_spec()
HUGE = "Tom & <Jerry> " * 215  # 3,000 characters that grow when escaped


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
    state = {
        "answers": {},
        "history": [],
        "groups": [{"id": "C1", "name": "a"}, {"id": "C2", "name": "b"}],
        "suggested": ["power", "objectivity"],
    }
    check_message(ib.intro(SPEC))
    for step in SPEC.steps[:-1]:
        check_message(ib.step_message(SPEC, step, state, "ref", CATALOG))
    content = {
        "fields": [["Relationship", "Former client"], ["Setting", "Hospital"]],
        "situation": HUGE,
        "considering": HUGE,
        "question": HUGE,
        "principles": list(CATALOG.principles),
        "removed": {"NAME": 3, "AGE": 1},
        "warnings": ["A rare job in a small town can identify."],
        "risk": True,
    }
    check_message(ib.preview_message(SPEC, content, "ref", CATALOG))
    check_view(ib.edit_form(SPEC, "ref", content | {"situation": HUGE[:3000]}, 3000))
    check_view(ib.text_form(SPEC, SPEC.by_id["situation"], "ref", 3000))
    check_view(ib.principles_form(SPEC.by_id["principles"], "ref", CATALOG, ["power"]))
    check_message(ib.already_open(SPEC, "Situation"))
    check_message(ib.start_prompt(SPEC))

    post = SimpleNamespace(id=17, content=content, resolved=False, status="posted", channel_id="C1")
    check_message(pb.channel_post(post, CATALOG))
    post.resolved = True
    assert "resolved" in pb.channel_post(post, CATALOG).blocks[0]["text"]["text"]
    check_message(pb.thread_reply("anonymous", HUGE))
    check_message(pb.relay_dm(17, 3, "https://x.slack.com/archives/C1/p1", False))
    check_message(pb.mine([post] * 20))
    check_message(pb.mine([]))
    check_view(ib.reply_form("reply_anon_submit", 17, "Reply anonymously", "Your reply", "hint", "Post reply"))
    check_message(mb.approval_request(post, CATALOG))
    check_message(mb.flag_notice(post, SimpleNamespace(id=3), CATALOG))
    check_view(mb.reject_form(17))
    check_view(
        mb.home(
            CATALOG, [post] * 12, {"settings": "• x", "queue": ["• Dilemma #1 awaits approval"], "awaiting": [post] * 5}
        )
    )
    check_message(mb.usage())


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
