"""Boundary principles: the catalog in prompts/*.yaml and the question matcher.

from bot.principles import get_catalog, get_matcher
get_matcher().answer("client sent me a friend request on fb")
"""

from __future__ import annotations

from functools import lru_cache

from .catalog import Catalog, CatalogError, CodeRef, Principle, Situation, load_catalog
from .matcher import Answer, Matcher, PrincipleMatch
from .ranker import Ranker

__all__ = [
    "Answer",
    "Catalog",
    "CatalogError",
    "CodeRef",
    "Matcher",
    "Principle",
    "PrincipleMatch",
    "Situation",
    "get_catalog",
    "get_matcher",
    "load_catalog",
]


@lru_cache(maxsize=1)
def get_catalog() -> Catalog:
    return load_catalog()


@lru_cache(maxsize=1)
def get_matcher() -> Matcher:
    return Matcher(get_catalog(), ranker=Ranker.load())
