"""``screening users`` and ``screening api-keys`` against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from screening.cli import main
from screening.services import accounts
from screening.storage.audit import recent
from screening.storage.db import Database

PASSWORD = "correct horse battery"
KEY = re.compile(r"^sk_([0-9a-f]{8})_\S{40,}$")

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


@pytest.fixture
def run(db: Database, database_url: str, tmp_path: Path) -> CliRunner:
    """A runner whose SCREENING_* environment points at the test database."""
    return CliRunner(
        env={
            "SCREENING_DATABASE_URL": database_url,
            "SCREENING_INSTANCE_PATH": str(tmp_path / "instance"),
            "USER": "ops",
        }
    )


def _invoke(runner: CliRunner, *args: str, stdin: str | None = None) -> Result:
    return runner.invoke(main, list(args), input=stdin, catch_exceptions=False)


def test_bootstrap_the_first_admin_from_stdin(run: CliRunner, db: Database) -> None:
    result = _invoke(
        run, "users", "create", "Root", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "created user root with role admin\n"
    assert accounts.authenticate(db, "root", PASSWORD) is not None
    with db.session() as session:
        (event,) = recent(session)
        assert (event.actor, event.action, event.target) == ("cli:ops", "user.create", "root")


def test_interactive_password_is_asked_twice(run: CliRunner, db: Database) -> None:
    result = _invoke(
        run,
        "users",
        "create",
        "alice",
        "--role",
        "viewer",
        stdin=f"{PASSWORD}\nsomething else\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    assert PASSWORD not in result.output  # hidden input is not echoed
    assert accounts.authenticate(db, "alice", PASSWORD) is not None


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["bad name"], PASSWORD, "error: invalid username 'bad name'"),
        (["alice"], "too short", "error: password too short: at least 10 characters"),
    ],
)
def test_bad_user_input_is_one_line_and_exit_2(
    run: CliRunner, db: Database, args: list[str], stdin: str, message: str
) -> None:
    result = _invoke(
        run, "users", "create", *args, "--role", "viewer", "--password-stdin", stdin=stdin + "\n"
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(message) and len(result.stderr.splitlines()) == 1
    assert accounts.list_users(db) == []


def test_list_set_role_and_deactivate(run: CliRunner, db: Database) -> None:
    accounts.create_user(db, "root", PASSWORD, "admin", actor="t")
    accounts.create_user(db, "alice", PASSWORD, "viewer", actor="t")
    assert _invoke(run, "users", "set-role", "alice", "reviewer").exit_code == 0
    assert _invoke(run, "users", "deactivate", "alice").exit_code == 0

    rows = json.loads(_invoke(run, "users", "list", "--json").stdout)
    assert [(r["username"], r["role"], r["active"]) for r in rows] == [
        ("alice", "reviewer", False),
        ("root", "admin", True),
    ]
    table = _invoke(run, "users", "list").stdout.splitlines()
    assert table[0].split() == ["username", "role", "active", "created"]
    assert table[1].split()[:3] == ["alice", "reviewer", "no"]

    result = _invoke(run, "users", "deactivate", "root")
    assert result.exit_code == 2
    assert result.stderr == "error: cannot deactivate 'root': it is the last active admin\n"


def test_set_password(run: CliRunner, db: Database) -> None:
    accounts.create_user(db, "alice", PASSWORD, "officer", actor="t")
    result = _invoke(
        run, "users", "set-password", "Alice", "--password-stdin", stdin="a brand new passphrase\n"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "new password set for alice; their open sessions are signed out\n"
    assert accounts.authenticate(db, "alice", PASSWORD) is None
    assert accounts.authenticate(db, "alice", "a brand new passphrase") is not None
    with db.session() as session:
        event = recent(session, limit=1)[0]
        assert (event.actor, event.action, event.target) == (
            "cli:ops",
            "user.set_password",
            "alice",
        )

    unknown = _invoke(run, "users", "set-password", "bob", "--password-stdin", stdin="x" * 12)
    assert unknown.exit_code == 2 and "no user 'bob'" in unknown.output
    short = _invoke(run, "users", "set-password", "alice", "--password-stdin", stdin="short\n")
    assert short.exit_code == 2 and "password too short" in short.output
    assert accounts.authenticate(db, "alice", "a brand new passphrase") is not None


def test_api_key_create_list_revoke(run: CliRunner, db: Database) -> None:
    result = _invoke(
        run, "api-keys", "create", "--name", "erp", "--scope", "screen", "--scope", "read"
    )
    assert result.exit_code == 0, result.output
    found = KEY.match(result.stdout.strip())
    assert found, result.stdout  # stdout is the key alone, for scripts
    prefix = found.group(1)
    assert "cannot be shown again" in result.stderr

    principal = accounts.authenticate_key(db, result.stdout.strip())
    assert principal is not None and principal.name == prefix
    assert sorted(principal.scopes) == ["read", "screen"]

    listing = _invoke(run, "api-keys", "list").stdout
    assert prefix in listing and "read,screen" in listing and "active" in listing
    assert result.stdout.strip() not in listing
    (row,) = json.loads(_invoke(run, "api-keys", "list", "--json").stdout)
    assert (row["prefix"], row["name"], row["created_by"], row["revoked_at"]) == (
        prefix,
        "erp",
        "cli:ops",
        None,
    )

    assert _invoke(run, "api-keys", "revoke", prefix).stdout == f"API key {prefix} (erp) revoked\n"
    assert accounts.authenticate_key(db, result.stdout.strip()) is None
    assert "revoked " in _invoke(run, "api-keys", "list").stdout

    again = _invoke(run, "api-keys", "revoke", "deadbeef")
    assert again.exit_code == 2
    assert again.stderr == "error: no API key with prefix 'deadbeef'\n"


def test_unknown_scope_is_a_usage_error(run: CliRunner, db: Database) -> None:
    result = _invoke(run, "api-keys", "create", "--name", "erp", "--scope", "delete")
    assert result.exit_code == 2 and "'delete' is not one of" in result.stderr
    assert accounts.list_api_keys(db) == []
