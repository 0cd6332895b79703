"""User-facing texts from prompts/*.yaml (data, editable without touching code).

One way to look a text up, everywhere: ``text("posts.post.title", number=17)``: the
first part names the file (``prompts/posts.yaml``), the rest is the path inside it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROMPTS = Path(__file__).resolve().parent.parent / "prompts"


class Texts:
    """The texts of one prompts file."""

    def __init__(self, data: dict[str, Any], source: str):
        self._data = data
        self._source = source

    def __call__(self, dotted: str, **fmt: Any) -> str:
        node = self.raw(dotted)
        if not isinstance(node, str):
            raise KeyError(f"{self._source}: `{dotted}` is not a text")
        return node.format(**fmt) if fmt else node

    def raw(self, dotted: str) -> Any:
        node: Any = self._data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                raise KeyError(f"{self._source}: missing text `{dotted}`")
            node = node[part]
        return node

    def has(self, dotted: str) -> bool:
        try:
            self.raw(dotted)
        except KeyError:
            return False
        return True


# libyaml's parser when PyYAML was built with it (the wheels are): ~5x faster at start-up.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(source: str) -> Any:
    """Safe YAML (no Python objects), as every prompts/ and config/ file is read."""
    return yaml.load(source, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader


@cache
def load_texts(name: str) -> Texts:
    path = PROMPTS / f"{name}.yaml"
    return Texts(parse_yaml(path.read_text(encoding="utf-8")) or {}, str(path))


def text(key: str, **fmt: Any) -> str:
    """The text at ``<file>.<path>``, with ``{placeholders}`` filled from ``fmt``."""
    name, _, dotted = key.partition(".")
    if not dotted:
        raise KeyError(f"text key `{key}` should start with a prompts file name")
    return load_texts(name)(dotted, **fmt)


def raw(key: str) -> Any:
    """A non-text entry (a list or mapping) at ``<file>.<path>``."""
    name, _, dotted = key.partition(".")
    return load_texts(name).raw(dotted)
