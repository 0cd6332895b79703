"""The person simulator: what a person does in Slack (types, runs a command, clicks, submits a modal) sent to the app as Slack sends it."""

from __future__ import annotations

import copy
import json
import re
import secrets
import time
import uuid
from typing import Any
from urllib.parse import parse_qsl

from bot.mrkdwn import escape
from bot.sandbox import signing
from bot.sandbox.web_api.response_urls import ResponseUrls
from bot.sandbox.web_api.state import (
    _TYPED_MENTION,
    Delivery,
    SlackApiError,
)

# What a Slack client sends as a message's text: mentions, channel links and URLs as
# markup, every other "&", "<" and ">" as an entity (Slack's "formatting" rules).
_MARKUP = re.compile(r"<(?:[@#!]|https?:|mailto:)[^<>]*>")


def as_slack_text(typed: str) -> str:
    out, pos = [], 0
    for m in _MARKUP.finditer(typed):
        out.append(escape(typed[pos : m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(escape(typed[pos:]))
    return "".join(out)


class People(ResponseUrls):
    """The person simulator: what a person does in Slack (types, runs a command, clicks, submits a modal) sent to the app as Slack sends it."""

    def _check_user(self, user: str) -> None:
        if user not in self.users:
            raise ValueError(f"unknown user {user!r}; known: {', '.join(self.users)}")

    async def send_user_message(
        self, user: str, channel: str, text: str, thread_ts: str | None = None
    ) -> tuple[dict, Delivery | None]:
        """A person types ``text`` in ``channel`` (or in the thread under ``thread_ts``).

        The message is stored, then a ``message`` event is delivered to the app (when
        ``events_url`` is set).  Returns ``(message, delivery)``.
        """
        self._check_user(user)
        if channel in self.users:
            channel = self.dm_channel(channel)
        if channel.startswith("D") and channel[1:] in self.users:
            self.dm_channel(channel[1:])
        if channel not in self.channels:
            raise ValueError(f"unknown channel {channel!r}")
        self._last_actor = user
        msg = {
            "type": "message",
            "user": user,
            "text": as_slack_text(text),
            "team": self.team_id,
            "client_msg_id": str(uuid.uuid4()),
            "blocks": [
                {
                    "type": "rich_text",
                    "block_id": secrets.token_hex(2),
                    "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
                }
            ],
        }
        msg = self._store(channel, msg, thread_ts)
        self._changed("message")
        delivery = None
        if self._reaches_app():
            delivery = await self.deliver_event(self._message_event(channel, msg))
        return copy.deepcopy(msg), delivery

    def mention_candidates(self, user: str) -> dict[str, list[dict]]:
        """What the client's autocomplete offers ``user`` after ``#`` and ``@``: the
        channels they can see (public ones, private ones they are in) and the people."""
        channels = [
            {"id": ch["id"], "name": ch["name"]}
            for ch in self.channels.values()
            if not ch["is_im"] and (not ch["is_private"] or user in ch.get("members", []))
        ]
        people = [
            {"id": u["id"], "name": u["name"], "real_name": u["real_name"]}
            for u in self.users.values()
            if not u["deleted"]
        ]
        return {"channels": channels, "users": people}

    def escape_mentions(self, user: str, text: str) -> str:
        """What Slack sends for a command with ``should_escape``: a typed ``#general``
        becomes ``<#C…|general>``, ``@alex`` (name or display name, any case)
        ``<@U…|alex>``, ``@here``/``@channel``/``@everyone`` ``<!here>``…; a name
        that matches nothing stays as typed."""
        found = self.mention_candidates(user)
        channels = {c["name"].lower(): c for c in found["channels"]}
        people: dict[str, dict] = {}
        for u in self.users.values():
            if u["deleted"]:
                continue
            for name in (u["name"], u["profile"].get("display_name") or "", (u["real_name"] or "").split(" ")[0]):
                if name:
                    people.setdefault(name.lower(), u)

        def one(m: re.Match) -> str:
            sigil, name = m.group(1), m.group(2)
            key = name.lower()
            if sigil == "#" and key in channels:
                return f"<#{channels[key]['id']}|{channels[key]['name']}>"
            if sigil == "@" and key in ("here", "channel", "everyone"):
                return f"<!{key}>"
            if sigil == "@" and key in people:
                return f"<@{people[key]['id']}|{people[key]['name']}>"
            return m.group(0)

        return _TYPED_MENTION.sub(one, text)

    async def send_command(self, user: str, channel: str, command: str, text: str = "") -> Delivery:
        """A person runs ``command text`` in ``channel``; the ack body is shown like Slack shows it.
        For a command with ``should_escape`` (``escape_commands``) typed channels and
        people are sent as mentions, as Slack does."""
        self._check_user(user)
        if command in self.escape_commands:
            text = self.escape_mentions(user, text)
        text = as_slack_text(text)
        if channel in self.users:
            channel = self.dm_channel(channel)
        key = secrets.token_hex(8)
        url = self.response_url(key, user=user, channel=channel)
        body = signing.slash_command_body(
            command=command,
            text=text,
            user_id=user,
            team_id=self.team_id,
            channel_id=channel,
            response_url=url,
            trigger_id=self.issue_trigger(user),
            user_name=self.users[user]["name"],
            channel_name=self.channels.get(channel, {}).get("name")
            if channel in self.channels and not channel.startswith("D")
            else None,
            team_domain=self.team_domain,
            api_app_id=self.app_id,
        )
        payload = dict(parse_qsl(body))
        delivery = await self._post_to_app("command", body, signing.FORM, payload)
        self._show_ack(delivery, user, channel, f"{command} {text}".strip())
        return delivery

    def _show_ack(self, delivery: Delivery, user: str, channel: str, what: str) -> None:
        """What Slack shows after a command's HTTP answer."""
        if delivery.error or (delivery.status or 0) >= 300:
            err = delivery.error.split(":")[0] if delivery.error else "dispatch_failed"
            self._add_ephemeral(user, channel, f'{what} failed with the error "{err}"', None)
            return
        text = delivery.response_text.strip()
        if not text:
            return
        data = delivery.response_json
        if data is None:
            self._add_ephemeral(user, channel, text, None)
            return
        try:
            blocks = self._validate_blocks(data.get("blocks"))
        except SlackApiError:
            self._add_ephemeral(user, channel, f'{what} failed with the error "invalid_blocks"', None)
            return
        if data.get("response_type") == "in_channel" and channel in self.channels:
            msg = self._store(channel, self._bot_message(data.get("text") or "", blocks), None)
            self._schedule_message_event(channel, msg)
            self._changed("message")
        elif data.get("text") or blocks:
            self._add_ephemeral(user, channel, data.get("text") or "", blocks)

    def _locate(self, user: str, target: dict) -> tuple[str, dict]:
        """Classify what was clicked: ("view", view) / ("home", view) / ("message", msg) / ("ephemeral", msg)."""
        if target.get("type") in ("modal", "home") and target.get("id"):
            found = self._find_view(target["id"])
            if found is None:
                raise ValueError(f"view {target['id']} is not open")
            _, index, view = found
            return ("home" if index == -1 else "view"), view
        if target.get("is_ephemeral") or target.get("subtype") == "ephemeral":
            for e in self._ephemerals.get(user, []):
                if e["ts"] == target.get("ts"):
                    return "ephemeral", e
            raise ValueError("that ephemeral message is gone")
        channel = target.get("channel")
        if channel:
            msg = self._find(channel, target.get("ts", ""))
            if msg is None:
                raise ValueError("message not found")
            return "message", {**msg, "channel": channel}
        for cid, msgs in self._messages.items():
            for m in msgs:
                if m["ts"] == target.get("ts"):
                    return "message", {**m, "channel": cid}
        raise ValueError("message not found")

    @staticmethod
    def _find_element(blocks: list[dict], action_id: str) -> tuple[dict, dict] | None:
        for b in blocks or []:
            candidates: list[dict] = []
            if b.get("type") == "actions":
                candidates = b.get("elements") or []
            elif b.get("type") == "section" and b.get("accessory"):
                candidates = [b["accessory"]]
            elif b.get("type") == "input" and b.get("dispatch_action") and b.get("element"):
                candidates = [b["element"]]
            for el in candidates:
                if el.get("action_id") == action_id:
                    return b, el
        return None

    @staticmethod
    def _option(el: dict, value: Any) -> dict | None:
        options = list(el.get("options") or [])
        for g in el.get("option_groups") or []:
            options.extend(g.get("options") or [])
        for o in options:
            if o.get("value") == value:
                return o
        return None

    def _action(self, block: dict, el: dict, value: Any) -> dict:
        kind = el.get("type", "button")
        action: dict[str, Any] = {
            "type": kind,
            "action_id": el["action_id"],
            "block_id": block.get("block_id", ""),
            "action_ts": f"{time.time():.6f}",
        }
        if kind == "button":
            action["text"] = el.get("text")
            if value is not None or "value" in el:
                action["value"] = value if value is not None else el.get("value")
            if el.get("style"):
                action["style"] = el["style"]
        elif kind in ("static_select", "overflow", "radio_buttons"):
            opt = self._option(el, value)
            if opt is None:
                raise ValueError(f"{el['action_id']}: no option with value {value!r}")
            action["selected_option"] = opt
        elif kind in ("checkboxes", "multi_static_select"):
            wanted = value if isinstance(value, list) else ([] if value is None else [value])
            action["selected_options"] = [o for v in wanted if (o := self._option(el, v))]
        elif kind == "users_select":
            action["selected_user"] = value
        elif kind == "conversations_select":
            action["selected_conversation"] = value
        elif kind == "channels_select":
            action["selected_channel"] = value
        elif kind == "plain_text_input":
            action["value"] = value
        else:
            action["value"] = value
        return action

    async def click(
        self, user: str, message_or_view: dict, action_id: str, value: Any = None, *, values: dict | None = None
    ) -> Delivery:
        """A person clicks/selects ``action_id`` in a message, an ephemeral message, a modal or the Home tab.

        ``value`` overrides a button's value, or names the option for selects,
        radio buttons and checkboxes (a list for checkboxes).  ``values`` are the
        current inputs of a modal (same shape as :meth:`submit_view`).
        """
        self._check_user(user)
        where, target = self._locate(user, message_or_view)
        found = self._find_element(target.get("blocks") or [], action_id)
        if found is None:
            raise ValueError(f"no element with action_id {action_id!r} in that {where}")
        block, el = found
        action = self._action(block, el, value)
        trigger = self.issue_trigger(user)
        kwargs: dict[str, Any] = {}
        if where in ("view", "home"):
            if where == "view" and values is not None:
                target["state"] = {"values": self._normalise_values(target, values)}
            view = copy.deepcopy(target)
            kwargs = {"view": view, "container": {"type": "view", "view_id": view["id"]}}
        else:
            channel = target.get("channel")
            key = secrets.token_hex(8)
            source = {"channel": channel, "ts": target["ts"], "ephemeral": where == "ephemeral"}
            url = self.response_url(key, user=user, channel=channel, source=source)
            container = {
                "type": "message",
                "message_ts": target["ts"],
                "channel_id": channel,
                "is_ephemeral": where == "ephemeral",
            }
            if target.get("thread_ts") and target["thread_ts"] != target["ts"]:
                container["thread_ts"] = target["thread_ts"]
            kwargs = {"channel_id": channel, "container": container, "response_url": url}
            if where == "message":
                kwargs["message"] = self._public({k: v for k, v in target.items() if k != "channel"})
        body = signing.block_actions_body(
            user_id=user,
            team_id=self.team_id,
            action_id=action_id,
            action=action,
            trigger_id=trigger,
            user_name=self.users[user]["name"],
            team_domain=self.team_domain,
            api_app_id=self.app_id,
            **kwargs,
        )
        payload = json.loads(dict(parse_qsl(body))["payload"])
        return await self._post_to_app("block_actions", body, signing.FORM, payload)

    def _normalise_values(self, view: dict, values: dict) -> dict:
        """Accept ``{block: {action: "text"}}`` shorthands; fill in every input like Slack does."""
        out: dict[str, dict] = {}
        for b in view.get("blocks") or []:
            if b.get("type") != "input" or not b.get("element"):
                continue
            el = b["element"]
            bid, aid, kind = b.get("block_id", ""), el.get("action_id", ""), el.get("type")
            given = (values.get(bid) or {}).get(aid)
            if isinstance(given, dict) and "type" in given:
                out.setdefault(bid, {})[aid] = given
                continue
            if kind == "plain_text_input":
                out.setdefault(bid, {})[aid] = {"type": kind, "value": given if given not in ("",) else None}
            elif kind in ("static_select", "radio_buttons"):
                opt = self._option(el, given) if given is not None else None
                out.setdefault(bid, {})[aid] = {"type": kind, "selected_option": opt}
            elif kind in ("checkboxes", "multi_static_select"):
                wanted = given if isinstance(given, list) else ([] if given in (None, "") else [given])
                out.setdefault(bid, {})[aid] = {
                    "type": kind,
                    "selected_options": [o for v in wanted if (o := self._option(el, v))],
                }
            elif kind == "datepicker":
                out.setdefault(bid, {})[aid] = {"type": kind, "selected_date": given or None}
            elif kind == "users_select":
                out.setdefault(bid, {})[aid] = {"type": kind, "selected_user": given or None}
            elif kind in ("conversations_select", "channels_select"):
                key = "selected_conversation" if kind == "conversations_select" else "selected_channel"
                out.setdefault(bid, {})[aid] = {"type": kind, key: given or None}
            else:
                out.setdefault(bid, {})[aid] = {"type": kind, "value": given}
        # values for blocks the view does not describe are passed through untouched
        for bid, acts in values.items():
            for aid, given in (acts or {}).items():
                if aid not in out.get(bid, {}):
                    out.setdefault(bid, {})[aid] = (
                        given if isinstance(given, dict) else {"type": "plain_text_input", "value": given}
                    )
        return out

    @staticmethod
    def client_side_errors(view: dict, state_values: dict) -> dict:
        """The checks Slack's client makes before it lets a modal be submitted."""
        errors = {}
        for b in view.get("blocks") or []:
            if b.get("type") != "input" or not b.get("element"):
                continue
            el = b["element"]
            st = (state_values.get(b.get("block_id", "")) or {}).get(el.get("action_id", "")) or {}
            filled = any(
                st.get(k)
                for k in (
                    "value",
                    "selected_option",
                    "selected_options",
                    "selected_date",
                    "selected_user",
                    "selected_conversation",
                    "selected_channel",
                )
            )
            if not b.get("optional") and not filled:
                errors[b.get("block_id", "")] = "Please fill out this field."
            elif el.get("type") == "plain_text_input" and st.get("value"):
                n = len(st["value"])
                if el.get("min_length") and n < el["min_length"]:
                    errors[b.get("block_id", "")] = f"Please enter at least {el['min_length']} characters."
                elif el.get("max_length") and n > el["max_length"]:
                    errors[b.get("block_id", "")] = f"Please enter at most {el['max_length']} characters."
        return errors

    async def submit_view(self, user: str, view_id: str, values: dict, *, enforce_required: bool = True) -> Delivery:
        """A person presses the modal's submit button; the app's ``response_action`` is applied.

        Raises ``ValueError`` (with ``.errors``) when Slack's client would refuse the
        submission (a required field empty, a length limit broken).
        """
        self._check_user(user)
        stack = self._views.get(user) or []
        index = next((i for i, v in enumerate(stack) if v["id"] == view_id), None)
        if index is None:
            raise ValueError(f"view {view_id} is not open for {user}")
        view = stack[index]
        state_values = self._normalise_values(view, values)
        if enforce_required:
            errors = self.client_side_errors(view, state_values)
            if errors:
                exc = ValueError(f"the form is not complete: {errors}")
                exc.errors = errors  # type: ignore[attr-defined]
                raise exc
        view["state"] = {"values": state_values}
        body = signing.view_submission_body(
            user_id=user,
            team_id=self.team_id,
            view=copy.deepcopy(view),
            values=state_values,
            trigger_id=self.issue_trigger(user),
            user_name=self.users[user]["name"],
            team_domain=self.team_domain,
            api_app_id=self.app_id,
        )
        payload = json.loads(dict(parse_qsl(body))["payload"])
        delivery = await self._post_to_app("view_submission", body, signing.FORM, payload)
        self._apply_submission_ack(user, view_id, delivery)
        return delivery

    def _apply_submission_ack(self, user: str, view_id: str, delivery: Delivery) -> None:
        stack = self._views.get(user) or []
        index = next((i for i, v in enumerate(stack) if v["id"] == view_id), None)
        if index is None:
            return
        if delivery.error or (delivery.status or 0) >= 300:
            self._view_errors[view_id] = {"": "We had some trouble connecting. Try again?"}
            self._changed("view")
            return
        data = delivery.response_json or {}
        action = data.get("response_action")
        if action == "errors":
            self._view_errors[view_id] = dict(data.get("errors") or {})
        elif action == "update" and isinstance(data.get("view"), dict):
            old = stack[index]
            new = self._new_view(
                data["view"], root=stack[0] if index else None, previous=stack[index - 1] if index else None
            )
            new["id"] = old["id"]
            if index == 0:
                new["root_view_id"] = old["id"]
            stack[index] = new
            self._view_errors.pop(view_id, None)
        elif action == "push" and isinstance(data.get("view"), dict):
            stack.append(self._new_view(data["view"], root=stack[0], previous=stack[-1]))
            self._view_errors.pop(view_id, None)
        elif action == "clear":
            self._views[user] = []
            self._view_errors.pop(view_id, None)
        else:
            del stack[index:]
            self._view_errors.pop(view_id, None)
        self._changed("view")

    async def close_view(self, user: str, view_id: str) -> Delivery | None:
        """A person closes a modal (the X / Cancel); ``view_closed`` is sent when the view asked for it."""
        stack = self._views.get(user) or []
        index = next((i for i, v in enumerate(stack) if v["id"] == view_id), None)
        if index is None:
            return None
        view = stack[index]
        clear = bool(view.get("clear_on_close"))
        closed = stack[:] if clear else stack[index:]
        self._views[user] = [] if clear else stack[:index]
        self._view_errors.pop(view_id, None)
        self._changed("view")
        delivery = None
        if view.get("notify_on_close") and self._reaches_app():
            body = signing.view_closed_body(
                user_id=user,
                team_id=self.team_id,
                view=copy.deepcopy(closed[-1] if clear else view),
                is_cleared=clear,
                user_name=self.users[user]["name"],
                team_domain=self.team_domain,
                api_app_id=self.app_id,
            )
            delivery = await self._post_to_app(
                "view_closed", body, signing.FORM, json.loads(dict(parse_qsl(body))["payload"])
            )
        return delivery

    async def open_home(self, user: str) -> Delivery | None:
        """A person opens the app's Home tab: ``app_home_opened`` is delivered."""
        self._check_user(user)
        self._last_actor = user
        if not self._reaches_app():
            return None
        event = {
            "type": "app_home_opened",
            "user": user,
            "channel": self.dm_channel(user),
            "tab": "home",
            "event_ts": self._new_ts(),
        }
        if user in self._homes:
            event["view"] = copy.deepcopy(self._homes[user])  # type: ignore[assignment]
        return await self.deliver_event(event)
