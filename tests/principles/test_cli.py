from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bot.principles.cli import main

REPO = Path(__file__).resolve().parents[2]


def test_jsonl_via_subprocess():
    lines = [
        {"id": "x1", "q": "a client sent me a friend request"},
        {"id": "x2", "q": "what's the weather"},
        {"id": 3, "q": "privacy"},
    ]
    run = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--jsonl"],
        cwd=REPO,
        capture_output=True,
        text=True,
        input="\n".join(json.dumps(ln) for ln in lines) + "\n",
        check=True,
    )
    out = [json.loads(ln) for ln in run.stdout.splitlines()]
    assert [o["id"] for o in out] == ["x1", "x2", 3]
    assert out[0]["principles"][0] == "dual_relationship" and out[0]["situation"] == "social_media_request"
    assert out[1] == {"id": "x2", "principles": [], "situation": None, "closest": [], "language": None, "risk": None}
    # a named principle alone: no padding with the ones that often go with it
    assert out[2]["principles"] == ["confidentiality"]
    assert out[2]["situation"] is None


def test_text_answer(capsys):
    assert main(["a client invited me to her graduation"]) == 0
    out = capsys.readouterr().out
    assert "Dual (multiple) relationships" in out
    assert "Why:" in out and "How you might say it:" in out
    assert "not legal advice" in out


def test_text_principle_name(capsys):
    assert main(["countertransference"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1. Transference and countertransference")
    assert "Self-check:" in out


def test_text_off_topic(capsys):
    assert main(["best", "pizza", "in", "town"]) == 0
    assert capsys.readouterr().out.startswith("I can help with")


def test_no_question_is_usage_error(capsys):
    assert main([]) == 2


def test_jsonl_reports_the_risk_kind():
    lines = [
        {"id": 1, "q": "she has a plan to kill herself this weekend", "risk": "self_harm", "extra": True},
        {"id": 2, "q": "my client threatened to hurt his boss"},
        {"id": 3, "q": "this paperwork is killing me"},
    ]
    run = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--jsonl"],
        cwd=REPO,
        capture_output=True,
        text=True,
        input="\n".join(json.dumps(ln) for ln in lines) + "\n",
        check=True,
    )
    out = [json.loads(ln) for ln in run.stdout.splitlines()]
    assert [o["risk"] for o in out] == ["self_harm", "harm_to_others", None]


def test_text_answer_leads_with_risk(capsys):
    assert main(["she has a plan to kill herself this weekend, can I tell her mum?"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("RISK: this may need action now (a risk of suicide or self-harm).")
    assert "supervisor or clinical lead now" in out and "Tarasoff, 1976" in out and "not a crisis service" in out
    assert "A client has died" not in out and "How you might say it" not in out
