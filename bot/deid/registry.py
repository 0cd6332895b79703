"""The recognisers the engine runs, by name, in the spirit of Presidio's
analyzer registry: each is a function Doc -> candidates, and a caller (the
benchmark, a test) can switch any of them off."""

from __future__ import annotations

from . import tails
from .recognizers import ages, chat, contacts, dates, ids, locations, names, orgs, safety_net, terms, world
from .recognizers.base import Recognizer

RECOGNIZERS: dict[str, Recognizer] = {
    "terms": terms.find,
    "contact": contacts.find,
    "id": ids.find,
    "date": dates.find,
    "age": ages.find,
    "location": locations.find,
    "street": tails.lowercase_streets,
    "org_grammar": tails.lowercase_orgs,
    "sector": tails.sectors,
    "org": orgs.find,
    "name": names.find,
    "chat": chat.find,
    "world": world.find,
    "safety_net": safety_net.find,
}
DEFAULT = tuple(RECOGNIZERS)
