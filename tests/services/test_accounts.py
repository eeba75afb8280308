"""Account use-cases on SQLite and PostgreSQL: users, passwords, API keys, sign-in limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher, profiles

from screening.core.permissions import Action, PrincipalKind, Role
from screening.errors import InvalidInput, NotFound, RateLimited
from screening.services import accounts
from screening.storage import accounts as repo
from screening.storage.audit import now, recent
from screening.storage.db import Database
from screening.storage.tables import ApiKey, User

# Captured before any test swaps it for a cheap hasher.
PRODUCTION_HASHER = accounts.HASHER
PASSWORD = "correct horse battery"

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def _events(db: Database) -> list[tuple[str, str, str | None]]:
    with db.session() as session:
        return [(e.actor, e.action, e.target) for e in reversed(recent(session))]


def _user_row(db: Database, username: str) -> User:
    with db.session() as session:
        user = repo.get_user_by_name(session, username)
        assert user is not None
        return user


# -- users and passwords ----------------------------------------------------------


def test_production_hasher_uses_the_library_defaults() -> None:
    expected = profiles.RFC_9106_LOW_MEMORY
    assert PRODUCTION_HASHER.time_cost == expected.time_cost
    assert PRODUCTION_HASHER.memory_cost == expected.memory_cost
    assert PRODUCTION_HASHER.parallelism == expected.parallelism
    assert accounts.HASHER is not PRODUCTION_HASHER  # the fixture did swap it


def test_create_user_then_authenticate(db: Database) -> None:
    user = accounts.create_user(db, "  Alice ", PASSWORD, "Reviewer", actor="cli:root")
    assert (user.username, user.role, user.active) == ("alice", "reviewer", True)

    assert accounts.authenticate(db, "ALICE", PASSWORD) is not None
    assert accounts.authenticate(db, "alice", PASSWORD + "!") is None
    assert accounts.authenticate(db, "bob", PASSWORD) is None
    assert _events(db) == [("cli:root", "user.create", "alice")]

    principal = accounts.user_principal(db, "alice", accounts.session_stamp(user))
    assert principal is not None
    assert (principal.kind, principal.role) == (PrincipalKind.USER, Role.REVIEWER)
    assert principal.can(Action.SCREEN) and not principal.can(Action.ADMIN)


def test_passwords_are_stored_as_argon2id_hashes(db: Database) -> None:
    accounts.create_user(db, "alice", PASSWORD, "viewer", actor="t")
    stored = _user_row(db, "alice").password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short pw9", "at least 10 characters are required, got 9"),
        (" " * 12, "must not be only spaces"),
        ("Alice.Smith", "must not be the username"),
        ("x" * 1025, "at most 1024 characters"),
    ],
)
def test_password_policy(db: Database, password: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        accounts.create_user(db, "alice.smith", password, "viewer", actor="t")
    with db.session() as session:
        assert repo.list_users(session) == []


def test_ten_characters_are_enough(db: Database) -> None:
    assert accounts.create_user(db, "alice", "0123456789", "viewer", actor="t").username == "alice"


@pytest.mark.parametrize(
    ("username", "role", "message"),
    [
        ("a", "viewer", "invalid username 'a'"),
        ("alice smith", "viewer", "invalid username"),
        ("-alice", "viewer", "starting with a letter or digit"),
        ("alice", "superuser", "unknown role 'superuser'; choose one of: viewer, officer"),
    ],
)
def test_bad_username_or_role(db: Database, username: str, role: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        accounts.create_user(db, username, PASSWORD, role, actor="t")


def test_usernames_are_unique_ignoring_case(db: Database) -> None:
    accounts.create_user(db, "alice", PASSWORD, "viewer", actor="t")
    with pytest.raises(InvalidInput, match="user 'alice' already exists"):
        accounts.create_user(db, "ALICE", PASSWORD, "admin", actor="t")


def test_role_changes_and_deactivation_are_audited(db: Database) -> None:
    accounts.create_user(db, "root", PASSWORD, "admin", actor="cli:ops")
    accounts.create_user(db, "alice", PASSWORD, "viewer", actor="user:root")
    accounts.set_role(db, "alice", "officer", actor="user:root")
    assert _user_row(db, "alice").role == "officer"
    stamp = accounts.session_stamp(_user_row(db, "alice"))
    assert accounts.user_principal(db, "alice", stamp) is not None
    accounts.deactivate_user(db, "alice", actor="user:root")

    assert accounts.authenticate(db, "alice", PASSWORD) is None
    assert accounts.user_principal(db, "alice", stamp) is None
    assert _events(db)[-2:] == [
        ("user:root", "user.set_role", "alice"),
        ("user:root", "user.deactivate", "alice"),
    ]
    with db.session() as session:
        assert recent(session, limit=2)[1].details == {"from": "viewer", "to": "officer"}


def test_a_new_password_replaces_the_old_and_ends_older_sessions(db: Database) -> None:
    user = accounts.create_user(db, "alice", PASSWORD, "officer", actor="cli:ops")
    old_stamp = accounts.session_stamp(user)
    assert accounts.user_principal(db, "alice", old_stamp) is not None
    assert accounts.user_principal(db, "alice", None) is None  # a session without a stamp

    accounts.set_password(db, "ALICE", "a brand new passphrase", actor="user:root")
    assert accounts.authenticate(db, "alice", PASSWORD) is None
    renewed = accounts.authenticate(db, "alice", "a brand new passphrase")
    assert renewed is not None
    assert accounts.user_principal(db, "alice", old_stamp) is None
    assert accounts.user_principal(db, "alice", accounts.session_stamp(renewed)) is not None
    assert _events(db)[-1] == ("user:root", "user.set_password", "alice")
    with db.session() as session:
        assert "passphrase" not in str(recent(session, limit=1)[0].details)

    with pytest.raises(InvalidInput, match="password too short"):
        accounts.set_password(db, "alice", "short", actor="user:root")
    with pytest.raises(NotFound, match="no user 'bob'"):
        accounts.set_password(db, "bob", "a brand new passphrase", actor="user:root")
    assert accounts.authenticate(db, "alice", "a brand new passphrase") is not None


def test_the_last_active_admin_stays(db: Database) -> None:
    accounts.create_user(db, "root", PASSWORD, "admin", actor="t")
    with pytest.raises(InvalidInput, match="last active admin"):
        accounts.set_role(db, "root", "viewer", actor="t")
    with pytest.raises(InvalidInput, match="last active admin"):
        accounts.deactivate_user(db, "root", actor="t")
    accounts.create_user(db, "second", PASSWORD, "admin", actor="t")
    accounts.deactivate_user(db, "root", actor="t")
    assert [(u.username, u.active) for u in accounts.list_users(db)] == [
        ("root", False),
        ("second", True),
    ]


def test_unknown_user(db: Database) -> None:
    with pytest.raises(NotFound, match="no user 'nobody'"):
        accounts.set_role(db, "nobody", "admin", actor="t")


def test_hash_is_upgraded_when_parameters_change(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts.create_user(db, "alice", PASSWORD, "viewer", actor="t")
    old = _user_row(db, "alice").password_hash
    assert "m=8,t=1,p=1" in old

    monkeypatch.setattr(
        accounts, "HASHER", PasswordHasher(time_cost=2, memory_cost=64, parallelism=1)
    )
    assert accounts.authenticate(db, "alice", PASSWORD) is not None
    new = _user_row(db, "alice").password_hash
    assert "m=64,t=2,p=1" in new
    assert _events(db)[-1] == ("system", "user.rehash_password", "alice")
    # The new hash still verifies, and a wrong password does not trigger a rehash.
    assert accounts.authenticate(db, "alice", PASSWORD) is not None
    assert accounts.authenticate(db, "alice", "wrong password!") is None
    assert _user_row(db, "alice").password_hash == new


# -- sign-in rate limit -------------------------------------------------------------


def test_login_is_limited_per_username_and_client(db: Database) -> None:
    accounts.create_user(db, "alice", PASSWORD, "viewer", actor="t")
    for _ in range(accounts.LOGIN_MAX_FAILURES):
        assert accounts.login(db, "alice", "wrong password", client="10.0.0.1") is None
    with pytest.raises(RateLimited, match="Too many failed sign-in attempts") as caught:
        accounts.login(db, "alice", PASSWORD, client="10.0.0.1")
    assert type(caught.value).status == 429
    assert caught.value.context["retry_after"] == 300

    # Another address, and another username from the same address, are not affected.
    assert accounts.login(db, "alice", PASSWORD, client="10.0.0.2") is not None
    accounts.create_user(db, "bob", PASSWORD, "viewer", actor="t")
    assert accounts.login(db, "bob", PASSWORD, client="10.0.0.1") is not None
    assert _events(db)[-1] == ("user:bob", "user.login", "bob")


def test_failures_expire_after_the_window_and_success_clears_them(db: Database) -> None:
    accounts.create_user(db, "alice", PASSWORD, "viewer", actor="t")
    old = now() - accounts.LOGIN_WINDOW - timedelta(seconds=1)
    with db.session() as session:
        for _ in range(accounts.LOGIN_MAX_FAILURES):
            repo.record_login_failure(session, "alice", "10.0.0.1", at=old)
    assert accounts.login(db, "alice", PASSWORD, client="10.0.0.1") is not None

    for _ in range(accounts.LOGIN_MAX_FAILURES - 1):
        accounts.login(db, "alice", "wrong password", client="10.0.0.1")
    assert accounts.login(db, "alice", PASSWORD, client="10.0.0.1") is not None
    with db.session() as session:
        since = now() - accounts.LOGIN_WINDOW
        assert repo.count_login_failures(session, "alice", "10.0.0.1", since=since) == 0
        # Recording a failure pruned the expired rows.
        assert session.scalar(sa.text("SELECT count(*) FROM login_failures")) == 0


def test_unknown_usernames_are_limited_too(db: Database) -> None:
    for _ in range(accounts.LOGIN_MAX_FAILURES):
        assert accounts.login(db, "ghost", PASSWORD, client="10.0.0.9") is None
    with pytest.raises(RateLimited):
        accounts.login(db, "ghost", PASSWORD, client="10.0.0.9")


# -- API keys -----------------------------------------------------------------------


def test_api_key_lifecycle(db: Database) -> None:
    key, plaintext = accounts.create_api_key(
        db, "erp-nightly", ["read", "screen", "read"], actor="user:root"
    )
    assert plaintext.startswith(f"sk_{key.prefix}_") and len(key.prefix) == 8
    assert key.scopes == ["read", "screen"]
    assert [(k.prefix, k.name) for k in accounts.list_api_keys(db)] == [(key.prefix, "erp-nightly")]

    principal = accounts.authenticate_key(db, plaintext)
    assert principal is not None
    assert (principal.kind, principal.name, principal.label) == (
        PrincipalKind.KEY,
        key.prefix,
        "erp-nightly",
    )
    assert principal.can("screen") and principal.can("read") and not principal.can("review")
    (listed,) = accounts.list_api_keys(db)
    assert listed.last_used_at is not None

    accounts.revoke_api_key(db, key.prefix, actor="user:root")
    assert accounts.authenticate_key(db, plaintext) is None
    with pytest.raises(InvalidInput, match="already revoked"):
        accounts.revoke_api_key(db, key.prefix, actor="user:root")
    assert _events(db) == [
        ("user:root", "api_key.create", key.prefix),
        ("user:root", "api_key.revoke", key.prefix),
    ]


def test_api_keys_are_stored_hashed_and_never_in_the_audit_log(db: Database) -> None:
    key, plaintext = accounts.create_api_key(db, "ci", ["read"], actor="t")
    secret = plaintext.split("_", 2)[2]
    with db.session() as session:
        stored = session.scalars(sa.select(ApiKey)).one()
        assert stored.key_hash == repo.hash_key(plaintext) and secret not in stored.key_hash
        for table in ("api_keys", "audit_log"):
            for row in session.execute(sa.text(f"SELECT * FROM {table}")):
                assert not any(secret in str(value) for value in row), table
        assert recent(session)[0].details == {"name": "ci", "scopes": ["read"]}


@pytest.mark.parametrize(
    "bearer",
    ["", "sk_", "not-a-key", "sk_00000000_secret", "pk_{prefix}_x", "sk_{prefix}_wrong-secret"],
)
def test_wrong_keys_are_refused(db: Database, bearer: str) -> None:
    key, _plaintext = accounts.create_api_key(db, "ci", ["read"], actor="t")
    assert accounts.authenticate_key(db, bearer.format(prefix=key.prefix)) is None


def test_last_used_is_written_at_most_once_a_minute(db: Database) -> None:
    key, plaintext = accounts.create_api_key(db, "ci", ["read"], actor="t")
    accounts.authenticate_key(db, plaintext)
    (first,) = accounts.list_api_keys(db)
    accounts.authenticate_key(db, plaintext)
    (second,) = accounts.list_api_keys(db)
    assert first.last_used_at == second.last_used_at is not None
    with db.session() as session:
        row = repo.get_key_by_prefix(session, key.prefix)
        assert row is not None
        row.last_used_at = now() - timedelta(minutes=2)
    accounts.authenticate_key(db, plaintext)
    (third,) = accounts.list_api_keys(db)
    used = repo.as_utc(third.last_used_at)
    assert used is not None and used > now() - timedelta(minutes=1)


@pytest.mark.parametrize(
    ("name", "scopes", "message"),
    [
        ("ci", ["read", "delete"], "unknown scope\\(s\\) 'delete'; choose from: screen, read"),
        ("ci", [], "needs at least one scope"),
        ("  ", ["read"], "needs a name"),
    ],
)
def test_bad_key_requests(db: Database, name: str, scopes: list[str], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        accounts.create_api_key(db, name, scopes, actor="t")
    assert accounts.list_api_keys(db) == []


def test_revoking_an_unknown_prefix(db: Database) -> None:
    with pytest.raises(NotFound, match="no API key with prefix 'deadbeef'"):
        accounts.revoke_api_key(db, "deadbeef", actor="t")
