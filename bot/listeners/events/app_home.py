"""The App Home tab: principles, a consult button, one's own posts; for
moderators also the settings and the queue."""

from bot.listeners.context import team_of


def handler(services):
    async def on_app_home_opened(ack, event, body):
        await ack()
        if event.get("tab") not in (None, "home"):
            return
        team, user_id = team_of(body), event["user"]
        await services.gateway.publish_home(team, user_id, await services.moderation.home(team, user_id))

    return on_app_home_opened
