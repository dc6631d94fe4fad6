"""Small builders shared by tests."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import yaml

from config.settings import Settings, settings_from_dict

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shipped_config() -> dict:
    return yaml.safe_load((ROOT / "app.yaml").read_text(encoding="utf-8"))


def shipped_triggers():
    """The trigger criteria as app.yaml ships them."""
    return settings_with().triggers


def settings_with(**overrides) -> Settings:
    """The shipped app.yaml with dotted-path overrides: settings_with(**{"triggers.user_impact.minutes": 5})."""
    raw = copy.deepcopy(shipped_config())
    for dotted, value in overrides.items():
        node = raw
        *parents, last = dotted.split(".")
        for part in parents:
            node = node[part]
        node[last] = value
    return settings_from_dict(raw, base_dir=ROOT)


def payload(name: str) -> dict:
    return json.loads((FIXTURES / "jira" / name).read_text(encoding="utf-8"))
