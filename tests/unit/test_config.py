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
    assert s.sources["port"] == "environment (PORT)"
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
