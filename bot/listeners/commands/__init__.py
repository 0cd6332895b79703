from bot.listeners.commands import boundary, boundary_admin


def register(app, services) -> None:
    app.command("/boundary")(boundary.handler(services))
    app.command("/boundary-admin")(boundary_admin.handler(services))
