"""Requests the fake sends to the app, signed like Slack's: events and interactions."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qsl, urlencode

from aiohttp import ClientSession, ClientTimeout

from bot.sandbox import signing
from bot.sandbox.web_api.state import (
    Delivery,
)
from bot.sandbox.web_api.transport import Transport


class AppRequests(Transport):
    """Requests the fake sends to the app, signed like Slack's: events and interactions."""

    async def _client(self) -> ClientSession:
        if self._session is None or self._session.closed:
            self._session = ClientSession()
        return self._session

    def _reaches_app(self) -> bool:
        """Whether requests can be sent to the app: over HTTP, or over Socket Mode."""
        return self.socket_mode is not None or bool(self.events_url and self.signing_secret)

    def _require_app(self) -> tuple[str, str]:
        if not self.events_url or not self.signing_secret:
            raise RuntimeError("set events_url and signing_secret on the SlackStandIn to send requests to the app")
        return self.events_url, self.signing_secret

    async def _post_to_app(
        self, kind: str, body: str, content_type: str, payload: dict, retry_num: int | None = None
    ) -> Delivery:
        if self.socket_mode is not None:
            return await self._send_over_socket(kind, body, payload, retry_num)
        url, secret = self._require_app()
        if self.enterprise_id:
            body = self._in_org(kind, body, payload)
        headers = signing.signed_headers(body, secret, content_type=content_type, retry_num=retry_num)
        delivery = Delivery(kind=kind, body=body, headers=headers, payload=payload)
        self.deliveries.append(delivery)
        session = await self._client()
        try:
            async with session.post(
                url, data=body.encode("utf-8"), headers=headers, timeout=ClientTimeout(total=self.ack_timeout)
            ) as resp:
                delivery.status = resp.status
                delivery.response_text = await resp.text()
        except TimeoutError:
            delivery.error = "operation_timeout"
        except Exception as exc:  # connection refused etc.
            delivery.error = f"dispatch_failed: {exc.__class__.__name__}"
        self._changed(kind)
        return delivery

    def _in_org(self, kind: str, body: str, payload: dict) -> str:
        """The same request as Slack sends it from a workspace of an Enterprise Grid
        organisation: its ID, and whether the app is installed org-wide."""
        enterprise = self.enterprise_id or ""
        org = {"id": enterprise, "name": f"{enterprise} org"}
        if kind == "event":
            envelope = json.loads(body)
            envelope["enterprise_id"] = self.enterprise_id
            for auth in envelope.get("authorizations") or []:
                auth.update(enterprise_id=self.enterprise_id, is_enterprise_install=self.org_install)
                if self.org_install:
                    auth["team_id"] = None
            payload.update(envelope)
            return json.dumps(envelope, separators=(",", ":"))
        fields = dict(parse_qsl(body, keep_blank_values=True))
        if "payload" in fields:
            inner = json.loads(fields["payload"])
            inner.update(enterprise=org, is_enterprise_install=self.org_install)
            payload.update(enterprise=org, is_enterprise_install=self.org_install)
            return urlencode({"payload": json.dumps(inner, separators=(",", ":"))})
        fields.update(
            enterprise_id=org["id"],
            enterprise_name=org["name"],
            is_enterprise_install="true" if self.org_install else "false",
        )
        payload.update(fields)
        return urlencode(fields)

    async def _send_over_socket(self, kind: str, body: str, payload: dict, retry_num: int | None) -> Delivery:
        """Socket Mode (`socket_mode` attached): the request as an envelope; the
        acknowledgement's payload stands for the HTTP answer's body."""
        assert self.socket_mode is not None
        delivery = Delivery(kind=kind, body=body, headers={}, payload=payload)
        self.deliveries.append(delivery)
        ack = await self.socket_mode.request(kind, payload, timeout=self.ack_timeout, retry_num=retry_num)
        if ack is None:
            delivery.error = "operation_timeout"
        else:
            delivery.status = 200
            delivery.response_text = json.dumps(ack["payload"]) if ack.get("payload") is not None else ""
        self._changed(kind)
        return delivery

    # events
    def _message_event(self, channel: str, msg: dict) -> dict:
        event = {
            k: v
            for k, v in self._public(msg).items()
            if k not in ("reply_count", "reply_users", "reply_users_count", "latest_reply", "is_ephemeral")
        }
        event.update({"channel": channel, "event_ts": msg["ts"], "channel_type": self.channel_type(channel)})
        if event.get("thread_ts") == msg["ts"]:
            event.pop("thread_ts")
        return event

    def _schedule_message_event(self, channel: str, msg: dict) -> None:
        if not (self._reaches_app() and self.deliver_bot_messages):
            return
        self._spawn(self.deliver_event(self._message_event(channel, msg)))

    def _spawn(self, coro) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def deliver_event(
        self,
        event: dict,
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        event_time: int | None = None,
    ) -> Delivery:
        """POST an ``event_callback`` with ``event`` to the app (pass the same ``event_id`` + ``retry_num``
        to replay a retry; ``event_time``: when Slack says it happened, for a late delivery)."""
        body = signing.event_body(
            team_id=self.team_id,
            event=event,
            event_id=event_id,
            event_time=event_time,
            api_app_id=self.app_id,
            authorizations=[
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
        )
        return await self._post_to_app("event", body, signing.JSON, json.loads(body), retry_num=retry_num)
