"""The command line reads ./.env as .env.example says, never over the real environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from debrief.cli import load_dotenv_file

ROOT = Path(__file__).resolve().parent.parent


def test_dotenv_fills_in_but_never_overrides(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBRIEF_TEST_FROM_FILE=file\nDEBRIEF_TEST_ALREADY_SET=file\n", encoding="utf-8")
    monkeypatch.delenv("DEBRIEF_TEST_FROM_FILE", raising=False)
    monkeypatch.setenv("DEBRIEF_TEST_ALREADY_SET", "real")
    assert load_dotenv_file(env_file)
    assert os.environ["DEBRIEF_TEST_FROM_FILE"] == "file"
    assert os.environ["DEBRIEF_TEST_ALREADY_SET"] == "real"


def test_missing_dotenv_is_fine(tmp_path):
    assert not load_dotenv_file(tmp_path / ".env")


def test_check_config_reads_app_yaml_and_dotenv_from_the_working_directory(tmp_path):
    """``pip install .`` then ``debrief check-config`` in another folder: ./app.yaml is the default,
    and DEBRIEF_CONFIG may come from ./.env."""
    (tmp_path / "team.yaml").write_text((ROOT / "app.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / ".env").write_text("DEBRIEF_CONFIG=team.yaml\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "DEBRIEF_CONFIG"}
    result = subprocess.run([sys.executable, "-m", "debrief", "check-config"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "team.yaml: OK" in result.stdout
    (tmp_path / ".env").unlink()
    result = subprocess.run([sys.executable, "-m", "debrief", "check-config"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "app.yaml: no such file" in result.stderr
