"""The same in-memory domain as tests/consult (the `domain` fixture)."""

from tests.consult.conftest import domain  # noqa: F401
