"""Slack-facing listeners, split by kind. Each acknowledges first, calls the
domain, and renders; none holds logic of its own."""

from slack_bolt.async_app import AsyncApp

from bot.listeners import actions, commands, events, views


def register_listeners(app: AsyncApp, services) -> None:
    commands.register(app, services)
    actions.register(app, services)
    views.register(app, services)
    events.register(app, services)  # last: it ends with the catch-all
