"""The manifest declares what the code registers and the scopes its Web API calls need."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())

# Web API method (as slack_sdk names it) -> bot scopes that allow it (any of them)
METHOD_SCOPES = {
    "files_upload_v2": {"files:write"},  # files.getUploadURLExternal + files.completeUploadExternal
    "files_delete": {"files:write"},
    "chat_postMessage": {"chat:write"},
    "chat_update": {"chat:write"},
    "chat_delete": {"chat:write"},
    "chat_postEphemeral": {"chat:write"},
    "chat_getPermalink": set(),
    "conversations_open": {"im:write"},
    "conversations_info": {"channels:read", "groups:read"},
    "conversations_join": {"channels:join"},
    "conversations_members": {"channels:read", "groups:read"},
    "conversations_replies": {"channels:history", "groups:history"},
    "conversations_history": {"channels:history", "groups:history"},
    "users_info": {"users:read"},
    "views_open": set(),
    "views_update": set(),
    "views_publish": set(),
    "auth_test": set(),  # no scope needed: which workspace the token belongs to
}
EVENT_SUBSCRIPTIONS = {
    "message": {"message.im", "message.channels", "message.groups"},
    "app_home_opened": {"app_home_opened"},
    "app_uninstalled": {"app_uninstalled"},
    "tokens_revoked": {"tokens_revoked"},
}


def registered():
    """Commands and events the real listeners register: register_listeners() is run
    against a recorder that stands where the Bolt app would."""
    from bot.listeners import register_listeners

    calls = {"command": [], "event": []}

    class Recorder:
        def __getattr__(self, kind):
            def register(key, *a, **k):
                if kind in calls:
                    calls[kind].append(key)
                return lambda fn: fn

            return register

    register_listeners(Recorder(), services=None)
    assert calls["command"] and calls["event"]
    return calls


def test_commands_declared_with_escaping():
    declared = {c["command"]: c for c in MANIFEST["features"]["slash_commands"]}
    for command in registered()["command"]:
        assert command in declared, command
        assert declared[command]["should_escape"] is True
    assert set(declared) == {"/boundary", "/boundary-admin"}


def test_events_declared():
    bot_events = set(MANIFEST["settings"]["event_subscriptions"]["bot_events"])
    for event in registered()["event"]:
        if isinstance(event, str):
            assert EVENT_SUBSCRIPTIONS[event] <= bot_events, event


def test_scopes_cover_every_web_api_call_in_the_code():
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert "commands" in scopes and {"im:history"} <= scopes
    used = set()
    for path in (ROOT / "bot").rglob("*.py"):
        if "sandbox" in path.parts:
            continue
        source = path.read_text()
        used |= set(re.findall(r"client\.([a-z]+_[A-Za-z]+)\(", source))
        # The gateway names Slack's methods as Slack does ("chat.postMessage").
        used |= {f"{a}_{b}" for a, b in re.findall(r'_call\(\s*team,\s*"([a-z]+)[._]([A-Za-z0-9_]+)"', source)}
    assert used, "no Web API calls found"
    for method in used:
        assert method in METHOD_SCOPES, f"add {method} to METHOD_SCOPES"
        needed = METHOD_SCOPES[method]
        assert not needed or needed & scopes, (method, needed)
    assert MANIFEST["features"]["app_home"]["messages_tab_enabled"] is True
    assert MANIFEST["features"]["app_home"]["messages_tab_read_only_enabled"] is False
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True


def test_oauth_install_matches_the_manifest():
    """/slack/install asks for exactly the manifest's bot scopes (and no user scopes), the
    fake Slack grants exactly those, and Slack sends the browser back to the path the app serves."""
    from bot.sandbox.web_api import BOT_SCOPES as FAKE_SCOPES
    from bot.slack.installs import REDIRECT_PATH, bot_scopes

    declared = MANIFEST["oauth_config"]["scopes"]["bot"]
    assert list(bot_scopes()) == declared == FAKE_SCOPES
    assert "user" not in MANIFEST["oauth_config"]["scopes"]
    urls = MANIFEST["oauth_config"]["redirect_urls"]
    assert urls == ["https://YOUR-HOST" + REDIRECT_PATH]
    assert MANIFEST["settings"]["org_deploy_enabled"] is True
