"""Build and sign request bodies the way Slack does.

Slack signs every request it sends to an app with the app's signing secret:
``x-slack-signature: v0=HMAC_SHA256(secret, "v0:{timestamp}:{raw body}")`` and
``x-slack-request-timestamp``.  Bolt rejects a request whose timestamp is more than
five minutes off, so the default timestamp is "now".

Body shapes follow what Slack sends:

* slash commands: ``application/x-www-form-urlencoded`` key/value pairs;
* interactivity (``block_actions``, ``view_submission``, ``view_closed``):
  ``application/x-www-form-urlencoded`` with a single ``payload`` field holding JSON;
* Events API: ``application/json`` ``event_callback`` envelopes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any
from urllib.parse import urlencode

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

DEFAULT_APP_ID = "A0SANDBOX"
VERIFICATION_TOKEN = "sandbox-verification-token"  # deprecated by Slack, still sent


def signature(body: str, signing_secret: str, timestamp: int) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(signing_secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def signed_headers(
    body: str,
    signing_secret: str,
    *,
    content_type: str = FORM,
    timestamp: int | None = None,
    retry_num: int | None = None,
    retry_reason: str = "http_timeout",
) -> dict[str, str]:
    """Headers Slack would send with ``body``; add retry headers for a redelivery."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": signature(body, signing_secret, ts),
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    }
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = retry_reason
    return headers


def _user_name(user_id: str) -> str:
    return user_id.lower()


def slash_command_body(
    *,
    command: str,
    text: str,
    user_id: str,
    team_id: str,
    channel_id: str,
    response_url: str,
    trigger_id: str = "t.1",
    user_name: str | None = None,
    channel_name: str | None = None,
    team_domain: str = "sandbox",
    api_app_id: str = DEFAULT_APP_ID,
) -> str:
    if channel_name is None:
        channel_name = "directmessage" if channel_id.startswith("D") else channel_id.lower()
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": team_domain,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name or _user_name(user_id),
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }
    return urlencode(fields)


def _payload_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload, separators=(",", ":"))})


def _user(user_id: str, team_id: str, user_name: str | None = None) -> dict[str, str]:
    name = user_name or _user_name(user_id)
    return {"id": user_id, "username": name, "name": name, "team_id": team_id}


def block_actions_body(
    *,
    user_id: str,
    team_id: str,
    action_id: str,
    value: str | None = None,
    channel_id: str | None = None,
    message: dict | None = None,
    container: dict | None = None,
    response_url: str | None = None,
    trigger_id: str = "t.2",
    view: dict | None = None,
    block_id: str | None = None,
    action: dict | None = None,
    state: dict | None = None,
    user_name: str | None = None,
    team_domain: str = "sandbox",
    api_app_id: str = DEFAULT_APP_ID,
) -> str:
    """A ``block_actions`` payload.

    ``action`` is the full action object when the caller has one (a select's
    ``selected_option`` etc.); otherwise a button action is built from
    ``action_id``/``value``/``block_id``.
    """
    if action is None:
        action = {
            "type": "button",
            "action_id": action_id,
            "block_id": block_id or "b",
            "text": {"type": "plain_text", "text": action_id, "emoji": True},
            "action_ts": f"{time.time():.6f}",
        }
        if value is not None:
            action["value"] = value
    if container is None:
        if view is not None:
            container = {"type": "view", "view_id": view.get("id")}
        elif message is not None or channel_id is not None:
            container = {
                "type": "message",
                "message_ts": (message or {}).get("ts"),
                "channel_id": channel_id,
                "is_ephemeral": False,
            }
        else:
            container = {}
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, team_id, user_name),
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "container": container,
        "trigger_id": trigger_id,
        "team": {"id": team_id, "domain": team_domain},
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [action],
    }
    if channel_id is not None:
        payload["channel"] = {"id": channel_id, "name": channel_id.lower()}
    if message is not None:
        payload["message"] = message
    if view is not None:
        payload["view"] = view
        payload["state"] = view.get("state", {"values": {}})
    else:
        payload["state"] = state if state is not None else {"values": {}}
    if response_url is not None:
        payload["response_url"] = response_url
    return _payload_body(payload)


def view_submission_body(
    *,
    user_id: str,
    team_id: str,
    view: dict,
    values: dict,
    trigger_id: str = "t.3",
    user_name: str | None = None,
    team_domain: str = "sandbox",
    api_app_id: str = DEFAULT_APP_ID,
) -> str:
    """A ``view_submission`` payload; ``values`` is ``view.state.values``."""
    sent_view = dict(view)
    sent_view.setdefault("id", "V0SANDBOX")
    sent_view.setdefault("team_id", team_id)
    sent_view.setdefault("type", "modal")
    sent_view.setdefault("callback_id", "")
    sent_view.setdefault("private_metadata", "")
    sent_view.setdefault("hash", "1.sandbox")
    sent_view["state"] = {"values": values}
    payload: dict[str, Any] = {
        "type": "view_submission",
        "team": {"id": team_id, "domain": team_domain},
        "user": _user(user_id, team_id, user_name),
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "view": sent_view,
        "response_urls": [],
        "enterprise": None,
        "is_enterprise_install": False,
    }
    return _payload_body(payload)


def view_closed_body(
    *,
    user_id: str,
    team_id: str,
    view: dict,
    is_cleared: bool = False,
    user_name: str | None = None,
    team_domain: str = "sandbox",
    api_app_id: str = DEFAULT_APP_ID,
) -> str:
    payload = {
        "type": "view_closed",
        "team": {"id": team_id, "domain": team_domain},
        "user": _user(user_id, team_id, user_name),
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "view": view,
        "is_cleared": is_cleared,
        "enterprise": None,
        "is_enterprise_install": False,
    }
    return _payload_body(payload)


def event_body(
    *,
    team_id: str,
    event: dict,
    event_id: str | None = None,
    api_app_id: str = DEFAULT_APP_ID,
    event_time: int | None = None,
    authorizations: list[dict] | None = None,
) -> str:
    """A JSON ``event_callback`` envelope around ``event``."""
    envelope = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or ("Ev" + uuid.uuid4().hex[:10].upper()),
        "event_time": int(time.time()) if event_time is None else event_time,
        "authorizations": authorizations
        or [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": "U0BOT",
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }
    return json.dumps(envelope, separators=(",", ":"))
