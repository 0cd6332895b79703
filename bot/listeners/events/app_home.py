"""The App Home tab: principles, a consult button, one's own posts; for
moderators also the settings and the queue."""


def handler(services):
    async def on_app_home_opened(ack, event, body, client):
        await ack()
        if event.get("tab") not in (None, "home"):
            return
        team_id = body.get("team_id")
        view = await services.moderation.home_view(client, team_id, event["user"])
        await client.views_publish(user_id=event["user"], view=view)

    return on_app_home_opened
