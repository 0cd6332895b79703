"""`/boundary-admin …` — moderators only, answered ephemerally."""

from bot.listeners.context import team_of
from bot.mrkdwn import unescape


def handler(services):
    async def boundary_admin_command(ack, command, respond):
        await ack()  # the answer may need Slack calls (users.info, conversations.join): send it after
        # Slack sends typed "&", "<", ">" as entities; mentions (<#C…|name>, <@U…>) stay markup to be resolved
        typed = unescape(command.get("text") or "")
        team = team_of(command)
        answer = await services.admin.run(team, command["user_id"], typed)
        message = services.renderer.message(answer, team.id)
        await respond(response_type="ephemeral", replace_original=False, **message.kwargs())

    return boundary_admin_command
