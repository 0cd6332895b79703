"""Approve / Reject and flag decisions in the review channel or App Home."""

from bot.listeners.actions.common import answer, numbered, open_in_time
from bot.listeners.context import number, team_of, user_of
from bot.moderation.commands import post_or_reply
from bot.outgoing import RejectForm
from bot.texts import text


def approve(services):
    async def run(team, user_id, number_):
        return await services.moderation.approve(team, user_id, number_)

    return numbered(services, run)


def open_reject(services):
    async def on_open_reject(ack, body, action, respond):
        await ack()
        n = number(action)
        if n is None:
            return
        team, user_id = team_of(body), user_of(body)
        why = ""

        async def prepare() -> RejectForm | None:
            # the database, and Slack's users.info for workspace admins: opened in time whatever they take
            nonlocal why
            if not await services.moderation.is_moderator(team, user_id):
                why = text("moderation.not_moderator")
                return None
            if not await services.moderation.awaiting(team, n):
                why = text("moderation.review.already_decided")
                return None
            return RejectForm(n)

        if await open_in_time(services, team, body["trigger_id"], prepare(), lambda: why) is None:
            await answer(services, body, respond, team, user_id, why)

    return on_open_reject


def flag(services, remove: bool):
    async def run(team, user_id, flag_id):
        return await services.moderation.decide_flag(team, user_id, flag_id, remove)

    return numbered(services, run)


def block(services):
    """Block the author, from the moderator's queue (after Slack's confirm dialog):
    the same as `/boundary-admin block N`, so the same checks, answer and audit entry."""

    async def run(team, user_id, number_):
        return (await services.admin.block_confirmed(team, user_id, str(number_))).text

    return numbered(services, run)


def _respond_in_place(services):
    """Answers a click on the typed command's confirmation by replacing it (so its
    buttons cannot be clicked twice); by DM where there is nothing to replace."""

    async def say(body, respond, team, user_id, said: str) -> None:
        if respond is not None and body.get("response_url"):
            await respond(response_type="ephemeral", replace_original=True, text=said)
            return
        await answer(services, body, respond, team, user_id, said)

    return say


def block_confirmed(services):
    """[Block] under a typed `/boundary-admin block 17` (or `17.2`)."""
    say = _respond_in_place(services)

    async def on_block_yes(ack, body, action, respond):
        await ack()
        ref = str(action.get("value") or "")
        if post_or_reply(ref) is None:
            return
        team, user_id = team_of(body), user_of(body)
        said = (await services.admin.block_confirmed(team, user_id, ref)).text
        await say(body, respond, team, user_id, said)

    return on_block_yes


def block_cancelled(services):
    say = _respond_in_place(services)

    async def on_block_no(ack, body, respond):
        await ack()
        await say(body, respond, team_of(body), user_of(body), text("moderation.confirm_block.cancelled"))

    return on_block_no
