"""Configuration: a YAML file validated against a small schema, then environment overrides.

A typo in the file must stop the app at start with a message a non-engineer can act
on, rather than silently falling back to a default that might route posts wrongly.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.texts import parse_yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "config" / "default.yaml"


class ConfigError(Exception):
    """Raised with a message that names the file, the key and what was expected."""


class StartupError(ConfigError):
    """Start-up failed for a reason outside the code (a busy port, an unreachable
    database): the message names the setting to look at."""


OptionalStr = (str, type(None))

# key -> expected type, or a nested schema dict, or ("list", item_schema)
SCHEMA: dict[str, Any] = {
    "app": {"port": int, "log_level": str, "data_dir": str, "shutdown_seconds": (int, float)},
    "slack": {
        "api_url": OptionalStr,
        "rate_limit_retries": int,
        "server_error_retries": int,
        "connection_retries": int,
        "retry_backoff_seconds": (int, float),
        "timeout_seconds": (int, float),
    },
    "storage": {"database_url": OptionalStr},
    "intake": {"idle_expiry_hours": (int, float), "max_answer_chars": int},
    "relay": {"batch_seconds": (int, float)},
    "posting": {"retry_interval_seconds": (int, float)},
    "channels": ("list", {"id": str, "name": str}),
    "review_channel": OptionalStr,
    "moderators": ("list", str),
    "approval": bool,
    "retention_days": int,
    "terms": ("list", str),
    # The workspace (or Enterprise Grid organisation) the workspace settings above belong to.
    "team_id": OptionalStr,
}


def _type_name(expected: Any) -> str:
    if isinstance(expected, tuple) and expected and expected[0] == "list":
        return "a list"
    if isinstance(expected, dict):
        return "a mapping with keys " + ", ".join(expected)
    types = expected if isinstance(expected, tuple) else (expected,)
    names = {int: "an integer", float: "a number", str: "a string", bool: "true or false", type(None): "null"}
    return " or ".join(names.get(t, t.__name__) for t in types)


def _check(value: Any, expected: Any, path: str, source: str) -> None:
    def fail(why: str) -> None:
        raise ConfigError(f"{source}: `{path}` {why}")

    if isinstance(expected, dict):
        if not isinstance(value, dict):
            fail(f"should be {_type_name(expected)}, got {type(value).__name__}")
        for key, sub in value.items():
            if key not in expected:
                fail(f"has an unknown key `{key}`; expected one of: {', '.join(expected)}")
            _check(sub, expected[key], f"{path}.{key}", source)
        missing = [k for k in expected if k not in value]
        if missing and path.endswith("]"):  # list items (channels) need every key
            fail(f"is missing {', '.join(missing)}")
        return
    if isinstance(expected, tuple) and expected and expected[0] == "list":
        if not isinstance(value, list):
            fail(f"should be a list, got {type(value).__name__}")
        for i, item in enumerate(value):
            _check(item, expected[1], f"{path}[{i}]", source)
        return
    types = expected if isinstance(expected, tuple) else (expected,)
    # YAML's `yes` is a bool and bool is an int subclass: keep them apart.
    if isinstance(value, bool) and bool not in types:
        fail(f"should be {_type_name(expected)}, got true/false")
    if not isinstance(value, types):
        fail(f"should be {_type_name(expected)}, got {type(value).__name__} {value!r}")


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("json", "text")

# attr -> (where it is in the file, its environment variable or None, check, what is expected)
RANGES: dict[str, tuple[str, str | None, Any, str]] = {
    # 0 (any free port) is kept for tests and one-off runs.
    "port": ("app.port", "PORT", lambda v: 0 <= v <= 65535, "between 1 and 65535 (or 0: any free port)"),
    "log_level": ("app.log_level", "LOG_LEVEL", lambda v: v in LOG_LEVELS, "one of " + ", ".join(LOG_LEVELS)),
    "log_format": ("(none)", "LOG_FORMAT", lambda v: v in LOG_FORMATS, "one of " + ", ".join(LOG_FORMATS)),
    "shutdown_seconds": (
        "app.shutdown_seconds",
        "SHUTDOWN_SECONDS",
        lambda v: 0 < v <= 600,
        "more than 0 and at most 600 seconds",
    ),
    "retention_days": ("retention_days", None, lambda v: v >= 0, "0 (keep) or more days"),
    "idle_expiry_hours": ("intake.idle_expiry_hours", None, lambda v: v >= 1, "at least 1 hour"),
    "max_answer_chars": ("intake.max_answer_chars", None, lambda v: v >= 1, "at least 1"),
    "relay_batch_seconds": ("relay.batch_seconds", None, lambda v: v >= 0, "0 or more seconds"),
    "posting_retry_interval_seconds": ("posting.retry_interval_seconds", None, lambda v: v >= 0, "0 or more seconds"),
    "rate_limit_retries": ("slack.rate_limit_retries", None, lambda v: v >= 0, "0 or more"),
    "server_error_retries": ("slack.server_error_retries", None, lambda v: v >= 0, "0 or more"),
    "connection_retries": ("slack.connection_retries", None, lambda v: v >= 0, "0 or more"),
    "retry_backoff_seconds": ("slack.retry_backoff_seconds", None, lambda v: v >= 0, "0 or more seconds"),
}


def check_ranges(s: Settings) -> None:
    """Values of the right type but outside what works: one line naming the setting."""
    for attr, (key, var, ok, expected) in RANGES.items():
        value = getattr(s, attr)
        if value is None or ok(value):
            continue
        if var and s.from_environment.get(attr) == var:
            where = f"environment variable {var}"
        else:
            where = f"{s.config_path}: `{key}`"
        raise ConfigError(f"{where} should be {expected}, got {value!r}")


@dataclass
class Settings:
    port: int = 3000
    log_level: str = "INFO"
    log_format: str | None = None  # json or text; unset: text on a terminal, JSON otherwise
    # SIGTERM: how long acknowledged work may take to finish before the process exits anyway
    # (8: inside `docker stop`'s 10 s before its SIGKILL; Heroku and Kubernetes allow 30 s)
    shutdown_seconds: float = 8
    data_dir: Path = ROOT / "data"
    slack_api_url: str | None = None
    rate_limit_retries: int = 3
    server_error_retries: int = 3
    connection_retries: int = 2
    retry_backoff_seconds: float = 0.5
    # how long a Web API call may take before it counts as lost (then looked for, never resent blindly)
    slack_timeout_seconds: float = 10
    database_url: str | None = None
    idle_expiry_hours: float = 24
    max_answer_chars: int = 3000
    relay_batch_seconds: float = 60
    posting_retry_interval_seconds: float = 30
    channels: list[dict[str, str]] = field(default_factory=list)
    review_channel: str | None = None
    moderators: list[str] = field(default_factory=list)
    approval: bool = False
    retention_days: int = 0
    terms: list[str] = field(default_factory=list)
    # Which workspace the file's channels, review_channel, moderators and terms are for
    # (bot/moderation/workspace.py: config_applies); None: the single token's workspace.
    team_id: str | None = None
    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None
    # OAuth install in several workspaces (Bolt's conventional variables; bot/slack/installs.py)
    client_id: str | None = None
    client_secret: str | None = None
    oauth_scopes: list[str] | None = None  # SLACK_SCOPES; None: the manifest's bot scopes
    redirect_uri: str | None = None  # SLACK_REDIRECT_URI; None: the app's Redirect URL in Slack
    secret_key: str | None = None
    # The sandbox's own database, named on purpose; the sandbox never opens database_url.
    sandbox_database_url: str | None = None
    in_sandbox: bool = False  # set by the sandbox, which gives the app a token of its own
    config_path: Path = DEFAULT_CONFIG
    # attribute -> the environment variable that set it, so a message names the variable, not the file
    from_environment: dict[str, str] = field(default_factory=dict)

    @property
    def sandbox(self) -> bool:
        return not self.bot_token and not self.oauth

    @property
    def oauth(self) -> bool:
        """Installed in several workspaces through /slack/install (SLACK_CLIENT_ID and
        SLACK_CLIENT_SECRET), each workspace's bot token kept in the database."""
        return bool(self.client_id or self.client_secret)

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    def database_setting(self) -> str:
        """Where the database URL came from, for messages (never the URL: it may hold a password)."""
        if "database_url" in self.from_environment:
            return "DATABASE_URL"
        if self.database_url:
            return f"storage.database_url in {self.config_path}"
        return f"the default database {self.data_dir / 'boundary.sqlite3'}"

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'boundary.sqlite3'}"


