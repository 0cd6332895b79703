"""The fake's HTTP server: the Web API endpoint, the calls it recorded, and the faults a test asks for."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from bot.sandbox.serving import serve
from bot.sandbox.web_api.state import (
    _JSON_ARGS,
    METHOD_SCOPES,
    Call,
    SlackApiError,
    State,
)


class Transport(State):
    """The fake's HTTP server: the Web API endpoint, the calls it recorded, and the faults a test asks for."""

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,
        where: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Wait until at least ``count`` calls to ``method`` (matching ``where``) were received."""
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in self.calls if c.method == method and (where is None or where(c))]
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                seen = (
                    "\n".join(f"  {c.method} {json.dumps(c.args, default=str)[:300]}" for c in self.calls) or "  (none)"
                )
                raise AssertionError(
                    f"expected {count} call(s) to {method}"
                    + (" matching the condition" if where else "")
                    + f" within {timeout}s, got {len(found)}; calls seen:\n{seen}"
                )
            await asyncio.sleep(0.02)

    def fail_next(self, method: str, *statuses: int | str, retry_after: int = 1) -> None:
        """The next ``len(statuses)`` calls to ``method`` fail (and do nothing).

        An int is an HTTP status (429 carries ``Retry-After: retry_after``); a string
        is a Slack error answered with HTTP 200 ``{"ok": false, "error": <string>}``.
        For a call that is carried out and whose answer is lost, see ``lose_next_answer``.
        """
        queue = self._failures.setdefault(method, [])
        queue.extend((s, retry_after) for s in statuses)

    def lose_next_answer(self, method: str, how: str = "500") -> None:
        """The next call to ``method`` is carried out (a message is stored) but its answer
        is lost: ``"500"`` answers HTTP 500, ``"reset"`` drops the connection unanswered,
        ``"timeout"`` holds the answer until the caller gives up (``release_held_answers``
        ends the wait) — what a caller sees when Slack stored the message and the network
        or a proxy failed."""
        if how not in ("500", "reset", "timeout"):
            raise ValueError(f"unknown way to lose an answer: {how!r}")
        if how == "timeout" and self._held.is_set():
            self._held = asyncio.Event()
        self._lost_answers.setdefault(method, []).append(how)

    def hold_next(self, method: str) -> None:
        """The next call to ``method`` (or ``"response_url"``) is recorded at once but
        carried out and answered only after ``release_held_answers()``: a slow Slack,
        for a test to act (stop the app, say) while the app waits for the answer."""
        if self._held.is_set():
            self._held = asyncio.Event()
        self._holds[method] = self._holds.get(method, 0) + 1

    async def _hold(self, method: str) -> None:
        if self._holds.get(method):
            self._holds[method] -= 1
            self._changed("held")
            await self._held.wait()

    def release_held_answers(self) -> None:
        self._held.set()

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle_api)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._runner, real_port = await serve(self.make_app(), host, port)
        self.base_url = f"http://{host}:{real_port}/"
        return self.base_url

    @property
    def api_url(self) -> str:
        assert self.base_url, "start() the stand-in first"
        return self.base_url + "api/"

    async def stop(self) -> None:
        self.release_held_answers()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def drain(self, timeout: float = 5.0) -> None:
        """Wait for background event deliveries to finish."""
        deadline = time.monotonic() + timeout
        while self._tasks and time.monotonic() < deadline:
            await asyncio.wait(list(self._tasks), timeout=max(0.01, deadline - time.monotonic()))

    async def _parse_args(self, request: web.Request) -> dict:
        args: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            raw = await request.text()
            ctype = request.content_type
            if ctype == "application/json":
                try:
                    body = json.loads(raw) if raw else {}
                except ValueError:
                    raise SlackApiError("invalid_json") from None
                if not isinstance(body, dict):
                    raise SlackApiError("invalid_json")
                args.update(body)
            elif ctype == "multipart/form-data":
                post = await request.post()
                args.update({k: v for k, v in post.items() if isinstance(v, str)})
            else:
                args.update(dict(parse_qsl(raw, keep_blank_values=True)))
        for key in _JSON_ARGS:
            value = args.get(key)
            if isinstance(value, str) and value[:1] in ("[", "{"):
                try:
                    args[key] = json.loads(value)
                except ValueError:
                    raise SlackApiError(
                        f"invalid_{key}" if key in ("blocks", "metadata") else "invalid_arguments"
                    ) from None
        return args

    def _check_token(self, request: web.Request, args: dict, method: str = "") -> str | None:
        auth = request.headers.get("Authorization", "")
        token = auth[len("Bearer ") :].strip() if auth.startswith("Bearer ") else args.pop("token", None)
        args.pop("token", None)
        if token in self.revoked_tokens:
            return None
        # Socket Mode's URL is asked for with the app-level token, everything else with the bot's.
        kind = "xapp-" if method == "apps.connections.open" else "xoxb-"
        if not token or not token.startswith(kind):
            return None
        if kind == "xapp-":
            return token
        if self.valid_tokens is not None and token not in self.valid_tokens:
            return None
        return token

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        headers = {"x-oauth-scopes": ",".join(self.scopes), "x-accepted-oauth-scopes": ""}
        try:
            args = await self._parse_args(request)
        except SlackApiError as exc:
            body = {"ok": False, "error": exc.error}
            self.calls.append(Call(method, {}, 200, body))
            return web.json_response(body, headers=headers)
        token = self._check_token(request, args, method)
        call = Call(method, args, token=token)
        self.calls.append(call)
        await self._hold(method)
        queue = self._failures.get(method)
        if queue:
            status, retry_after = queue.pop(0)
            if isinstance(status, str):
                call.response = {"ok": False, "error": status}
                return web.json_response(call.response, headers=headers)
            call.status = status
            if status == 429:
                headers["Retry-After"] = str(retry_after)
                call.response = {"ok": False, "error": "ratelimited"}
            else:
                call.response = {"ok": False, "error": "fatal_error" if status >= 500 else "request_failed"}
            return web.json_response(call.response, status=status, headers=headers)
        if token is None:
            call.response = {"ok": False, "error": "invalid_auth"}
            return web.json_response(call.response, headers=headers)
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        try:
            self._need(*METHOD_SCOPES.get(method, ()))
            result = handler(args) if handler else {}
            if asyncio.iscoroutine(result):
                result = await result
            call.response = {"ok": True, **result}
        except SlackApiError as exc:
            call.response = {"ok": False, "error": exc.error, **exc.extra}
        self._changed(method)
        lost = self._lost_answers.get(method)
        if lost and call.response.get("ok"):
            how = lost.pop(0)
            if how == "timeout":
                # Held until released or the stand-in stops; the caller's timeout ends it for them.
                await self._held.wait()
                call.status = 0
                raise ConnectionResetError("the sandbox held this answer past the caller's timeout")
            if how == "reset":
                call.status = 0
                if request.transport is not None:
                    request.transport.abort()
                raise ConnectionResetError("the sandbox dropped this answer on purpose")
            call.status = 500
            return web.json_response({"ok": False, "error": "fatal_error"}, status=500, headers=headers)
        return web.json_response(call.response, headers=headers)

    def _m_auth_test(self, args: dict) -> dict:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            **({"enterprise_id": self.enterprise_id} if self.enterprise_id else {}),
            "is_enterprise_install": self.org_install,
        }

    def _m_api_test(self, args: dict) -> dict:
        return {"args": args}

    def _m_apps_connections_open(self, args: dict) -> dict:
        # A ws:// URL once a Socket Mode stand-in is listening (bot/sandbox/socket_mode.py).
        if self.socket_mode_url:
            return {"url": self.socket_mode_url}
        raise SlackApiError("not_allowed_token_type")
