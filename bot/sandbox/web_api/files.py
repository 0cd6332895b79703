"""`files.*`: the upload flow slack_sdk's ``files_upload_v2`` uses (get an upload URL,
send the bytes there, complete the upload into a channel) and ``files.delete``."""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web

from bot.sandbox.web_api.chat import Chat
from bot.sandbox.web_api.state import FILE_SIZE_MAX, SlackApiError


class Files(Chat):
    """`files.*`: upload URLs, uploaded bytes, files shared into a channel, deletion."""

    def make_app(self) -> web.Application:
        app = super().make_app()
        app.router.add_post("/upload/{file_id}", self._handle_upload)
        return app

    def file(self, file_id: str) -> dict | None:
        """A file as the stand-in holds it: name, title, content (bytes), where it was shared."""
        return self.files.get(file_id)

    def _m_files_getUploadURLExternal(self, args: dict) -> dict:
        filename = args.get("filename")
        try:
            length = int(args.get("length") or 0)
        except (TypeError, ValueError):
            length = 0
        if not isinstance(filename, str) or not filename.strip():
            raise SlackApiError("invalid_arguments")
        if not 0 < length <= FILE_SIZE_MAX:
            raise SlackApiError("invalid_length" if length > 0 else "invalid_arguments")
        file_id = "F" + secrets.token_hex(5).upper()
        self.files[file_id] = {"id": file_id, "name": filename, "length": length, "content": None, "shares": []}
        assert self.base_url
        return {"upload_url": f"{self.base_url}upload/{file_id}", "file_id": file_id}

    async def _handle_upload(self, request: web.Request) -> web.Response:
        """The upload URL: Slack answers 200 "OK - <bytes>" once, for the length asked for."""
        f = self.files.get(request.match_info["file_id"])
        data = await request.read()
        if f is None or f["content"] is not None:
            return web.Response(status=404, text="not found")
        if len(data) != f["length"]:
            return web.Response(status=400, text="length mismatch")
        f["content"] = data
        return web.Response(text=f"OK - {len(data)}")

    def _m_files_completeUploadExternal(self, args: dict) -> dict:
        wanted = args.get("files")
        if not isinstance(wanted, list) or not wanted or not all(isinstance(w, dict) for w in wanted):
            raise SlackApiError("invalid_arguments")
        found = []
        for w in wanted:
            f = self.files.get(str(w.get("id") or ""))
            if f is None or f["content"] is None or f.get("completed"):
                raise SlackApiError("file_not_found")
            found.append((f, w))
        channel = args.get("channel_id") or None
        ch = self._channel(channel, post=True) if channel else None
        for f, w in found:
            f["completed"] = True
            f["title"] = str(w.get("title") or f["name"])
        if ch is not None:
            msg = self._bot_message(self._check_text(args.get("initial_comment")), None)
            msg["subtype"] = "file_share"
            msg["upload"] = True
            msg["files"] = [self._file_info(f) for f, _ in found]
            msg = self._store(ch["id"], msg, args.get("thread_ts") or None)
            for f, _ in found:
                f["shares"].append((ch["id"], msg["ts"]))
            self._schedule_message_event(ch["id"], msg)
        return {"files": [self._file_info(f) for f, _ in found]}

    def _m_files_delete(self, args: dict) -> dict:
        f = self.files.get(str(args.get("file") or ""))
        if f is None or not f.get("completed"):
            raise SlackApiError("file_not_found")
        del self.files[f["id"]]
        for channel, ts in f["shares"]:
            msg = self._find(channel, ts)
            if msg is not None:
                msg["files"] = [x for x in msg.get("files", []) if x["id"] != f["id"]]
                if not msg["files"] and not msg.get("text"):
                    self._delete(channel, msg)
        return {}

    def _file_info(self, f: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": f["id"],
            "name": f["name"],
            "title": f.get("title") or f["name"],
            "mimetype": "text/plain",
            "filetype": "text",
            "size": f["length"],
            "user": self.bot_user_id,
            "url_private_download": f"{self.base_url}files/{f['id']}/{f['name']}",
        }
