"""`/boundary-admin …` — moderators only, answered ephemerally."""


def handler(services):
    async def boundary_admin_command(ack, command, client, respond):
        await ack()  # the answer may need Slack calls (users.info, conversations.join): send it after
        message = await services.moderation.admin(
            client, command["team_id"], command["user_id"], command.get("text") or ""
        )
        await respond(response_type="ephemeral", replace_original=False, **message.kwargs())

    return boundary_admin_command
