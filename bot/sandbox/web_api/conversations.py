"""`conversations.*` and `users.*`: channels, DMs, history, members, people."""

from __future__ import annotations

import copy
from typing import Any

from bot.sandbox.web_api.files import Files
from bot.sandbox.web_api.state import (
    CHANNEL_SCOPES,
    SlackApiError,
    _truthy,
)


class Conversations(Files):
    """`conversations.*` and `users.*`: channels, DMs, history, members, people."""

    def _channel_info(self, ch: dict) -> dict:
        info = {
            "id": ch["id"],
            "created": ch.get("created", 1700000000),
            "is_archived": False,
            "is_general": ch.get("name") == "general",
            "is_org_shared": False,
            "is_shared": False,
            "context_team_id": self.team_id,
        }
        if ch["is_im"]:
            info.update({"is_im": True, "user": ch["user"], "is_open": True, "is_user_deleted": False})
            return info
        info.update(
            {
                "name": ch["name"],
                "name_normalized": ch["name"],
                "is_channel": not ch["is_private"],
                "is_group": ch["is_private"],
                "is_im": False,
                "is_mpim": False,
                "is_private": ch["is_private"],
                "is_member": ch["is_member"],
                "topic": {"value": ch.get("topic", ""), "creator": "", "last_set": 0},
                "purpose": {"value": ch.get("purpose", ""), "creator": "", "last_set": 0},
                "num_members": len(ch.get("members", [])),
            }
        )
        return info

    def _m_conversations_open(self, args: dict) -> dict:
        if args.get("channel"):
            ch = self._channel(args["channel"])
            return {
                "no_op": True,
                "already_open": True,
                "channel": self._channel_info(ch) if _truthy(args.get("return_im")) else {"id": ch["id"]},
            }
        users = args.get("users")
        if isinstance(users, list):
            users = ",".join(users)
        ids = [u.strip() for u in str(users or "").split(",") if u.strip()]
        if not ids:
            raise SlackApiError("users_list_not_supplied")
        for u in ids:
            if u not in self.users:
                raise SlackApiError("user_not_found")
        if len(ids) > 1:
            raise SlackApiError("method_not_supported_for_channel_type")  # group DMs: not modelled
        existed = ("D" + ids[0]) in self.channels
        cid = self.dm_channel(ids[0])
        out: dict[str, Any] = {
            "channel": self._channel_info(self.channels[cid]) if _truthy(args.get("return_im")) else {"id": cid}
        }
        if existed:
            out.update({"no_op": True, "already_open": True})
        return out

    def _m_conversations_info(self, args: dict) -> dict:
        ch = self._channel(args.get("channel"))
        self._need_for(ch)
        return {"channel": self._channel_info(ch)}

    def _m_conversations_join(self, args: dict) -> dict:
        cid = args.get("channel")
        ch = self.channels.get(cid) if isinstance(cid, str) else None
        if ch is None:
            raise SlackApiError("channel_not_found")
        if ch["is_private"] or ch["is_im"]:
            raise SlackApiError("method_not_supported_for_channel_type")
        out: dict[str, Any] = {}
        if ch["is_member"]:
            out["warning"] = "already_in_channel"
            out["response_metadata"] = {"warnings": ["already_in_channel"]}
        ch["is_member"] = True
        if self.bot_user_id not in ch["members"]:
            ch["members"].append(self.bot_user_id)
        out["channel"] = self._channel_info(ch)
        return out

    def _m_conversations_list(self, args: dict) -> dict:
        types = [t.strip() for t in str(args.get("types") or "public_channel").split(",") if t.strip()]
        for t in types:
            if t not in CHANNEL_SCOPES:
                raise SlackApiError("unknown_type")
            self._need(CHANNEL_SCOPES[t][0])
        out = []
        for ch in self.channels.values():
            kind = "im" if ch["is_im"] else ("private_channel" if ch["is_private"] else "public_channel")
            if kind not in types:
                continue
            if kind == "private_channel" and not ch["is_member"]:
                continue
            out.append(self._channel_info(ch))
        return {"channels": out, "response_metadata": {"next_cursor": ""}}

    def _m_conversations_members(self, args: dict) -> dict:
        ch = self._channel(args.get("channel"))
        self._need_for(ch)
        return {"members": list(ch.get("members", [])), "response_metadata": {"next_cursor": ""}}

    def _page(self, items: list[dict], args: dict, default_limit: int) -> tuple[list[dict], dict]:
        try:
            limit = int(args.get("limit") or default_limit)
        except (TypeError, ValueError):
            raise SlackApiError("invalid_limit") from None
        limit = max(1, min(limit, 999))
        cursor = args.get("cursor") or ""
        start = 0
        if cursor:
            try:
                start = int(str(cursor).removeprefix("bmV4dF9vZmZzZXQ6"))
            except ValueError:
                raise SlackApiError("invalid_cursor") from None
        page = items[start : start + limit]
        more = start + limit < len(items)
        meta = {
            "has_more": more,
            "response_metadata": {"next_cursor": f"bmV4dF9vZmZzZXQ6{start + limit}" if more else ""},
        }
        return page, meta

    def _history_view(self, msg: dict, args: dict) -> dict:
        out = self._public(msg)
        # Metadata comes back with include_all_metadata, and always for the app's own messages.
        if "metadata" in out and not (_truthy(args.get("include_all_metadata")) or out.get("app_id") == self.app_id):
            out.pop("metadata")
        return out

    def _ts_filter(self, msgs: list[dict], args: dict) -> list[dict]:
        inclusive = _truthy(args.get("inclusive"))
        oldest, latest = args.get("oldest"), args.get("latest")
        out = []
        for m in msgs:
            t = float(m["ts"])
            if oldest and (t < float(oldest) or (t == float(oldest) and not inclusive)):
                continue
            if latest and (t > float(latest) or (t == float(latest) and not inclusive)):
                continue
            out.append(m)
        return out

    def _m_conversations_history(self, args: dict) -> dict:
        ch = self._channel(args.get("channel"))
        self._need_for(ch, history=True)
        if not ch["is_im"] and not ch["is_member"]:
            raise SlackApiError("not_in_channel")
        msgs = [
            m
            for m in self._messages.get(ch["id"], [])
            if m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast"
        ]
        msgs = self._ts_filter(msgs, args)[::-1]  # newest first
        page, meta = self._page(msgs, args, 100)
        return {"messages": [self._history_view(m, args) for m in page], "pin_count": 0, **meta}

    def _m_conversations_replies(self, args: dict) -> dict:
        ch = self._channel(args.get("channel"))
        self._need_for(ch, history=True)
        ts = str(args.get("ts") or "")
        if self._find(ch["id"], ts) is None:
            raise SlackApiError("thread_not_found")
        thread = [m for m in self._messages[ch["id"]] if m["ts"] in {x["ts"] for x in self.replies(ch["id"], ts)}]
        if thread:
            root = thread[0]
            rest = self._ts_filter(thread[1:], args)
            thread = [root] + rest
        page, meta = self._page(thread, args, 1000)
        return {"messages": [self._history_view(m, args) for m in page], **meta}

    def _m_users_info(self, args: dict) -> dict:
        user = self.users.get(str(args.get("user") or ""))
        if user is None:
            raise SlackApiError("user_not_found")
        return {"user": copy.deepcopy(user)}

    def _m_users_list(self, args: dict) -> dict:
        return {"members": copy.deepcopy(list(self.users.values())), "response_metadata": {"next_cursor": ""}}
