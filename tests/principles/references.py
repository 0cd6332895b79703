"""Which code sections docs/ethics_references.md marks ✅ (citable), read from the document itself.

docs/ethics_references.md is a copy of the research notes (shared/data/ethics_references.md).
US codes (sections 1–2): a standard is citable when one of its mentions in a table cell
carries ✅ and neither ◐ nor UNCONFIRMED nor ⚠️. Sub-letters listed under a ✅ standard
("1.07 … ✅ — (a) …; (c) …", "1.09 (a)–(d) ✅") are citable with it. Non-US codes
(section 8): the numbers listed under "Citable (✅)" in 8.14 — the tables there mark
most numbers ⚠️ and the document collects the citable ones in that list.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

REFERENCES = Path(__file__).resolve().parents[2] / "docs" / "ethics_references.md"
US_CODES = ("APA", "ACA", "NASW", "AAMFT", "CPA")
NON_US_CODES = ("BACP", "UKCP", "HCPC", "BPS", "PACFA", "PsyBA", "APS", "NZAC", "CCPA", "IACP", "PSI")
DOUBT = ("◐", "UNCONFIRMED", "⚠️")

_SECTION = re.compile(
    r"(Preamble|Principle [A-Z]{1,3}\b|[A-Z](?:\.\d+)+(?:\.[a-z])?|\d+\.\d+(?:\([a-z]\))?)(?:\s*[–-]\s*(\d+\.\d+))?"
)
_LETTERS = re.compile(r"\(([a-z])\)(?:\s*[–-]\s*\(([a-z])\))?")


def _split(cell: str) -> list[str]:
    """Items of a cell: split on ' · ', '; ' and ', <section>' outside parentheses."""
    out, depth, cur, i = [], 0, "", 0
    while i < len(cell):
        ch = cell[i]
        depth += ch == "("
        depth -= ch == ")"
        if depth <= 0 and (cell.startswith(" · ", i) or cell.startswith("; ", i)):
            out.append(cur)
            cur, i = "", i + 2
            continue
        if depth <= 0 and cell.startswith(", ", i) and _SECTION.match(cell, i + 2):
            out.append(cur)
            cur, i = "", i + 2
            continue
        cur += ch
        i += 1
    out.append(cur)
    return [x.strip() for x in out if x.strip()]


def _letters(text: str) -> list[str]:
    out = []
    for a, b in _LETTERS.findall(text):
        out += [chr(c) for c in range(ord(a), ord(b or a) + 1)]
    return out


def _cell_sections(cell: str) -> set[str]:
    found: set[str] = set()
    parent = None
    for item in _split(cell):
        clean = item.replace("**", "")
        # doubt marks count when they speak about this item: not after " — " (sub-headings,
        # letters discussed later) nor inside parentheses that name another section
        judged = re.sub(r"\(([^()]*)\)", lambda p: "" if _SECTION.search(p.group(1)) else p.group(0), clean)
        judged = judged.split(" — ")[0]
        confirmed = "✅" in clean and not any(d in judged for d in DOUBT)
        head = re.sub(r"\*[^*]*\*", "", clean)  # titles in *…* carry no numbers
        if head.startswith("(") and parent:  # "(c) disclosure …" under "1.07 … ✅"
            if parent[1] and not any(d in clean for d in DOUBT):
                found.update(f"{parent[0]}({x})" for x in _letters(head.split(")")[0] + ")"))
            continue
        m = _SECTION.search(head.split("✅")[0]) if "✅" in head else _SECTION.search(head)
        if not m:
            continue
        sec, upto = m.group(1), m.group(2)
        parent = (re.sub(r"\([a-z]\)$", "", sec), confirmed)
        if not confirmed:
            continue
        found.add(sec)
        if upto:  # "6.1–6.3"
            major, a = sec.rsplit(".", 1)
            found.update(f"{major}.{n}" for n in range(int(a), int(upto.rsplit(".", 1)[1]) + 1))
        after = head[m.end() :]
        before_mark = after.split("✅")[0]
        for x in _letters(before_mark):  # "1.09 (a)–(d) ✅", "3.05 (a) ✅"
            found.add(f"{parent[0]}({x})")
        if "—" in after:  # "2.05 ✅ — (a) …, (b) …, (c) …"
            for x in _letters(after.split("—", 1)[1]):
                found.add(f"{parent[0]}({x})")
    return found


def _rows(lines: list[str]):
    for line in lines:
        if line.startswith("|") and not line.startswith("|---"):
            yield [c.strip() for c in line.strip().strip("|").split("|")]


@lru_cache(maxsize=1)
def confirmed_sections() -> dict[str, frozenset[str]]:
    text = REFERENCES.read_text(encoding="utf-8")
    us_part = text.split("\n## 3.")[0]
    out: dict[str, set[str]] = {c: set() for c in (*US_CODES, *NON_US_CODES)}
    header: list[str] | None = None
    for line in us_part.splitlines():
        if not line.startswith("|"):
            header = None
            continue
        if line.startswith("|---"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
            continue
        if cells[0] in US_CODES:  # section 1: | code | standards | gist |
            out[cells[0]] |= _cell_sections(cells[1]) | _cell_sections(cells[2] if len(cells) > 2 else "")
            continue
        for name, cell in zip(header, cells, strict=False):  # section 2: | topic | APA | ACA | …
            code = name  # "CPA / other" holds case law and other sources: not a code column
            if code in US_CODES:
                out[code] |= _cell_sections(cell)
    citable = text.split("### 8.14", 1)[1].split("Citable (✅):", 1)[1].split("Not citable", 1)[0]
    names = "|".join(NON_US_CODES)
    for m in re.finditer(rf"\b({names})\b(.*?)(?=\b(?:{names})\b|;|\.\s|\.$|\n\n)", citable, re.S):
        for sec in re.findall(r"GP\d+|para \d+|\d+\.\d+", m.group(2)):
            out[m.group(1)].add(sec)
    return {k: frozenset(v) for k, v in out.items()}
