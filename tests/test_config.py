import subprocess
import sys

import pytest

from config.settings import ConfigError, load_settings, settings_from_dict
from tests.helpers import ROOT, shipped_config


def test_shipped_app_yaml_loads():
    settings = load_settings(ROOT / "app.yaml")
    assert settings.incidents.projects == {"INC"}
    assert settings.triggers.user_impact.minutes == 30
    assert settings.incidents.fields.severity == "customfield_10100"
    assert settings.action_items.priority_for("mitigate", "SEV-1") == "Highest"
    assert settings.intake.max_body_bytes == 1024 * 1024


def _problems(raw) -> list[str]:
    with pytest.raises(ConfigError) as info:
        settings_from_dict(raw)
    return info.value.problems


def test_wrong_type_names_key_path_and_value():
    raw = shipped_config()
    raw["triggers"]["user_impact"]["minutes"] = "ten"
    assert _problems(raw) == ['app.yaml: triggers.user_impact.minutes: must be a positive integer, got "ten"']


@pytest.mark.parametrize("value", [0, -5, True, 2.5, None])
def test_minutes_must_be_positive_integer(value):
    raw = shipped_config()
    raw["triggers"]["resolution_time"]["minutes"] = value
    (line,) = _problems(raw)
    assert line.startswith("app.yaml: triggers.resolution_time.minutes: must be a positive integer")


def test_unknown_keys_are_errors_with_a_suggestion():
    raw = shipped_config()
    raw["triggers"]["user_impact"]["minuts"] = 30
    raw["trigers"] = {}
    assert _problems(raw) == [
        'app.yaml: trigers: unknown key; did you mean "triggers"?',
        'app.yaml: triggers.user_impact.minuts: unknown key; did you mean "minutes"?',
    ]


def test_missing_required_section():
    raw = shipped_config()
    del raw["confluence"]["drafts"]
    assert _problems(raw) == ["app.yaml: confluence.drafts: is required"]


def test_list_items_are_addressed_by_index():
    raw = shipped_config()
    raw["confluence"]["labels"] = ["postmortem", "Bad Label"]
    assert _problems(raw) == [
        'app.yaml: confluence.labels[1]: must be a lower-case label without spaces, got "Bad Label"']


def test_cross_references_to_severity_levels():
    raw = shipped_config()
    raw["triggers"]["user_impact"]["min_severity"] = "P1"
    (line,) = _problems(raw)
    assert line.startswith("app.yaml: triggers.user_impact.min_severity: must be one of the severity_levels")


def test_bad_language_and_timezone():
    raw = shipped_config()
    raw["language"] = "fr"
    raw["timezone"] = "Mars/Olympus"
    assert _problems(raw) == [
        'app.yaml: language: must be one of en, ko, got "fr"',
        'app.yaml: timezone: must be an IANA timezone such as Asia/Seoul or UTC, got "Mars/Olympus"',
    ]


def test_broken_yaml_reports_line(tmp_path):
    path = tmp_path / "app.yaml"
    path.write_text("language: en\ntriggers: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert "line" in info.value.problems[0] and "not valid YAML" in info.value.problems[0]


def test_check_config_command_accepts_shipped_and_rejects_broken(tmp_path):
    ok = subprocess.run([sys.executable, "-m", "debrief", "check-config", "--config", str(ROOT / "app.yaml")],
                        capture_output=True, text=True, cwd=ROOT)
    assert ok.returncode == 0, ok.stderr
    assert "OK" in ok.stdout
    broken = tmp_path / "app.yaml"
    broken.write_text((ROOT / "app.yaml").read_text().replace("minutes: 30", "minutes: ten"), encoding="utf-8")
    bad = subprocess.run([sys.executable, "-m", "debrief", "check-config", "--config", str(broken)],
                         capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 1
    assert 'app.yaml: triggers.user_impact.minutes: must be a positive integer, got "ten"' in bad.stderr
