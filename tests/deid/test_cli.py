import io
import json

from bot.deid.cli import main


def test_cli_text(capsys):
    assert main(["My client Kwabena, 41, lives in Boise"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "My client [Person A], [40s], lives in [place]"
    assert "NAME" in out and "'Kwabena'" in out


def test_cli_jsonl(monkeypatch, capsys):
    lines = [{"id": "a", "text": "pt jess (29) on 3/4"}, {"id": "b", "text": "nothing here"}]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(json.dumps(ln) for ln in lines) + "\n"))
    assert main(["--jsonl"]) == 0
    rows = [json.loads(ln) for ln in capsys.readouterr().out.splitlines()]
    assert rows[0] == {
        "id": "a",
        "text": "pt [Person A] ([20s]) on [date]",
        "spans": [
            {"start": 3, "end": 7, "label": "NAME"},
            {"start": 9, "end": 11, "label": "AGE"},
            {"start": 16, "end": 19, "label": "DATE"},
        ],
        "review": [],
    }
    assert rows[1] == {"id": "b", "text": "nothing here", "spans": [], "review": []}


def test_cli_jsonl_review_spans_on_the_original_offsets(monkeypatch, capsys):
    texts = ["client (m 44) and J came in", "her dad passed at 9. then K\u200b's text", "a gift at Christmas"]
    lines = [{"id": str(i), "text": t} for i, t in enumerate(texts)]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(json.dumps(ln) for ln in lines) + "\n"))
    assert main(["--jsonl"]) == 0
    rows = [json.loads(ln) for ln in capsys.readouterr().out.splitlines()]
    # an invisible character inside the span goes with it, as in "spans"
    got = [
        [(texts[i][v["start"] : v["end"]].replace("\u200b", ""), v["reason"]) for v in row["review"]]
        for i, row in enumerate(rows)
    ]
    assert got == [
        [("44", "possible_age"), ("J", "initial")],
        [("9", "possible_age"), ("K", "initial")],
        [],
    ]
    assert all(set(v) == {"start", "end", "reason"} for row in rows for v in row["review"])


def test_cli_text_lists_what_to_check(capsys):
    assert main(["her dad passed at 9."]) == 0
    assert "check: possible_age" in capsys.readouterr().out


def test_cli_jsonl_bad_line_does_not_echo_text(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO('{"id": "x"}\nnot json Kwabena\n'))
    assert main(["--jsonl"]) == 1
    err = capsys.readouterr().err
    assert "Kwabena" not in err and "line 2" in err
