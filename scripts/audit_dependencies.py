"""Dependency audit that needs no network: compares what is installed, and the floors
in requirements*.txt, with a checked-in table of published fixes (scripts/advisories.txt).

    .venv/bin/python scripts/audit_dependencies.py

Exit 1 when an installed package or a floor is below a fix (a fresh install could land
on a vulnerable version); 0 otherwise. It says plainly what it could not check: any
advisory published after the table's date, and packages the table does not list.
No lookup is made anywhere, so a machine without network gets the same answer.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

try:
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.version import InvalidVersion, Version
except ImportError:  # pragma: no cover - pip always vendors it
    from pip._vendor.packaging.requirements import InvalidRequirement, Requirement
    from pip._vendor.packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "scripts" / "advisories.txt"
REQUIREMENTS = [ROOT / "requirements.txt", ROOT / "requirements-dev.txt"]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Advisory:
    package: str
    fixed: Version
    id: str
    what: str


def load_table(path: Path = TABLE) -> tuple[list[Advisory], str]:
    advisories, as_of = [], "unknown"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# as-of:"):
            as_of = line.split(":", 1)[1].strip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        package, fixed, advisory, *what = line.split()
        advisories.append(Advisory(canonical(package), Version(fixed), advisory, " ".join(what)))
    return advisories, as_of


def installed_versions() -> dict[str, str]:
    return {canonical(d.metadata["Name"]): d.version for d in metadata.distributions() if d.metadata["Name"]}


def floors(paths: list[Path] = REQUIREMENTS) -> dict[str, Version | None]:
    """The lowest version each requirement allows (None: no floor at all)."""
    out: dict[str, Version | None] = {}
    for path in paths:
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.split("#", 1)[0].strip()
            if not line or line.startswith("-"):
                continue
            try:
                req = Requirement(line)
            except InvalidRequirement:
                continue
            low = [Version(s.version) for s in req.specifier if s.operator in (">=", "==", "~=", "===")]
            out[canonical(req.name)] = max(low) if low else None
    return out


def findings(advisories: list[Advisory], installed: dict[str, str], floor: dict[str, Version | None]) -> list[str]:
    out = []
    for a in advisories:
        have = installed.get(a.package)
        if have is not None:
            try:
                if Version(have) < a.fixed:
                    out.append(f"{a.package} {have} is installed; {a.id} is fixed in {a.fixed}: {a.what}")
            except InvalidVersion:
                out.append(f"{a.package} {have!r}: not a version this audit can compare")
        if a.package in floor:
            low = floor[a.package]
            if low is None or low < a.fixed:
                shown = f">={low}" if low else "no floor"
                out.append(f"{a.package}: requirements allow {shown}; {a.id} is fixed in {a.fixed}: {a.what}")
    return out


def main() -> int:
    advisories, as_of = load_table()
    installed, floor = installed_versions(), floors()
    found = findings(advisories, installed, floor)
    listed = {a.package for a in advisories}
    print(
        f"dependency audit (offline, no network lookup): {len(advisories)} advisories for {len(listed)} packages "
        f"from scripts/advisories.txt (as of {as_of}); {len(installed)} installed packages, "
        f"{len(listed & set(installed))} of them listed."
    )
    print(
        f"  could not check: advisories published after {as_of}, and the {len(set(installed) - listed)} installed "
        "packages the table does not list (pip and setuptools of the virtualenv included)."
    )
    for line in found:
        print("  VULNERABLE: " + line)
    if not found:
        print("  no installed version and no requirement floor is below a listed fix.")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
