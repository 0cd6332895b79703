"""ID: record, case, licence, policy and plate numbers, SSNs.

Two routes: a number right after a context word ("MRN", "docket", "plate",
"NHS no.") whatever its shape, and shapes that are IDs on their own (SSNs,
letter-digit codes like CR-22-004519, long digit runs).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..fastre import fast
from ..model import Candidate
from .base import Doc, scan

SSN = fast(re.compile(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])"))
# context word, then up to ~3 short filler words, then the identifier itself
_CUE = (
    r"(?:mrn|ssn|ssi|sin|nhs|chi|ihi|nhi|medicare|medicaid|dob|"
    r"member|policy|account|acct|case|docket|file|claim|client|patient|record|chart|"
    r"reference|ref|licen[cs]e|registration|rego|reg|badge|employee|student|plate|tag|vin|"
    r"procedimiento|processo|expediente|dossier|aktenzeichen|nric|ohip|cedula|cédula|aadhaar|pan|ird|tfn|"
    r"passport|permit|health\s+card|insurance|subscriber|group|id|no|number|#)"
)
CUE_ID = fast(
    re.compile(
        r"(?<!\w)" + _CUE + r"\b[\s.:#()\-,]*(?:(?:number|no|num|id|ref|is|was|reference|card|#)\b[\s.:#(),-]*){0,3}"
        # the value itself is matched case-sensitively: codes are capitals and digits
        # (its parts are separated by spaces, never by a line break: in a pasted note
        # the next line's first letter is not part of the number)
        r"(?-i:(?P<id>(?=[A-Z0-9/ -]*\d)[A-Z0-9][A-Z0-9/-]*(?: (?:of )?[A-Z0-9][A-Z0-9/-]*){0,3}))",
        re.IGNORECASE,
    )
)
# letters and digits mixed, as codes are: XJH448120931, 2024-DR-01187, 7KLM294
CODE = re.compile(r"(?<![\w/-])(?=[A-Z0-9/-]*[A-Z])(?=(?:[A-Z/-]*\d){3})[A-Z0-9]+(?:[-/][A-Z0-9]+)*(?![\w/-])")
LONG_DIGITS = fast(re.compile(r"(?<![\w$£€.,/-])\d{6,}(?![\w.,/-]\d|[\w%])"))
_YEAR = re.compile(r"(?:19|20)\d\d")
# digit groups joined by dots, slashes or hyphens, seven digits or more, with an
# optional check character: "2024/0567891", "42101-5678123-4", "318.472.650-91"
# (after a label nobody listed: "UHID …", "NIC …", "CPF …")
SEPARATED = fast(re.compile(r"(?<![\w$£€.,/-])\d+(?:[./-]\d+)+(?:-[A-Za-z0-9])?(?![\w/-]|[.,]\d)"))
_DATE_OR_RANGE = re.compile(
    r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}[./-]\d{1,2}[./-]\d{1,2}|(?:19|20)\d\d[-/](?:19|20)?\d\d"
)


# number plates of the "UP 32 KT 4471", "MH12AB1234" shape (state, district, series, number)
PLATE = re.compile(r"(?<![\w-])[A-Z]{2}[ -]?\d{1,2}[ -]?[A-Z]{1,3}[ -]?\d{3,4}(?![\w-])")
# wallet addresses and other long random codes: 25+ letters and digits, both mixed in
LONG_CODE = re.compile(r"(?<![\w])(?=[a-zA-Z0-9]{25,}(?![\w]))(?=(?:[a-zA-Z]*\d){5})(?=(?:\d*[a-zA-Z]){5})[a-zA-Z0-9]+")


def find(doc: Doc) -> Iterator[Candidate]:
    text = doc.text
    for m in PLATE.finditer(text):
        yield Candidate(m.start(), m.end(), "ID", "record", 82, "id")
    for m in LONG_CODE.finditer(text):
        yield Candidate(m.start(), m.end(), "ID", "record", 82, "id")
    for m in scan(SSN, text):
        yield Candidate(m.start(), m.end(), "ID", "ssn", 95, "id")
    for m in scan(CUE_ID, text):
        s, e = m.span("id")
        value = _trim(text[s:e])
        if not value:
            continue
        # "patient, MRN 5512…": a second cue word leads the value; it stays
        lead = re.match(r"(?:MRN|SSN|NHS|ID|No|DOB|Ref)\.?\s+(?=\S*\d)", value)
        if lead:
            s += lead.end()
            value = value[lead.end() :]
        e = s + len(value)
        cue = m.group(0)[: s - m.start()].strip().lower()
        if cue.startswith("dob"):
            continue  # a date of birth: the date recogniser owns it
        digits = sum(c.isdigit() for c in value)
        # number plates are short and mostly letters: "rego is CXP 47Q"
        plate = (
            cue.split()[0] in {"plate", "plates", "rego", "registration", "reg", "tag", "tags"}
            and digits >= 1
            and len(value.replace(" ", "")) >= 4
            and any(c.isalpha() for c in value)
        )
        if not plate and (digits < 3 or _YEAR.fullmatch(value) or (digits == len(value) and digits < 4)):
            continue
        if cue.split()[0] in {"client", "patient", "group", "no", "number", "#", "id"} and digits < 4:
            continue
        yield Candidate(s, e, "ID", "record", 90, "id")
    for m in scan(CODE, text):
        v = m.group()
        if _YEAR.fullmatch(v) or re.fullmatch(r"\d{1,4}[/-]\d{1,2}(?:[/-]\d{1,4})?", v):
            continue
        if len(v) >= 5:
            yield Candidate(m.start(), m.end(), "ID", "record", 80, "id")
    for m in SEPARATED.finditer(text):
        v = m.group()
        if sum(c.isdigit() for c in v) >= 7 and not _DATE_OR_RANGE.fullmatch(v):
            yield Candidate(m.start(), m.end(), "ID", "number", 68, "id")
    for m in scan(LONG_DIGITS, text):
        yield Candidate(m.start(), m.end(), "ID", "number", 70, "id")


def _trim(value: str) -> str:
    """Drop trailing words the lazy pattern swept in ("0337 and", "2023 she")."""
    parts = value.split(" ")
    while parts and (not any(c.isdigit() for c in parts[-1]) or parts[-1].lower() == "of"):
        parts.pop()
    return " ".join(parts).rstrip("-/")
