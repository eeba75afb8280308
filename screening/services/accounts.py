"""Account use-cases: users and passwords, API keys, sign-in with a rate limit.

Each function opens its own transaction on ``db`` and appends an audit event,
naming the actor, for every change to a user or a key. Who may do what is
decided by :mod:`screening.core.permissions`; this module checks inputs,
hashes passwords and keeps the records.

Passwords are hashed with argon2id (:data:`HASHER`, the library's recommended
parameters). A stored hash made with other parameters is replaced at the next
successful sign-in, so raising the parameters needs no migration.

The sign-in rate limit (:data:`LOGIN_MAX_FAILURES` per :data:`LOGIN_WINDOW`,
per username and client address) counts failures in the ``login_failures``
table rather than in process memory: gunicorn runs several workers, and an
in-process counter would give an attacker one budget per worker and forget
everything on restart. Two concurrent attempts can both pass the check, so
the limit may be exceeded by the number of parallel requests; that is
acceptable for slowing down password guessing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from datetime import timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from screening.core.permissions import Principal, Role, Scope
from screening.errors import InvalidInput, NotFound, RateLimited
from screening.storage import accounts as repo
from screening.storage.audit import audit, now
from screening.storage.db import Database
from screening.storage.tables import ApiKey, User

# Production always uses the library's defaults (argon2id, RFC 9106 low-memory
# profile: 64 MiB, 3 passes). Tests replace this constant with a cheap hasher
# through pytest's monkeypatch, because each default hash costs ~0.1 s and the
# suites hash hundreds of times; nothing else may change it.
HASHER = PasswordHasher()

MIN_PASSWORD = 10
# argon2 accepts any length, but hashing megabyte "passwords" is a cheap denial of service.
MAX_PASSWORD = 1024
LOGIN_MAX_FAILURES = 5
LOGIN_WINDOW = timedelta(minutes=5)
SYSTEM_ACTOR = "system"

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{1,63}")


# -- validation -----------------------------------------------------------------


def normalise_username(username: str) -> str:
    """Usernames compare case-insensitively: stored and looked up in lower case."""
    return username.strip().lower()


def check_username(username: str) -> str:
    """The normalised username.

    Raises:
        InvalidInput: it is not 2-64 characters of letters, digits, ``.``, ``_``, ``-``, ``@``.
    """
    name = normalise_username(username)
    if not _USERNAME.fullmatch(name):
        raise InvalidInput(
            f"invalid username {username!r}: use 2-64 characters (letters, digits, '.', '_',"
            " '-', '@'), starting with a letter or digit"
        )
    return name


def check_password(password: str, *, username: str) -> None:
    """Enforce the password policy.

    Raises:
        InvalidInput: the password is shorter than :data:`MIN_PASSWORD`, longer
            than :data:`MAX_PASSWORD`, blank, or the username itself.
    """
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            f"password too short: at least {MIN_PASSWORD} characters are required,"
            f" got {len(password)}"
        )
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"password too long: at most {MAX_PASSWORD} characters")
    if not password.strip():
        raise InvalidInput("password must not be only spaces")
    if password.strip().lower() == username.lower():
        raise InvalidInput("password must not be the username")


def parse_role(role: str) -> Role:
    """Raises: InvalidInput: not one of the roles."""
    try:
        return Role(role.strip().lower())
    except ValueError:
        raise InvalidInput(f"unknown role {role!r}; choose one of: {', '.join(Role)}") from None


def parse_scopes(scopes: Iterable[str]) -> list[Scope]:
    """Distinct scopes in declaration order.

    Raises:
        InvalidInput: a scope is unknown, or none is given.
    """
    wanted = {s.strip().lower() for s in scopes}
    unknown = sorted(wanted - set(Scope))
    if unknown:
        raise InvalidInput(
            f"unknown scope(s) {', '.join(map(repr, unknown))}; choose from: {', '.join(Scope)}"
        )
    if not wanted:
        raise InvalidInput(f"an API key needs at least one scope ({', '.join(Scope)})")
    return [s for s in Scope if s in wanted]


# -- users ----------------------------------------------------------------------


def create_user(db: Database, username: str, password: str, role: str, actor: str) -> User:
    """Create an active user with a hashed password.

    Raises:
        InvalidInput: bad username, role or password, or the username is taken.
    """
    name = check_username(username)
    parsed_role = parse_role(role)
    check_password(password, username=name)
    password_hash = HASHER.hash(password)  # slow: keep it outside the transaction
    with db.session() as session:
        if repo.get_user_by_name(session, name) is not None:
            raise InvalidInput(f"user {name!r} already exists")
        user = repo.create_user(session, name, password_hash, parsed_role.value, at=now())
        audit(session, actor, "user.create", target=name, details={"role": parsed_role.value})
    return user


def list_users(db: Database) -> list[User]:
    with db.session() as session:
        return repo.list_users(session)


def set_role(db: Database, username: str, role: str, actor: str) -> User:
    """Change a user's role; the last active admin cannot be demoted.

    Raises:
        NotFound: no such user.
        InvalidInput: unknown role, or it would leave no active admin.
    """
    parsed_role = parse_role(role)
    with db.session() as session:
        user = _get_user(session, username)
        previous = user.role
        if previous == Role.ADMIN and parsed_role != Role.ADMIN and user.active:
            _keep_one_admin(session, f"cannot demote {user.username!r}")
        repo.set_role(user, parsed_role.value)
        audit(
            session,
            actor,
            "user.set_role",
            target=user.username,
            details={"from": previous, "to": parsed_role.value},
        )
    return user


def deactivate_user(db: Database, username: str, actor: str) -> User:
    """Stop a user from signing in (open sessions end at their next request).

    Raises:
        NotFound: no such user.
        InvalidInput: it would leave no active admin.
    """
    with db.session() as session:
        user = _get_user(session, username)
        if user.active and user.role == Role.ADMIN:
            _keep_one_admin(session, f"cannot deactivate {user.username!r}")
        repo.deactivate(user)
        audit(session, actor, "user.deactivate", target=user.username)
    return user


def set_password(db: Database, username: str, password: str, actor: str) -> User:
    """Give a user a new password (an admin's reset, or a forgotten password).

    Sessions signed in with the old password end at their next request (see
    :func:`session_stamp`); API keys are not affected.

    Raises:
        NotFound: no such user.
        InvalidInput: the password breaks the policy (:func:`check_password`).
    """
    with db.session() as session:
        name = _get_user(session, username).username
    check_password(password, username=name)
    password_hash = HASHER.hash(password)  # slow: keep it outside the transaction
    with db.session() as session:
        user = _get_user(session, name)
        repo.set_password_hash(user, password_hash)
        audit(session, actor, "user.set_password", target=name)
    return user


def user_exists(db: Database, username: str) -> None:
    """Raises: NotFound: no such user."""
    with db.session() as session:
        _get_user(session, username)


def session_stamp(user: User) -> str:
    """What a signed-in session keeps of the password it was opened with: a digest
    of the stored hash, so a new password ends every session opened before it."""
    return hashlib.sha256(user.password_hash.encode("utf-8")).hexdigest()[:32]


def _get_user(session: Session, username: str) -> User:
    user = repo.get_user_by_name(session, normalise_username(username))
    if user is None:
        raise NotFound(f"no user {normalise_username(username)!r}")
    return user


def _keep_one_admin(session: Session, what: str) -> None:
    if repo.count_active_admins(session) <= 1:
        raise InvalidInput(f"{what}: it is the last active admin")


def user_principal(db: Database, username: str, stamp: str | None) -> Principal | None:
    """The principal of an active user for a signed-in session, or None when the
    user is gone or deactivated, or the password changed since the session's
    ``stamp`` (:func:`session_stamp`) was taken."""
    with db.session() as session:
        user = repo.get_user_by_name(session, normalise_username(username))
        if user is None or not user.active:
            return None
        if stamp is None or not hmac.compare_digest(stamp, session_stamp(user)):
            return None
        return Principal.user(user.username, user.role)


# -- sign-in ----------------------------------------------------------------------


def authenticate(db: Database, username: str, password: str) -> User | None:
    """The active user with these credentials, or None.

    Rehashes the stored password when :data:`HASHER`'s parameters changed.
    Unknown and inactive users cost the same hashing time as known ones, so
    response times do not reveal which usernames exist.
    """
    name = normalise_username(username)
    with db.session() as session:
        user = repo.get_user_by_name(session, name)
        if user is None or not user.active:
            _verify(_dummy_hash(HASHER), password)
            return None
        if not _verify(user.password_hash, password):
            return None
        if HASHER.check_needs_rehash(user.password_hash):
            repo.set_password_hash(user, HASHER.hash(password))
            audit(session, SYSTEM_ACTOR, "user.rehash_password", target=user.username)
        return user


def login(db: Database, username: str, password: str, *, client: str) -> User | None:
    """:func:`authenticate` behind the per-username-and-client rate limit; audits success.

    Raises:
        RateLimited: :data:`LOGIN_MAX_FAILURES` failures within :data:`LOGIN_WINDOW`;
            the password is then not even checked.
    """
    name = normalise_username(username)
    started = now()
    with db.session() as session:
        failures = repo.count_login_failures(session, name, client, since=started - LOGIN_WINDOW)
    if failures >= LOGIN_MAX_FAILURES:
        minutes = int(LOGIN_WINDOW.total_seconds() // 60)
        raise RateLimited(
            f"Too many failed sign-in attempts. Wait {minutes} minutes and try again.",
            retry_after=int(LOGIN_WINDOW.total_seconds()),
        )
    user = authenticate(db, username, password)
    with db.session() as session:
        if user is None:
            repo.prune_login_failures(session, before=started - LOGIN_WINDOW)
            repo.record_login_failure(session, name, client, at=now())
            return None
        repo.clear_login_failures(session, name, client)
        actor = Principal.user(user.username, user.role).actor
        audit(session, actor, "user.login", target=user.username, details={"client": client})
    return user


def logout(db: Database, principal: Principal) -> None:
    with db.session() as session:
        audit(session, principal.actor, "user.logout", target=principal.name)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return bool(HASHER.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=2)
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("not a password: equalises time for unknown users")


# -- API keys ---------------------------------------------------------------------


def create_api_key(
    db: Database, name: str, scopes: Iterable[str], actor: str
) -> tuple[ApiKey, str]:
    """Create a key; the plaintext is returned here once and never stored.

    Raises:
        InvalidInput: empty or over-long name, unknown or missing scopes.
    """
    label = name.strip()
    if not label or len(label) > 128:
        raise InvalidInput("an API key needs a name of 1-128 characters (who or what uses it)")
    parsed = parse_scopes(scopes)
    with db.session() as session:
        key, plaintext = repo.create_api_key(
            session, label, [s.value for s in parsed], created_by=actor, at=now()
        )
        audit(
            session,
            actor,
            "api_key.create",
            target=key.prefix,
            details={"name": label, "scopes": key.scopes},
        )
    return key, plaintext


def list_api_keys(db: Database) -> list[ApiKey]:
    with db.session() as session:
        return repo.list_keys(session)


def revoke_api_key(db: Database, prefix: str, actor: str) -> ApiKey:
    """Revoke the key with ``prefix``; it is refused from the next request on.

    Raises:
        NotFound: no key has this prefix.
        InvalidInput: the key is already revoked.
    """
    with db.session() as session:
        key = repo.get_key_by_prefix(session, prefix.strip())
        if key is None:
            raise NotFound(f"no API key with prefix {prefix.strip()!r}")
        if key.revoked_at is not None:
            raise InvalidInput(
                f"API key {key.prefix} was already revoked on {key.revoked_at:%Y-%m-%d}"
            )
        repo.revoke_key(key, at=now())
        audit(session, actor, "api_key.revoke", target=key.prefix, details={"name": key.name})
    return key


def authenticate_key(db: Database, bearer: str) -> Principal | None:
    """The principal for an API key in plaintext, or None if unknown or revoked."""
    with db.session() as session:
        key = repo.find_key(session, bearer.strip())
        if key is None or key.revoked_at is not None:
            return None
        repo.touch_key(key, at=now())
        return Principal.key(key.prefix, key.scopes, label=key.name)
