"""Reading submitted modal values the way Slack sends them."""

from typing import Any


def view_values(view: dict[str, Any]) -> dict[str, Any]:
    """{block_id: text or [selected option values]} for every input in the view."""
    out: dict[str, Any] = {}
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        for element in actions.values():
            if element.get("type") == "checkboxes":
                out[block_id] = [o["value"] for o in element.get("selected_options") or []]
            elif "selected_option" in element:
                out[block_id] = (element.get("selected_option") or {}).get("value")
            else:
                out[block_id] = element.get("value") or ""
    return out
