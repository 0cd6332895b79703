import pytest

from bot.deid import Deidentifier, get_engine


@pytest.fixture(scope="session")
def engine() -> Deidentifier:
    return get_engine()


def removed_surfaces(engine: Deidentifier, text: str, **kw) -> list[str]:
    return [text[s.start : s.end] for s in engine.redact(text, **kw).spans]


def labels_of(engine: Deidentifier, text: str) -> dict[str, str]:
    return {text[s.start : s.end]: s.label for s in engine.redact(text).spans}