def load_settings(env: dict[str, str] | None = None, path: str | Path | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    cfg_path = Path(path or env.get("BOUNDARY_CONFIG") or DEFAULT_CONFIG)
    if not cfg_path.is_absolute() and not cfg_path.exists():
        cfg_path = ROOT / cfg_path
    try:
        raw = parse_yaml(cfg_path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"{cfg_path}: file not found (set BOUNDARY_CONFIG or create it)") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{cfg_path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{cfg_path}: the top level should be a mapping of settings")
    for key, value in raw.items():
        if key not in SCHEMA:
            raise ConfigError(f"{cfg_path}: unknown key `{key}`; expected one of: {', '.join(SCHEMA)}")
        _check(value, SCHEMA[key], key, str(cfg_path))

    def get(section: str, key: str | None = None, default: Any = None) -> Any:
        node = raw.get(section, {} if key else default)
        if key is None:
            return default if node is None and default is not None else node
        return (node or {}).get(key, default)

    data_dir = Path(get("app", "data_dir", "data"))
    if not data_dir.is_absolute():
        data_dir = ROOT / data_dir
    s = Settings(
        port=get("app", "port", 3000),
        log_level=str(get("app", "log_level", "INFO")).upper(),
        shutdown_seconds=get("app", "shutdown_seconds", 8),
        data_dir=data_dir,
        slack_api_url=get("slack", "api_url"),
        rate_limit_retries=get("slack", "rate_limit_retries", 3),
        server_error_retries=get("slack", "server_error_retries", 3),
        connection_retries=get("slack", "connection_retries", 2),
        retry_backoff_seconds=get("slack", "retry_backoff_seconds", 0.5),
        slack_timeout_seconds=get("slack", "timeout_seconds", 10),
        database_url=get("storage", "database_url"),
        idle_expiry_hours=get("intake", "idle_expiry_hours", 24),
        max_answer_chars=get("intake", "max_answer_chars", 3000),
        relay_batch_seconds=get("relay", "batch_seconds", 60),
        posting_retry_interval_seconds=get("posting", "retry_interval_seconds", 30),
        channels=list(raw.get("channels") or []),
        review_channel=raw.get("review_channel"),
        moderators=list(raw.get("moderators") or []),
        approval=bool(raw.get("approval", False)),
        retention_days=int(raw.get("retention_days", 0)),
        terms=list(raw.get("terms") or []),
        team_id=raw.get("team_id"),
        config_path=cfg_path,
    )
    overrides: dict[str, tuple[str, Callable[[str], Any]]] = {
        "PORT": ("port", int),
        "LOG_LEVEL": ("log_level", str.upper),
        "LOG_FORMAT": ("log_format", str.lower),
        "SHUTDOWN_SECONDS": ("shutdown_seconds", float),
        "SLACK_API_URL": ("slack_api_url", str),
        "DATABASE_URL": ("database_url", str),
        "SLACK_BOT_TOKEN": ("bot_token", str),
        "SLACK_SIGNING_SECRET": ("signing_secret", str),
        "SLACK_APP_TOKEN": ("app_token", str),
        "SLACK_CLIENT_ID": ("client_id", str),
        "SLACK_CLIENT_SECRET": ("client_secret", str),
        "SLACK_SCOPES": ("oauth_scopes", lambda v: [x.strip() for x in v.split(",") if x.strip()]),
        "SLACK_REDIRECT_URI": ("redirect_uri", str),
        "BOUNDARY_SECRET_KEY": ("secret_key", str),
        "BOUNDARY_SANDBOX_DATABASE_URL": ("sandbox_database_url", str),
    }
    for var, (attr, cast) in overrides.items():
        value = env.get(var)
        if value in (None, ""):
            continue
        try:
            setattr(s, attr, cast(value))
        except ValueError:
            kind = "a number" if cast is float else "an integer"
            raise ConfigError(f"environment variable {var} should be {kind}, got {value!r}") from None
        s.from_environment[attr] = var
    check_ranges(s)
    check_modes(s)
    return s


def check_modes(s: Settings) -> None:
    """One way to get tokens: one bot token, or the OAuth install (never both)."""
    if not s.oauth:
        return
    if not (s.client_id and s.client_secret):
        missing = "SLACK_CLIENT_SECRET" if s.client_id else "SLACK_CLIENT_ID"
        raise ConfigError(f"environment variable {missing} is required with the other for the OAuth install")
    if s.bot_token:
        raise ConfigError(
            "SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set: set SLACK_BOT_TOKEN alone for one workspace, "
            "or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET alone to install in several (the tokens are then kept "
            "in the database)"
        )
    if s.app_token:
        raise ConfigError(
            "SLACK_APP_TOKEN (Socket Mode) and SLACK_CLIENT_ID (OAuth install) are both set: the install pages "
            "are served over HTTP; unset SLACK_APP_TOKEN to install in several workspaces"
        )
