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
    }
    assert rows[1] == {"id": "b", "text": "nothing here", "spans": []}


def test_cli_jsonl_bad_line_does_not_echo_text(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO('{"id": "x"}\nnot json Kwabena\n'))
    assert main(["--jsonl"]) == 1
    err = capsys.readouterr().err
    assert "Kwabena" not in err and "line 2" in err
