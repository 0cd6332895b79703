import re

from bot.listeners.events import app_home, messages, uninstall


def register(app, services) -> None:
    app.event("message")(messages.handler(services))
    app.event("app_home_opened")(app_home.handler(services))
    app.event("app_uninstalled")(uninstall.handler(services))
    app.event("tokens_revoked")(uninstall.handler(services))
    # Anything else Slack sends (a subscription added later, say) is acknowledged.
    app.event(re.compile(".*"))(messages.ignore)
