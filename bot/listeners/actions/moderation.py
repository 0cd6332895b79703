"""Approve / Reject and flag decisions in the review channel or App Home."""

from bot.gateway import Team
from bot.listeners.actions.common import answer, numbered, open_in_time
from bot.listeners.context import flag_of, post_of, team_of, user_of
from bot.outgoing import RejectForm
from bot.texts import text
from bot.values import ValueTags, post_or_reply_ref


def approve(services):
    async def run(team, user_id, number_):
        return await services.moderation.approve(team, user_id, number_)

    return numbered(services, run, post_of)


def open_reject(services):
    async def on_open_reject(ack, body, action, respond):
        await ack()
        team, user_id = team_of(body), user_of(body)
        n = post_of(action, services.identity.value_tags, team)
        if n is None:
            return
        why = ""

        async def prepare() -> RejectForm | None:
            # the database, and Slack's users.info for workspace admins: opened in time whatever they take
            nonlocal why
            if not await services.moderation.is_moderator(team, user_id):
                why = text("moderation.not_moderator")
                return None
            post = await services.moderation.awaiting(team, n)
            if post is None:
                why = text("moderation.review.already_decided")
                return None
            return RejectForm(post.number)  # named by number, whatever the button carried

        if await open_in_time(services, team, body["trigger_id"], prepare(), lambda: why) is None:
            await answer(services, body, respond, team, user_id, why)

    return on_open_reject


def flag(services, remove: bool):
    async def run(team, user_id, flag):
        return await services.moderation.decide_flag(team, user_id, flag, remove)

    return numbered(services, run, flag_of)


def block(services):
    """Block the author, from the moderator's queue (after Slack's confirm dialog):
    the same as `/boundary-admin block N`, so the same checks, answer and audit entry."""

    async def run(team, user_id, value):
        return (await services.admin.block_confirmed(team, user_id, value)).text

    return numbered(services, run, _post_value)


def _post_value(action: dict, tags: ValueTags, team: Team) -> str | None:
    """The button's value as it is, when it names a post (or a reply): `p17~tag`,
    `p17.2~tag`, or an older button's row id; block_confirmed checks the tag and looks it
    up in the workspace."""
    value = action.get("value")
    return value if isinstance(value, str) and post_or_reply_ref(value, tags, team.id) is not None else None


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
        team, user_id = team_of(body), user_of(body)
        ref = _post_value(action, services.identity.value_tags, team)
        if ref is None:
            return
        said = (await services.admin.block_confirmed(team, user_id, ref)).text
        await say(body, respond, team, user_id, said)

    return on_block_yes


def block_cancelled(services):
    say = _respond_in_place(services)

    async def on_block_no(ack, body, respond):
        await ack()
        await say(body, respond, team_of(body), user_of(body), text("moderation.confirm_block.cancelled"))

    return on_block_no
