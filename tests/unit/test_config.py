"""Configuration: validated at start with messages naming the file, key and expectation."""

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path, text):
    p = tmp_path / "c.yaml"
    p.write_text(text)
    return p


def test_default_config_loads():
    s = load_settings(env={})
    assert s.port == 3000 and s.sandbox and not s.socket_mode
    assert s.resolved_database_url().startswith("sqlite:///")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("colour: blue\n", "unknown key `colour`"),
        ("app:\n  prot: 3000\n", "`app` has an unknown key `prot`"),
        ("app:\n  port: '3000'\n", "`app.port` should be an integer"),
        ("approval: yes please\n", "`approval` should be true or false"),
        ("retention_days: true\n", "`retention_days` should be an integer, got true/false"),
        ("channels:\n  - {id: C1}\n", "`channels[0]` is missing name"),
        ("moderators: U1\n", "`moderators` should be a list"),
        ("app: [1]\n", "`app` should be a mapping"),
        ("- a\n", "top level should be a mapping"),
        ("app: {port: 1\n", "not valid YAML"),
    ],
)
def test_bad_config_names_file_key_and_expectation(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_settings(env={}, path=path)
    assert str(path) in str(err.value) and expected in str(err.value)


def test_environment_overrides_config(tmp_path):
    path = write(tmp_path, "app:\n  port: 4000\nstorage:\n  database_url: sqlite:///x.db\n")
    s = load_settings(
        env={
            "PORT": "5000",
            "DATABASE_URL": "postgresql://h/db",
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_APP_TOKEN": "xapp-1",
            "SLACK_API_URL": "http://127.0.0.1:9/api/",
            "BOUNDARY_SECRET_KEY": "k",
        },
        path=path,
    )
    assert s.port == 5000 and s.database_url == "postgresql://h/db" and s.socket_mode and not s.sandbox
    assert s.slack_api_url == "http://127.0.0.1:9/api/" and s.secret_key == "k"
    assert s.from_environment["port"] == "PORT"
    with pytest.raises(ConfigError, match="PORT should be an integer"):
        load_settings(env={"PORT": "eighty"}, path=path)


def test_bad_config_stops_the_app_with_a_clear_message(tmp_path):
    path = write(tmp_path, "approval: maybe\n")
    proc = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"BOUNDARY_CONFIG": str(path), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 2
    assert "Configuration error" in proc.stderr and "`approval`" in proc.stderr and "true or false" in proc.stderr


@pytest.mark.parametrize(
    "text, env, expected",
    [
        ("app:\n  port: 99999\n", {}, "`app.port` should be between 1 and 65535 (or 0: any free port), got 99999"),
        ("app:\n  log_level: LOUD\n", {}, "`app.log_level` should be one of DEBUG, INFO, WARNING, ERROR, got 'LOUD'"),
        ("retention_days: -5\n", {}, "`retention_days` should be 0 (keep) or more days, got -5"),
        ("intake:\n  idle_expiry_hours: 0\n", {}, "`intake.idle_expiry_hours` should be at least 1 hour, got 0"),
        ("", {"PORT": "-1"}, "environment variable PORT should be between 1 and 65535 (or 0: any free port), got -1"),
        ("", {"LOG_LEVEL": "chatty"}, "environment variable LOG_LEVEL should be one of DEBUG, INFO"),
        ("", {"LOG_FORMAT": "xml"}, "environment variable LOG_FORMAT should be one of json, text"),
        ("app:\n  shutdown_seconds: 0\n", {}, "`app.shutdown_seconds` should be more than 0 and at most 600 seconds"),
        ("", {"SHUTDOWN_SECONDS": "soon"}, "environment variable SHUTDOWN_SECONDS should be a number, got 'soon'"),
        ("", {"SHUTDOWN_SECONDS": "-1"}, "environment variable SHUTDOWN_SECONDS should be more than 0"),
    ],
)
def test_values_out_of_range_are_refused_naming_the_setting(tmp_path, text, env, expected):
    path = write(tmp_path, text or "{}\n")
    with pytest.raises(ConfigError) as err:
        load_settings(env=env, path=path)
    assert expected in str(err.value)
    assert "\n" not in str(err.value)


def test_log_level_and_format_from_the_environment(tmp_path):
    path = write(tmp_path, "app:\n  log_level: warning\n")
    assert load_settings(env={}, path=path).log_level == "WARNING"
    s = load_settings(env={"LOG_LEVEL": "debug", "LOG_FORMAT": "JSON"}, path=path)
    assert (s.log_level, s.log_format) == ("DEBUG", "json")


def test_logs_are_json_unless_on_a_terminal_and_text_there_unless_log_format_json():
    import io
    import json
    import logging

    from bot.logs import log_event, setup_logging

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        for stream, fmt, is_json in (
            (io.StringIO(), None, True),
            (Terminal(), None, False),
            (Terminal(), "json", True),
        ):
            setup_logging("INFO", fmt, stream=stream)
            log_event(logging.getLogger("bot.t"), "started", port=3000)
            line = stream.getvalue().strip()
            if is_json:
                assert json.loads(line)["port"] == 3000 and json.loads(line)["msg"] == "started"
            else:
                assert "started" in line and "port=3000" in line and not line.startswith("{")
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])


