"""User-facing texts from prompts/*.yaml (data, editable without touching code)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROMPTS = Path(__file__).resolve().parent.parent / "prompts"


class Texts:
    def __init__(self, data: dict[str, Any], source: str):
        self._data = data
        self._source = source

    def __call__(self, dotted: str, **fmt: Any) -> str:
        node: Any = self._data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                raise KeyError(f"{self._source}: missing text `{dotted}`")
            node = node[part]
        return node.format(**fmt) if fmt else node

    def raw(self, dotted: str) -> Any:
        node: Any = self._data
        for part in dotted.split("."):
            node = node[part]
        return node


@cache
def load_texts(name: str = "messages") -> Texts:
    path = PROMPTS / f"{name}.yaml"
    return Texts(yaml.safe_load(path.read_text(encoding="utf-8")) or {}, str(path))
