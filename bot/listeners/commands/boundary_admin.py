"""`/boundary-admin …` — moderators only, answered ephemerally."""

from bot.listeners.context import team_of


def handler(services):
    async def boundary_admin_command(ack, command, respond):
        await ack()  # the answer may need Slack calls (users.info, conversations.join): send it after
        answer = await services.admin.run(team_of(command), command["user_id"], command.get("text") or "")
        message = services.renderer.message(answer)
        await respond(response_type="ephemeral", replace_original=False, **message.kwargs())

    return boundary_admin_command
