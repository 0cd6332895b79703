"""Buttons on the consultation post and in the poster's DMs."""

from bot.blocks import posts as pb
from bot.listeners.actions.common import answer, numbered, open_in_time
from bot.listeners.context import post_of, team_of, user_of
from bot.outgoing import FlagForm, ReplyForm
from bot.texts import text
from bot.values import minting


def open_reply(services, kind: str):
    """The reply form, naming the post by its number: the post is looked up first (in
    this workspace, the value's tag checked: bot/values.py), and a post not found is
    answered at once ("I can't find that post") instead of a form."""

    async def on_open_reply(ack, body, action, respond):
        await ack()
        team = team_of(body)
        n = post_of(action, services.identity.value_tags, team)
        if n is None:
            return

        async def prepare() -> ReplyForm | None:
            post = await services.store.find_post(team.id, n)
            return None if post is None else ReplyForm(kind, post.number)

        gone = text("posts.post.not_found")
        if await open_in_time(services, team, body["trigger_id"], prepare(), lambda: gone) is None:
            await answer(services, body, respond, team, user_of(body), gone)

    return on_open_reply


def _acting(services, method: str):
    async def run(team, user_id, n):
        return (await getattr(services.discussion, method)(team, user_id, n)).message

    return numbered(services, run, post_of)


def flag(services):
    """Flag opens a small form for an optional reason; the flag is made when it is sent."""

    async def on_flag(ack, body, action, respond):
        await ack()
        team = team_of(body)
        n = post_of(action, services.identity.value_tags, team)  # the post's number (or an older button's row id)
        if n is None:
            return

        async def prepare() -> FlagForm | None:
            post = await services.store.find_post(team.id, n)  # only this workspace's posts
            return None if post is None else FlagForm(post.number, str(body.get("response_url") or ""))

        gone = text("posts.post.not_found")
        if await open_in_time(services, team, body["trigger_id"], prepare(), lambda: gone) is None:
            await answer(services, body, respond, team, user_of(body), gone)

    return on_flag


def unflag(services):
    async def on_unflag(ack, body, action, respond):
        await ack()
        team, user_id = team_of(body), user_of(body)
        n = post_of(action, services.identity.value_tags, team)
        if n is None:
            return
        result = await services.discussion.unflag(team, user_id, n)
        if respond is not None and body.get("response_url"):
            # The confirmation with its Undo button becomes the answer.
            await respond(response_type="ephemeral", replace_original=True, text=result.message)
            return
        await answer(services, body, respond, team, user_id, result.message)

    return on_unflag


def resolve(services, *, resolved: bool = True):
    """Mark resolved / Reopen: the post changes, and so does the button clicked."""

    async def on_resolve(ack, body, action, respond):
        await ack()
        team, user_id = team_of(body), user_of(body)
        n = post_of(action, services.identity.value_tags, team)
        if n is None:
            return
        result = await services.discussion.resolve(team, user_id, n, resolved=resolved)
        message, channel = body.get("message"), (body.get("channel") or {}).get("id")
        if result.ok and result.number is not None and message and channel and message.get("ts"):
            with minting(services.identity.value_tags, team.id):
                flipped = pb.with_resolved(message, str(action["value"]), result.number, resolved)
            if flipped is not None:
                await services.gateway.update(team, channel, message["ts"], flipped)
        await answer(services, body, respond, team, user_id, result.message)

    return on_resolve


def delete(services):
    return _acting(services, "delete")


def record(services):
    """Save a record of this consultation: the record goes to the poster's DM."""
    return _acting(services, "record")
