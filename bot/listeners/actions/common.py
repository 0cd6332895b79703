"""What every button listener needs: who clicked, which post, and how to answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable


def ids(body: dict) -> tuple[str, str]:
    team_id = (body.get("team") or {}).get("id") or body["user"].get("team_id")
    return team_id, body["user"]["id"]


def number(action: dict) -> int | None:
    value = action.get("value", "")
    return int(value) if value.isdigit() else None


async def answer(services, client, body, respond, team_id: str, user_id: str, text: str) -> None:
    """Tells the person what happened: ephemerally under a message, or, from the
    Home tab (which has no response_url), by DM and a refreshed Home tab."""
    if respond is not None and body.get("response_url"):
        await respond(response_type="ephemeral", replace_original=False, text=text)
        return
    dm = await client.conversations_open(users=user_id)
    await client.chat_postMessage(channel=dm["channel"]["id"], text=text)
    if (body.get("view") or {}).get("type") == "home":
        await client.views_publish(user_id=user_id, view=await services.moderation.home_view(client, team_id, user_id))


def numbered(services, run: Callable[..., Awaitable[str]]):
    """A listener for a button whose value is a number (a post or a flag):
    ack, run(client, team_id, user_id, number) -> text, answer with the text."""

    async def on_numbered_action(ack, body, action, client, respond):
        await ack()
        n = number(action)
        if n is None:
            return
        team_id, user_id = ids(body)
        text = await run(client, team_id, user_id, n)
        await answer(services, client, body, respond, team_id, user_id, text)

    return on_numbered_action
