"""Settings come from SCREENING_* variables and bad values stop start-up with one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from screening.errors import ConfigError
from screening.settings import Settings


def test_reads_prefixed_environment(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "SCREENING_ALERT_THRESHOLD": "0.9",
            "SCREENING_REVIEW_THRESHOLD": "0.5",
            "SCREENING_MAX_ROWS": "1_000",
            "SCREENING_LIST_MIRROR": str(tmp_path),
            "SCREENING_BROKER_URL": "redis://127.0.0.1:6379/0",
        }
    )
    assert (settings.alert_threshold, settings.review_threshold, settings.max_rows) == (
        0.9,
        0.5,
        1000,
    )
    assert settings.list_mirror == tmp_path
    assert settings.broker_url.startswith("redis://")


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"SCREENING_ALERT_THRESHOLD": "1.5"}, "SCREENING_ALERT_THRESHOLD"),
        ({"SCREENING_ALERT_THRESHOLD": "0"}, "SCREENING_ALERT_THRESHOLD"),
        ({"SCREENING_REVIEW_THRESHOLD": "abc"}, "SCREENING_REVIEW_THRESHOLD"),
        ({"SCREENING_REVIEW_THRESHOLD": "0.95"}, "SCREENING_REVIEW_THRESHOLD"),
        ({"SCREENING_DATABASE_URL": "not a url"}, "SCREENING_DATABASE_URL"),
        ({"SCREENING_DATABASE_URL": "mysql://x@y/z"}, "SCREENING_DATABASE_URL"),
        ({"SCREENING_MAX_ROWS": "-3"}, "SCREENING_MAX_ROWS"),
        ({"SCREENING_BROKER_URL": "localhost"}, "SCREENING_BROKER_URL"),
        ({"SCREENING_SECURE_COOKIES": "maybe"}, "SCREENING_SECURE_COOKIES"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        Settings.from_env(env)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("YES", True), ("1", True), ("false", False), ("no", False), ("0", False)],
)
def test_booleans_are_parsed_not_cast(raw: str, expected: bool) -> None:
    # bool("false") would be True: the parser must read the word.
    assert Settings.from_env({"SCREENING_SECURE_COOKIES": raw}).secure_cookies is expected
    assert Settings.from_env({}).secure_cookies is False


def test_resolved_defaults_to_sqlite_in_instance_folder(tmp_path: Path) -> None:
    settings = Settings(instance_path=tmp_path / "inst").resolved()
    assert settings.database_url == f"sqlite:///{tmp_path / 'inst' / 'screening.db'}"
    # The secret key is created once and then reused.
    assert settings.secret_key == Settings(instance_path=tmp_path / "inst").resolved().secret_key


@pytest.mark.parametrize("command", [["db", "upgrade"], ["lists", "status"]])
def test_cli_stops_with_one_line_naming_the_variable(tmp_path: Path, command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "screening.cli", *command],
        env={
            "SCREENING_INSTANCE_PATH": str(tmp_path),
            "SCREENING_DATABASE_URL": "::nope::",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: SCREENING_DATABASE_URL: cannot parse '::nope::' as a database URL"
    ]
