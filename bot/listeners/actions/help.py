"""Buttons on `/boundary` answers."""

from bot.blocks import answers


def principle_more(services):
    async def on_principle_more(ack, action, respond):
        await ack()
        value = action.get("value")
        principle = services.catalog.principles.get(value) if isinstance(value, str) else None
        if principle is not None:
            message = answers.principle_message(services.catalog, principle)
            await respond(response_type="ephemeral", replace_original=False, **message.kwargs())

    return on_principle_more


def principles_list(services):
    async def on_principles_list(ack, respond):
        await ack()
        message = answers.principles_message(services.catalog)
        await respond(response_type="ephemeral", replace_original=False, **message.kwargs())

    return on_principles_list
