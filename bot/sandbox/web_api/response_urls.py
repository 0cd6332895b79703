"""`response_url`s: the URLs interactions and commands carry, and what posting to them does."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

from aiohttp import web

from bot.sandbox.web_api.state import (
    RESPONSE_URL_SECONDS,
    RESPONSE_URL_USES,
    Call,
    SlackApiError,
    _truthy,
)
from bot.sandbox.web_api.views import Views


class ResponseUrls(Views):
    """`response_url`s: the URLs interactions and commands carry, and what posting to them does."""

    def make_app(self) -> web.Application:
        app = super().make_app()
        app.router.add_post("/response_url/{key}", self._handle_response_url)
        return app

    def response_url(
        self, key: str, *, user: str | None = None, channel: str | None = None, source: dict | None = None
    ) -> str:
        """A URL the app can post to like Slack's ``response_url``.

        ``source`` is the message the interaction came from (``{"channel", "ts",
        "ephemeral"}``) so that ``replace_original``/``delete_original`` can act on it.
        """
        self._response_urls[key] = {
            "user": user,
            "channel": channel,
            "source": source,
            "uses": 0,
            "issued": self.now(),
        }
        base = self.base_url or "http://127.0.0.1/"
        return f"{base}response_url/{key}"

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        key = request.match_info["key"]
        raw = await request.text()
        try:
            payload = json.loads(raw) if raw else {}
        except ValueError:
            payload = dict(parse_qsl(raw))
        if not isinstance(payload, dict):
            payload = {}
        if isinstance(payload.get("blocks"), str):
            try:
                payload["blocks"] = json.loads(payload["blocks"])
            except ValueError:
                pass
        call = Call("response_url", {"key": key, **payload})
        self.calls.append(call)
        await self._hold("response_url")
        queue = self._failures.get("response_url")
        if queue:
            status = queue.pop(0)[0]
            call.status = status if isinstance(status, int) else 200
            call.response = {"ok": False, "error": status if isinstance(status, str) else "request_failed"}
            return web.json_response(call.response, status=call.status)
        info = self._response_urls.get(key)
        if info is None or self.now() - info["issued"] > RESPONSE_URL_SECONDS:
            call.response = {"ok": False, "error": "expired_url"}
            return web.json_response(call.response, status=404)
        info["uses"] += 1
        if info["uses"] > RESPONSE_URL_USES:
            call.response = {"ok": False, "error": "used_url"}
            return web.json_response(call.response, status=404)
        try:
            self._apply_response(info, payload)
            call.response = {"ok": True}
        except SlackApiError as exc:
            call.response = {"ok": False, "error": exc.error}
        self._changed("response_url")
        return web.json_response(call.response)

    def _apply_response(self, info: dict, payload: dict) -> None:
        user, channel, source = info.get("user"), info.get("channel"), info.get("source") or {}
        blocks = self._validate_blocks(payload.get("blocks"))
        text = self._check_text(payload.get("text"))
        if _truthy(payload.get("delete_original")):
            self._delete_source(user, source)
            return
        if _truthy(payload.get("replace_original")) and source:
            if source.get("ephemeral"):
                for e in self._ephemerals.get(user or "", []):
                    if e["ts"] == source.get("ts"):
                        e["text"] = text
                        if blocks is not None:
                            e["blocks"] = self._with_block_ids(blocks)
                        else:
                            e.pop("blocks", None)
                        return
                raise SlackApiError("message_not_found")
            msg = self._find(source.get("channel") or "", source.get("ts") or "")
            if msg is None:
                raise SlackApiError("message_not_found")
            msg["text"] = text
            if blocks is not None:
                msg["blocks"] = self._with_block_ids(blocks)
            else:
                msg.pop("blocks", None)
            msg["edited"] = {"user": self.bot_user_id, "ts": self._new_ts()}
            return
        if not text and not blocks:
            raise SlackApiError("no_text")
        if payload.get("response_type") == "in_channel" and channel:
            msg = self._store(channel, self._bot_message(text, blocks), payload.get("thread_ts"))
            self._schedule_message_event(channel, msg)
            return
        self._add_ephemeral(user or "?", channel, text, blocks, payload.get("thread_ts"))

    def _delete_source(self, user: str | None, source: dict) -> None:
        if not source:
            return
        if source.get("ephemeral"):
            self.dismiss_ephemeral(user or "", source.get("ts") or "")
            return
        msg = self._find(source.get("channel") or "", source.get("ts") or "")
        if msg is not None:
            self._delete(source["channel"], msg)
