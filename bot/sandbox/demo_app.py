"""A tiny demo Bolt app: exercises the Slack stand-in and the sandbox without the real app.

Used by the tests and by ``python -m bot.sandbox --demo``. It has the same outer shape as the real app (``build_app(settings, client_base_url)``
returning an aiohttp application with ``/slack/events`` and ``/healthz``) and uses
the Block Kit the real app uses: header, section (fields + accessory), context,
divider, actions, and a modal with every input kind the sandbox renders.
"""

from __future__ import annotations

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

CONSULT = "C0CONSULT"
BOLT_KEY = web.AppKey("bolt", AsyncApp)


def _options(*pairs: tuple[str, str]) -> list[dict]:
    return [{"text": {"type": "plain_text", "text": t}, "value": v} for v, t in pairs]


def help_blocks() -> list[dict]:
    return [
        {"type": "header", "text": {"type": "plain_text", "text": "Demo help"}},
        {
            "type": "section",
            "block_id": "intro",
            "text": {"type": "mrkdwn", "text": "*Hello* from the _demo_ app. <https://example.org|Docs>"},
            "fields": [{"type": "mrkdwn", "text": "*One*\nfirst"}, {"type": "mrkdwn", "text": "*Two*\nsecond"}],
            "accessory": {
                "type": "button",
                "action_id": "open_form",
                "text": {"type": "plain_text", "text": "Open form"},
                "value": "form",
            },
        },
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "Only you can see this."}]},
        {"type": "divider"},
        {
            "type": "actions",
            "block_id": "acts",
            "elements": [
                {
                    "type": "button",
                    "action_id": "say_hi",
                    "text": {"type": "plain_text", "text": "Say hi"},
                    "value": "hi",
                    "style": "primary",
                },
                {
                    "type": "button",
                    "action_id": "dismiss",
                    "text": {"type": "plain_text", "text": "Dismiss"},
                    "value": "x",
                },
            ],
        },
    ]


def form_view(private_metadata: str = "") -> dict:
    return {
        "type": "modal",
        "callback_id": "demo_form",
        "private_metadata": private_metadata,
        "title": {"type": "plain_text", "text": "Demo form"},
        "submit": {"type": "plain_text", "text": "Post"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": "situation",
                "label": {"type": "plain_text", "text": "Situation"},
                "hint": {"type": "plain_text", "text": "Say 'the client', not names."},
                "element": {"type": "plain_text_input", "action_id": "text", "multiline": True, "max_length": 500},
            },
            {
                "type": "input",
                "block_id": "relation",
                "label": {"type": "plain_text", "text": "Relationship"},
                "element": {
                    "type": "static_select",
                    "action_id": "pick",
                    "placeholder": {"type": "plain_text", "text": "Choose"},
                    "options": _options(("current", "Current client"), ("former", "Former client")),
                },
            },
            {
                "type": "input",
                "block_id": "principles",
                "optional": True,
                "label": {"type": "plain_text", "text": "Principles"},
                "element": {
                    "type": "checkboxes",
                    "action_id": "keys",
                    "options": _options(("power", "Power dynamics"), ("confidentiality", "Confidentiality")),
                },
            },
            {
                "type": "input",
                "block_id": "setting",
                "optional": True,
                "label": {"type": "plain_text", "text": "Setting"},
                "element": {
                    "type": "radio_buttons",
                    "action_id": "where",
                    "options": _options(("private", "Private practice"), ("rural", "Small community")),
                },
            },
        ],
    }


def build_bolt(signing_secret: str, client_base_url: str, token: str = "xoxb-sandbox") -> AsyncApp:
    client = AsyncWebClient(
        token=token, base_url=client_base_url, retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)]
    )
    app = AsyncApp(client=client, signing_secret=signing_secret, process_before_response=True)

    @app.command("/demo")
    async def demo(ack, command, respond):
        text = (command.get("text") or "").strip()
        if text in ("", "help"):
            await ack(text="Demo help", blocks=help_blocks())
        else:
            await ack()
            await respond(text=f"You asked: {text}")

    @app.action("open_form")
    async def open_form(ack, body, client):
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=form_view(private_metadata="pm-1"))

    @app.action("say_hi")
    async def say_hi(ack, respond):
        await ack()
        await respond(replace_original=True, text="Hi there!")

    @app.action("dismiss")
    async def dismiss(ack, respond):
        await ack()
        await respond(delete_original=True)

    @app.action("thanks")
    async def thanks(ack, body, client):
        await ack()
        await client.chat_postMessage(
            channel=body["channel"]["id"], thread_ts=body["message"]["ts"], text="You're welcome"
        )

    @app.view("demo_form")
    async def submitted(ack, body, view, client):
        values = view["state"]["values"]
        text = values["situation"]["text"]["value"] or ""
        if "Smith" in text:
            await ack(response_action="errors", errors={"situation": "Please remove names."})
            return
        await ack()
        relation = values["relation"]["pick"]["selected_option"]["value"]
        keys = [o["value"] for o in values["principles"]["keys"]["selected_options"]]
        await client.chat_postMessage(
            channel=CONSULT,
            text=f"New dilemma: {text}",
            blocks=[
                {"type": "header", "text": {"type": "plain_text", "text": "Dilemma #1"}},
                {
                    "type": "section",
                    "text": {"type": "plain_text", "text": text},
                    "fields": [{"type": "mrkdwn", "text": f"*Relationship*\n{relation}"}],
                },
                {
                    "type": "context",
                    "elements": [{"type": "mrkdwn", "text": "principles: " + (", ".join(keys) or "none")}],
                },
                {
                    "type": "actions",
                    "elements": [
                        {"type": "button", "action_id": "thanks", "text": {"type": "plain_text", "text": "Thanks"}}
                    ],
                },
            ],
            metadata={"event_type": "dilemma_posted", "event_payload": {"number": 1}},
        )
        await client.chat_postMessage(channel=body["user"]["id"], text="Your dilemma was posted.")

    @app.event("message")
    async def on_message(event, say):
        if event.get("channel_type") == "im" and not event.get("bot_id") and not event.get("subtype"):
            await say(f"echo: {event.get('text', '')}")

    @app.event("app_home_opened")
    async def home(event, client):
        await client.views_publish(
            user_id=event["user"],
            view={"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Welcome home"}}]},
        )

    return app


def build_app(settings, client_base_url: str) -> web.Application:
    """The ``build_app`` contract of ``bot.sandbox.server.run_sandbox``."""
    bolt = build_bolt(settings.signing_secret, client_base_url, settings.bot_token or "xoxb-sandbox")
    web_app = bolt.web_app(path="/slack/events")

    async def healthz(_request):
        return web.json_response({"ok": True})

    web_app.router.add_get("/healthz", healthz)
    web_app[BOLT_KEY] = bolt
    return web_app
