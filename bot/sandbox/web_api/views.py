"""`views.*`: modals and App Home, opened with a trigger id."""

from __future__ import annotations

import copy
import secrets
import time
from typing import Any

from bot.sandbox.web_api.conversations import Conversations
from bot.sandbox.web_api.state import (
    TRIGGER_SECONDS,
    VIEW_BLOCKS_MAX,
    SlackApiError,
)


class Views(Conversations):
    """`views.*`: modals and App Home, opened with a trigger id."""

    def _validate_view(self, view: Any) -> dict:
        if not isinstance(view, dict):
            raise SlackApiError(
                "invalid_arguments", response_metadata={"messages": ["[ERROR] missing required field: view"]}
            )
        from slack_sdk.models.views import View

        blocks = view.get("blocks") or []
        limit = VIEW_BLOCKS_MAX
        if not isinstance(blocks, list) or len(blocks) > limit:
            raise SlackApiError("invalid_arguments", response_metadata={"messages": ["[ERROR] too many blocks"]})
        if view.get("type") == "modal":
            has_input = any(b.get("type") == "input" for b in blocks if isinstance(b, dict))
            if has_input and not view.get("submit"):
                raise SlackApiError(
                    "invalid_arguments",
                    response_metadata={
                        "messages": ["[ERROR] submit is required when an input block is within the blocks"]
                    },
                )
        try:
            View(**view).to_dict()
        except Exception as exc:
            raise SlackApiError("invalid_arguments", response_metadata={"messages": [f"[ERROR] {exc}"]}) from None
        return view

    def _trigger_user(self, trigger_id: Any) -> str | None:
        if not trigger_id:
            raise SlackApiError(
                "invalid_arguments", response_metadata={"messages": ["[ERROR] missing required field: trigger_id"]}
            )
        info = self._triggers.get(str(trigger_id))
        if info is None:
            raise SlackApiError("invalid_trigger_id")
        if info.get("used"):
            raise SlackApiError("exchanged_trigger_id")
        if self.now() - info["issued"] > TRIGGER_SECONDS:
            raise SlackApiError("expired_trigger_id")
        info["used"] = True
        return info["user"]

    def _new_view(self, view: dict, *, root: dict | None = None, previous: dict | None = None) -> dict:
        vid = self._new_id("V")
        stored = copy.deepcopy(view)
        stored["blocks"] = self._with_block_ids(stored.get("blocks") or [])
        stored.update(
            {
                "id": vid,
                "team_id": self.team_id,
                "app_id": self.app_id,
                "bot_id": self.bot_id,
                "app_installed_team_id": self.team_id,
                "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
                "state": {"values": {}},
                "root_view_id": root["id"] if root else vid,
                "previous_view_id": previous["id"] if previous else None,
            }
        )
        stored.setdefault("callback_id", "")
        stored.setdefault("private_metadata", "")
        stored.setdefault("external_id", "")
        stored.setdefault("clear_on_close", False)
        stored.setdefault("notify_on_close", False)
        return stored

    def _m_views_open(self, args: dict) -> dict:
        view = self._validate_view(args.get("view"))
        if view.get("type") != "modal":
            raise SlackApiError(
                "invalid_arguments", response_metadata={"messages": ["[ERROR] view.type must be modal"]}
            )
        user = self._trigger_user(args.get("trigger_id"))
        stored = self._new_view(view)
        self._views[user or "?"] = [stored]
        return {"view": copy.deepcopy(stored)}

    def _m_views_push(self, args: dict) -> dict:
        view = self._validate_view(args.get("view"))
        user = self._trigger_user(args.get("trigger_id")) or "?"
        stack = self._views.get(user)
        if not stack:
            raise SlackApiError("not_found")
        if len(stack) >= 3:
            raise SlackApiError("push_limit_reached")
        stored = self._new_view(view, root=stack[0], previous=stack[-1])
        stack.append(stored)
        return {"view": copy.deepcopy(stored)}

    def _find_view(self, view_id: str | None = None, external_id: str | None = None) -> tuple[str, int, dict] | None:
        for user, stack in self._views.items():
            for i, v in enumerate(stack):
                if (view_id and v["id"] == view_id) or (external_id and v.get("external_id") == external_id):
                    return user, i, v
        for user, v in self._homes.items():
            if (view_id and v["id"] == view_id) or (external_id and v.get("external_id") == external_id):
                return user, -1, v
        return None

    def _m_views_update(self, args: dict) -> dict:
        view = self._validate_view(args.get("view"))
        found = self._find_view(args.get("view_id"), args.get("external_id"))
        if found is None:
            raise SlackApiError("not_found")
        user, index, old = found
        if args.get("hash") and args["hash"] != old["hash"]:
            raise SlackApiError("hash_conflict")
        new = copy.deepcopy(view)
        new["blocks"] = self._with_block_ids(new.get("blocks") or [])
        for key in ("id", "team_id", "app_id", "bot_id", "app_installed_team_id", "root_view_id", "previous_view_id"):
            new[key] = old.get(key)
        new.setdefault("callback_id", "")
        new.setdefault("private_metadata", "")
        new.setdefault("external_id", old.get("external_id", ""))
        new["state"] = old.get("state", {"values": {}})
        new["hash"] = f"{int(time.time())}.{secrets.token_hex(4)}"
        if index == -1:
            self._homes[user] = new
        else:
            self._views[user][index] = new
        self._view_errors.pop(new["id"], None)
        return {"view": copy.deepcopy(new)}

    def _m_views_publish(self, args: dict) -> dict:
        user = str(args.get("user_id") or "")
        if user not in self.users:
            raise SlackApiError("user_not_found")
        view = self._validate_view(args.get("view"))
        if view.get("type") != "home":
            raise SlackApiError("invalid_arguments", response_metadata={"messages": ["[ERROR] view.type must be home"]})
        old = self._homes.get(user)
        if old and args.get("hash") and args["hash"] != old["hash"]:
            raise SlackApiError("hash_conflict")
        stored = self._new_view(view)
        if old:
            stored["id"] = stored["root_view_id"] = old["id"]
        self._homes[user] = stored
        return {"view": copy.deepcopy(stored)}

    def issue_trigger(self, user: str) -> str:
        """A trigger id as a click by ``user`` carries: one views.open or views.push,
        within TRIGGER_SECONDS."""
        tid = f"{int(self.now())}.{next(self._ids)}.{secrets.token_hex(8)}"
        self._triggers[tid] = {"user": user, "issued": self.now()}
        self._last_actor = user
        return tid