@pytest.mark.parametrize(
    "url, driver_url, ssl",
    [
        ("postgres://u:p@h:5432/db", "postgresql+asyncpg://u:p@h:5432/db", None),
        ("postgresql://u:p@h/db", "postgresql+asyncpg://u:p@h/db", None),
        ("postgresql+asyncpg://u:p@h/db", "postgresql+asyncpg://u:p@h/db", None),
        ("postgres://u:p@h/db?sslmode=require", "postgresql+asyncpg://u:p@h/db", "require"),
        (
            "postgresql://u:p@h/db?sslmode=disable&application_name=x",
            "postgresql+asyncpg://u:p@h/db?application_name=x",
            "disable",
        ),
        ("postgresql://u:p%40x@h/db?sslmode=verify-full", "postgresql+asyncpg://u:p%40x@h/db", "verify-full"),
        ("postgresql+asyncpg://u@h/db?ssl=require", "postgresql+asyncpg://u@h/db", "require"),
        ("sqlite:///data/x.sqlite3", "sqlite+aiosqlite:///data/x.sqlite3", None),
    ],
)
def test_database_urls_in_every_common_form(url, driver_url, ssl):
    from bot.storage.db import engine_args

    got_url, connect_args = engine_args(url)
    assert got_url == driver_url and connect_args.get("ssl") == ssl


def test_a_bad_database_url_is_one_line_naming_the_setting(tmp_path):
    import asyncio

    from bot.services import build_services

    path = write(tmp_path, f"app:\n  data_dir: {tmp_path}\n")
    for url, expected in (
        ("postgresql://u@h/db?sslmode=sometimes", "DATABASE_URL has sslmode=sometimes; expected one of disable"),
        ("mysql://u@h/db", "DATABASE_URL should start with sqlite:///, postgres:// or postgresql://"),
    ):
        s = load_settings(env={"DATABASE_URL": url, "BOUNDARY_SECRET_KEY": "k" * 40}, path=path)
        with pytest.raises(ConfigError) as err:
            asyncio.run(build_services(s))
        assert expected in str(err.value) and "\n" not in str(err.value) and "pw" not in str(err.value)


def test_oauth_install_is_configured_by_bolts_variables():
    env = {
        "SLACK_CLIENT_ID": "111.222",
        "SLACK_CLIENT_SECRET": "s3cret",
        "SLACK_SIGNING_SECRET": "sign",
        "SLACK_SCOPES": "commands, chat:write",
        "SLACK_REDIRECT_URI": "https://consult.example/slack/oauth_redirect",
    }
    s = load_settings(env=env)
    assert s.oauth and not s.sandbox and not s.socket_mode
    assert (s.client_id, s.client_secret) == ("111.222", "s3cret")
    assert s.oauth_scopes == ["commands", "chat:write"]
    assert s.redirect_uri == "https://consult.example/slack/oauth_redirect"
    assert load_settings(env={}).sandbox and not load_settings(env={}).oauth


@pytest.mark.parametrize(
    "env, expected",
    [
        ({"SLACK_CLIENT_ID": "1.2"}, "SLACK_CLIENT_SECRET is required"),
        ({"SLACK_CLIENT_SECRET": "x"}, "SLACK_CLIENT_ID is required"),
        ({"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "x", "SLACK_BOT_TOKEN": "xoxb-1"}, "both set"),
        ({"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "x", "SLACK_APP_TOKEN": "xapp-1"}, "served over HTTP"),
    ],
)
def test_one_way_to_get_tokens(env, expected):
    with pytest.raises(ConfigError, match=expected):
        load_settings(env=env)


def test_config_team_id_names_the_workspace_the_file_is_for(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("team_id: T0ALPHA\nchannels: [{id: C1, name: consult}]\n")
    assert load_settings(env={}, path=path).team_id == "T0ALPHA"
    path.write_text("team_id: 7\n")
    with pytest.raises(ConfigError, match="`team_id` should be a string or null"):
        load_settings(env={}, path=path)


def test_config_files_workspace_settings_are_one_workspaces():
    from bot.config import Settings
    from bot.moderation.workspace import Workspace

    def applies(team: str, **settings) -> bool:
        return Workspace(store=None, settings=Settings(**settings)).config_applies(team)  # type: ignore[arg-type]

    assert applies("T1", bot_token="xoxb-1")  # one token: its workspace's
    assert applies("T2", bot_token="xoxb-1", team_id="T2") and not applies("T1", bot_token="xoxb-1", team_id="T2")
    assert not applies("T1", client_id="1.2", client_secret="x")  # several workspaces, none named: nobody's
    assert applies("E1", client_id="1.2", client_secret="x", team_id="E1")
