"""Review warnings: details that identify nobody alone but may in combination.

These are shown in the intake preview as short sentences; nothing is removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .fastre import fast
from .model import Candidate

_SMALL_PLACE = fast(
    re.compile(
        r"\b(?:small|tiny|rural|little)\s+(?:town|village|island|community|county|market town)\b|\bpop(?:ulation|\.)?\s*(?:of\s*)?(?:about\s*|around\s*|~)?\d[\d,]*\b|"
        r"\bonly\s+(?:\w+[- ]?){0,3}(?:therapist|counsel+or|psychologist|lpc|lcsw|lmft|practice|clinic|doctor|gp|mechanic|"
        r"pharmacy|grocery store|store|shop|pub|bar|school|church|firm)s?\b|\bone of (?:two|three|four|maybe \w+|only \w+)\b|"
        r"\beveryone knows everyone\b|\bwithin \d+ (?:miles|km|kilometres|kilometers)\b|\bfor \d+ (?:miles|km)\b",
        re.I,
    )
)
_RARE_ROLE = fast(
    re.compile(
        r"\b(?:mayor|sheriff|senator|judge|pastor|priest|rabbi|imam|principal|superintendent|celebrity|"
        r"influencer|olympian|athlete|news anchor|reporter|council(?:lor|man|woman)|chief|ceo|"
        r"landlord of|owns the|the only \w+ in town|lifeguard|bartender|jeweler|jeweller|drag (?:queen|king|show))\b",
        re.I,
    )
)
_PUBLIC_EVENT = fast(
    re.compile(
        r"\b(?:on the news|in the (?:news|paper)|went viral|viral|\d+k views|[\d,]+ views|lottery|shooting|"
        r"crash|fire|flood|tornado|hurricane|earthquake|trial|arrested|lawsuit|obituary|funeral|court case|"
        r"custody case|award|championship|marathon|election|elected)\b",
        re.I,
    )
)
_LIFE_EVENT = fast(
    re.compile(
        r"\b(?:died|passed|death|funeral|wedding|married|born|birthday|graduat\w*|divorce\w*|admitted|"
        r"discharged|arrested|hearing|surgery|dedication|overdos\w*)\b",
        re.I,
    )
)
_RARE_IDENTITY = fast(
    re.compile(
        r"\b(?:only|one of (?:two|three|the few))\s+(?:\w+[- ]){0,3}(?:speaking|black|deaf|trans|gay|lesbian|"
        r"muslim|jewish|hindu|sikh|indigenous|korean|chinese|latin[oax]|male|female)\b",
        re.I,
    )
)


def review_warnings(text: str, spans: Iterable[Candidate]) -> list[str]:
    spans = list(spans)
    out: list[str] = []
    has_place = any(s.label == "LOCATION" for s in spans) or bool(_SMALL_PLACE.search(text))
    if _SMALL_PLACE.search(text):
        out.append(
            "Mentions a small community or being the only provider nearby: readers there may recognise you or the client."
        )
    if _RARE_ROLE.search(text) and has_place:
        out.append(
            "A distinctive role or job together with a place can identify someone; consider making the role more generic."
        )
    if _RARE_IDENTITY.search(text):
        out.append("Being the only one of a group in an area can identify you; consider leaving that detail out.")
    if _PUBLIC_EVENT.search(text):
        out.append(
            "Refers to a public or newsworthy event that others could look up; consider describing it more generally."
        )
    if any(s.label == "DATE" for s in spans) and _LIFE_EVENT.search(text):
        out.append(
            "Ties an exact date to a life event (a death, wedding, hearing or similar); the date was removed, but check the event itself isn't identifying."
        )
    return out
