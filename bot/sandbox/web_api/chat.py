"""`chat.*`: messages, ephemerals, their blocks and limits."""

from __future__ import annotations

import secrets
from typing import Any

from bot.sandbox.web_api.delivery import AppRequests
from bot.sandbox.web_api.state import (
    MESSAGE_BLOCKS_MAX,
    MESSAGE_TEXT_MAX,
    SlackApiError,
    _truthy,
)


class Chat(AppRequests):
    """`chat.*`: messages, ephemerals, their blocks and limits."""

    def _validate_blocks(self, blocks: Any, limit: int = MESSAGE_BLOCKS_MAX) -> list[dict] | None:
        if blocks is None or blocks == "":
            return None
        if not isinstance(blocks, list) or len(blocks) > limit or not all(isinstance(b, dict) for b in blocks):
            raise SlackApiError(
                "invalid_blocks", response_metadata={"messages": [f"blocks must be a list of at most {limit} objects"]}
            )
        from slack_sdk.models.blocks import Block

        for i, b in enumerate(blocks):
            try:
                parsed = Block.parse(b)
                if parsed is None:
                    raise ValueError(f"unknown block type {b.get('type')!r}")
                parsed.to_dict()
            except Exception as exc:
                raise SlackApiError(
                    "invalid_blocks", response_metadata={"messages": [f"[ERROR] block {i}: {exc}"]}
                ) from None
        return blocks

    @staticmethod
    def _with_block_ids(blocks: list | None) -> list | None:
        """Slack gives every block without a ``block_id`` a generated one."""
        if blocks is None:
            return None
        out = []
        for b in blocks:
            if isinstance(b, dict) and not b.get("block_id"):
                b = {**b, "block_id": secrets.token_urlsafe(3).replace("-", "a").replace("_", "b")}
            out.append(b)
        return out

    @staticmethod
    def _check_text(text: Any) -> str:
        text = text or ""
        if isinstance(text, str) and len(text) > MESSAGE_TEXT_MAX:
            raise SlackApiError("msg_too_long")
        return str(text)

    @staticmethod
    def _check_metadata(metadata: Any) -> dict | None:
        """Message metadata is {"event_type": str, "event_payload": object}, as Slack checks it."""
        if metadata is None or metadata == "":
            return None
        if not isinstance(metadata, dict) or not isinstance(metadata.get("event_type"), str):
            raise SlackApiError("invalid_metadata_format")
        if not isinstance(metadata.get("event_payload"), dict):
            raise SlackApiError("invalid_metadata_schema")
        return metadata

    def _bot_message(self, text: str, blocks: list | None, metadata: dict | None = None) -> dict:
        msg: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "text": text or "",
            "team": self.team_id,
            "bot_profile": {"id": self.bot_id, "app_id": self.app_id, "name": self.bot_name, "team_id": self.team_id},
        }
        if blocks is not None:
            msg["blocks"] = self._with_block_ids(blocks)
        if metadata:
            msg["metadata"] = metadata
        return msg

    def _store(self, channel: str, msg: dict, thread_ts: str | None) -> dict:
        msg["ts"] = self._new_ts()
        if thread_ts:
            parent = self._find(channel, thread_ts)
            if parent is None:
                # Slack posts a reply to an unknown thread as a normal message.
                thread_ts = None
            else:
                root = parent.get("thread_ts") or parent["ts"]
                parent = self._find(channel, root) or parent
                msg["thread_ts"] = root
                msg["parent_user_id"] = parent.get("user")
                parent["thread_ts"] = root
                parent["reply_count"] = parent.get("reply_count", 0) + 1
                users = parent.setdefault("reply_users", [])
                if msg.get("user") and msg["user"] not in users:
                    users.append(msg["user"])
                parent["reply_users_count"] = len(users)
                parent["latest_reply"] = msg["ts"]
        self._all(channel).append(msg)
        return msg

    def _m_chat_postMessage(self, args: dict) -> dict:
        ch = self._channel(args.get("channel"), post=True)
        text = self._check_text(args.get("text"))
        blocks = self._validate_blocks(args.get("blocks"))
        if not text and not blocks and not args.get("attachments"):
            raise SlackApiError("no_text")
        metadata = self._check_metadata(args.get("metadata"))
        msg = self._bot_message(text, blocks, metadata)
        if args.get("attachments"):
            msg["attachments"] = args["attachments"]
        thread_ts = args.get("thread_ts") or None
        msg = self._store(ch["id"], msg, thread_ts)
        if thread_ts and _truthy(args.get("reply_broadcast")) and msg.get("thread_ts"):
            msg["subtype"] = "thread_broadcast"
        self._schedule_message_event(ch["id"], msg)
        return {"channel": ch["id"], "ts": msg["ts"], "message": self._public(msg)}

    def _m_chat_postEphemeral(self, args: dict) -> dict:
        ch = self._channel(args.get("channel"), post=True)
        user = args.get("user")
        if user not in self.users:
            raise SlackApiError("user_not_found")
        if not ch["is_im"] and user not in ch["members"]:
            raise SlackApiError("user_not_in_channel")
        text = self._check_text(args.get("text"))
        blocks = self._validate_blocks(args.get("blocks"))
        if not text and not blocks:
            raise SlackApiError("no_text")
        eph = self._add_ephemeral(user, ch["id"], text, blocks, args.get("thread_ts") or None)
        return {"message_ts": eph["ts"]}

    def _add_ephemeral(
        self, user: str, channel: str | None, text: str, blocks: list | None, thread_ts: str | None = None
    ) -> dict:
        eph: dict[str, Any] = {
            "type": "message",
            "subtype": "ephemeral",
            "ts": self._new_ts(),
            "channel": channel,
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "text": text or "",
            "is_ephemeral": True,
        }
        if blocks is not None:
            eph["blocks"] = self._with_block_ids(blocks)
        if thread_ts:
            eph["thread_ts"] = thread_ts
        self._ephemerals.setdefault(user, []).append(eph)
        self._changed("ephemeral")
        return eph

    def _m_chat_update(self, args: dict) -> dict:
        ch = self._channel(args.get("channel"), post=True)
        msg = self._find(ch["id"], str(args.get("ts") or ""))
        if msg is None:
            raise SlackApiError("message_not_found")
        if msg.get("bot_id") != self.bot_id:
            raise SlackApiError("cant_update_message")
        blocks = self._validate_blocks(args.get("blocks"))
        text = self._check_text(args.get("text"))
        metadata = self._check_metadata(args.get("metadata"))
        if "text" in args:
            msg["text"] = text
        if blocks is not None:
            msg["blocks"] = self._with_block_ids(blocks)
        elif "blocks" in args:  # blocks="" or [] clears them
            msg.pop("blocks", None)
        if metadata is not None:
            msg["metadata"] = metadata
        msg["edited"] = {"user": self.bot_user_id, "ts": self._new_ts()}
        return {"channel": ch["id"], "ts": msg["ts"], "text": msg["text"], "message": self._public(msg)}

    def _m_chat_delete(self, args: dict) -> dict:
        ch = self._channel(args.get("channel"), post=True)
        ts = str(args.get("ts") or "")
        msg = self._find(ch["id"], ts)
        if msg is None or msg.get("subtype") == "tombstone":
            raise SlackApiError("message_not_found")
        if msg.get("bot_id") != self.bot_id:
            raise SlackApiError("cant_delete_message")
        self._delete(ch["id"], msg)
        return {"channel": ch["id"], "ts": ts}

    def _delete(self, channel: str, msg: dict) -> None:
        msgs = self._all(channel)
        if msg.get("reply_count") and msg.get("thread_ts") == msg["ts"]:
            # a parent with replies stays as a tombstone, like Slack
            for k in ("blocks", "metadata", "bot_id", "app_id", "bot_profile", "attachments", "edited"):
                msg.pop(k, None)
            msg.update(
                {"subtype": "tombstone", "text": "This message was deleted.", "user": "USLACKBOT", "hidden": True}
            )
            return
        msgs.remove(msg)
        root = msg.get("thread_ts")
        if root and root != msg["ts"]:
            parent = self._find(channel, root)
            if parent is not None:
                parent["reply_count"] = max(0, parent.get("reply_count", 1) - 1)
                remaining = [m for m in msgs if m.get("thread_ts") == root and m["ts"] != root]
                parent["latest_reply"] = remaining[-1]["ts"] if remaining else None
                if parent.get("subtype") == "tombstone" and not remaining:
                    msgs.remove(parent)

    def _m_chat_getPermalink(self, args: dict) -> dict:
        ch = self._channel(args.get("channel"))
        ts = str(args.get("message_ts") or "")
        msg = self._find(ch["id"], ts)
        if msg is None:
            raise SlackApiError("message_not_found")
        link = f"{self.permalink_base}archives/{ch['id']}/p{ts.replace('.', '')}"
        if msg.get("thread_ts") and msg["thread_ts"] != ts:
            link += f"?thread_ts={msg['thread_ts']}&cid={ch['id']}"
        return {"channel": ch["id"], "permalink": link}
