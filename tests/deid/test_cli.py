import io
import json

from bot.deid.cli import main
from tests.deid.test_review_spans import no_names


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


def recognising_no_names(monkeypatch):
    """The engine without its name, place, age and safety-net recognisers, so that what
    it would normally remove is left — and pointed out — as review spans (the full
    engine removes these examples outright)."""
    monkeypatch.setattr("bot.deid.cli.get_engine", no_names)


def test_cli_jsonl_review_spans_on_the_original_offsets(monkeypatch, capsys):
    recognising_no_names(monkeypatch)
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


def test_cli_text_lists_what_to_check(monkeypatch, capsys):
    recognising_no_names(monkeypatch)
    assert main(["her dad passed at 9."]) == 0
    assert "check: possible_age" in capsys.readouterr().out


def test_cli_jsonl_bad_line_does_not_echo_text(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO('{"id": "x"}\nnot json Kwabena\n'))
    assert main(["--jsonl"]) == 1
    err = capsys.readouterr().err
    assert "Kwabena" not in err and "line 2" in err


# --- a bad line is reported on its own output line and the rest go on ----------------

import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_GOOD_TEXTS = st.sampled_from(
    [
        "pt jess (29) on 3/4",
        "nothing here",
        "My client Kwabena, 41, lives in Boise",
        "emailed me from sam@example.com",
        "",
    ]
)
_good = st.builds(lambda i, t: json.dumps({"id": i, "text": t}).encode(), st.integers(0, 10**6), _GOOD_TEXTS)
# every family of unreadable line: not JSON, not UTF-8, not an object, wrong field types,
# a lone surrogate escaped in JSON (valid JSON, no character)
_bad = st.one_of(
    st.binary(min_size=1, max_size=30).filter(lambda b: b.strip() and b"\n" not in b and b"\r" not in b),
    st.text(min_size=1, max_size=30)
    .filter(lambda s: "\n" not in s and "\r" not in s and s.strip() and "\x85" not in s)
    .map(lambda s: ("not json " + s).encode("utf-8", "surrogatepass")),
    st.sampled_from([b"[1, 2]", b'"just a string"', b"42", b"null", b'{"id": "x"}', b'{"id": [1], "text": "a"}']),
    st.one_of(st.integers(), st.lists(st.integers(), max_size=3), st.none(), st.booleans()).map(
        lambda v: json.dumps({"id": "w", "text": v}).encode()
    ),
    st.sampled_from(["\\ud800", "\\udfff", "Ro\\udc00sa", "\\ud83d"]).map(
        lambda s: ('{"id": "s", "text": "name ' + s + '"}').encode()
    ),
)


def _run_jsonl(monkeypatch, capsys, data: bytes) -> tuple[int, list[dict], str]:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    rc = main(["--jsonl"])
    cap = capsys.readouterr()
    return rc, [json.loads(ln) for ln in cap.out.splitlines()], cap.err


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(_good, _bad), min_size=1, max_size=8))
def test_jsonl_every_line_answered_in_order(monkeypatch, capsys, lines):
    lines = [ln for ln in lines if ln.decode("utf-8", "replace").strip()]  # blank lines are skipped
    rc, rows, err = _run_jsonl(monkeypatch, capsys, b"\n".join(lines) + b"\n")
    assert len(rows) == len(lines)
    for n, (line, row) in enumerate(zip(lines, rows, strict=True), 1):
        rec = None
        try:
            rec = json.loads(line.decode("utf-8"))
        except (ValueError, UnicodeError):
            pass
        ok = (
            isinstance(rec, dict)
            and isinstance(rec.get("id"), (str, int, float, bool, type(None)))
            and isinstance(rec.get("text"), str)
        )
        if ok:
            try:
                rec["text"].encode("utf-8")
            except UnicodeEncodeError:
                ok = False
        if ok:
            assert "error" not in row and row["id"] == rec["id"] and isinstance(row["spans"], list)
        else:
            assert row["line"] == n and isinstance(row["error"], str) and "text" not in row
    assert rc == (1 if any("error" in r for r in rows) else 0)


@pytest.mark.parametrize("bad", [b'{"id": "s", "text": "\\ud800"}', b"\xff\xfe not utf-8", b"{oops", b'{"text": 3}'])
def test_jsonl_bad_line_never_echoes_its_text(monkeypatch, capsys, bad):
    good = json.dumps({"id": "g", "text": "my client Kwabena"}).encode()
    data = good + b"\n" + bad.replace(b"oops", b"Kwabena") + b"\n" + good + b"\n"
    rc, rows, err = _run_jsonl(monkeypatch, capsys, data)
    assert rc == 1 and len(rows) == 3
    assert "error" in rows[1] and "Kwabena" not in json.dumps(rows[1]) and "Kwabena" not in err
    assert rows[0] == rows[2] and "Kwabena" not in rows[2]["text"]
