"""The deploy files agree with each other and with the code: one Python version, a
non-root image that runs what the Procfile runs, a health check on /healthz."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def dockerfile() -> list[str]:
    return [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines() if line.strip()]


def test_one_python_version_everywhere():
    version = (ROOT / ".python-version").read_text().strip()
    assert version == "3.11"
    assert (ROOT / "runtime.txt").read_text().strip().startswith(f"python-{version}.")
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"] == f">={version}"
    froms = [line for line in dockerfile() if line.startswith("FROM ")]
    assert froms == ["FROM ${PYTHON_IMAGE}"]
    # the base is a build argument (a mirror or a local base may stand in); its default is the pinned Python
    assert f"ARG PYTHON_IMAGE=python:{version}-slim" in dockerfile()


def test_the_image_runs_the_app_as_a_non_root_user_with_a_health_check():
    lines = dockerfile()
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    # numeric (uid:gid), so a host's "must not run as root" check can tell without the image's /etc/passwd
    assert re.fullmatch(r"[1-9]\d*:[1-9]\d*", users[-1]), users[-1]
    cmd = [line for line in lines if line.startswith("CMD ")]
    assert cmd == ['CMD ["python", "-m", "bot"]']
    assert (ROOT / "Procfile").read_text().strip() == "web: python -m bot"
    health = [line for line in lines if line.startswith("HEALTHCHECK ")]
    assert len(health) == 1 and health[0].endswith('CMD ["python", "-m", "bot", "healthcheck"]')
    # USER comes before CMD and HEALTHCHECK: neither runs as root.
    assert max(i for i, line in enumerate(lines) if line.startswith("USER ")) < lines.index(cmd[0])


def test_the_image_holds_every_directory_the_app_reads_at_run_time():
    copied = set()
    for line in dockerfile():
        if line.startswith("COPY "):
            copied.update(Path(p).parts[0] for p in line.split()[1:-1])
    assert {"requirements.txt", "bot", "config", "prompts"} <= copied
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert not ignored & {"bot", "config", "prompts", "requirements.txt"}
    # The directories the code resolves next to the package are those copied.
    for path in (ROOT / "bot").rglob("*.py"):
        for up2, up3 in re.findall(r'parent\.parent / "(\w+)"|parents\[2\] / "(\w+)"', path.read_text()):
            base = path.parents[1] if up2 else path.parents[2]
            if base == ROOT:  # a directory next to bot/ (not one inside it)
                assert (up2 or up3) in copied | {"data"}, (path, up2 or up3)


def test_healthcheck_fails_when_nothing_answers(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "healthcheck"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "PORT": str(port)},
    )
    assert proc.returncode == 1 and proc.stderr.startswith("unhealthy")


def test_the_image_compiles_bot_at_build_time():
    # PYTHONDONTWRITEBYTECODE (and an /app the user cannot write): without the bytecode
    # built into the image, every start would compile each module of bot/ from source.
    lines = dockerfile()
    compiled = [i for i, line in enumerate(lines) if line == "RUN python -m compileall -q bot"]
    copied = [i for i, line in enumerate(lines) if line.startswith("COPY bot ")]
    assert compiled and copied and copied[0] < compiled[0]
