"""The dependency audit: offline, against a checked-in table of published fixes."""

import importlib.util
import subprocess
import sys
from pathlib import Path

from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("audit_dependencies", ROOT / "scripts" / "audit_dependencies.py")
audit = importlib.util.module_from_spec(spec)
sys.modules["audit_dependencies"] = audit
spec.loader.exec_module(audit)


def test_the_requirement_floors_are_past_every_listed_fix():
    advisories, _ = audit.load_table()
    assert audit.findings(advisories, {}, audit.floors()) == []
    floors = audit.floors()
    assert floors["aiohttp"] >= Version("3.14.3") and floors["cryptography"] >= Version("50.0.0")


def test_a_floor_or_an_install_below_a_fix_is_reported(tmp_path):
    advisories, _ = audit.load_table()
    old = tmp_path / "requirements.txt"
    old.write_text("aiohttp>=3.13,<4\ncryptography>=44,<50\nPyYAML\n")
    found = audit.findings(advisories, {"aiohttp": "3.14.1", "idna": "3.20"}, audit.floors([old]))
    text = "\n".join(found)
    assert "aiohttp 3.14.1 is installed; GHSA-cq5v-8q36-5273 is fixed in 3.14.3" in text
    assert "aiohttp: requirements allow >=3.13" in text and "cryptography: requirements allow >=44" in text
    assert "PyYAML: requirements allow no floor" in text.replace("pyyaml", "PyYAML")
    assert "idna" not in text


def test_the_audit_runs_without_network_and_says_what_it_cannot_check():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "audit_dependencies.py")],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "https_proxy": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "offline, no network lookup" in proc.stdout and "could not check: advisories published after" in proc.stdout


def test_ci_runs_the_audit_before_the_tests():
    run = (ROOT / ".ci" / "run").read_text()
    assert "scripts/audit_dependencies.py" in run
    assert run.index("scripts/audit_dependencies.py") < run.index("python -m pytest")
