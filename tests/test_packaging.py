"""What `pip install .` brings: the service and its workers, not the sandbox or the tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    # Built from a copy, so the build leaves nothing (build/, *.egg-info) in the checkout.
    source = tmp_path_factory.mktemp("source") / "debrief"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".demo", ".bench", "build", "*.egg-info", "__pycache__", "tests", "bench"))
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                             "--quiet", "--disable-pip-version-check", "-w", str(out), str(source)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    (built,) = out.glob("debrief-*.whl")
    return zipfile.ZipFile(built)


def test_runtime_wheel_leaves_out_the_sandbox_and_tests(wheel):
    tops = {name.split("/", 1)[0] for name in wheel.namelist() if not name.startswith("debrief-")}
    assert tops == {"config", "connector", "debrief", "jobqueue", "jobs", "postmortem", "telemetry",
                    "templates", "webhooks"}


def test_runtime_wheel_carries_the_page_templates(wheel):
    names = set(wheel.namelist())
    assert {"templates/base.xml.j2", "templates/default.xml.j2", "templates/storage.j2"} <= names


def test_sandbox_is_an_extra(wheel):
    meta = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    text = wheel.read(meta).decode()
    assert "Provides-Extra: sandbox" in text
    assert 'Requires-Dist: debrief-sandbox; extra == "sandbox"' in text
