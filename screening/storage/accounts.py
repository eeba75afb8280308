"""Users, API keys and failed sign-ins in the database.

Every function works inside the caller's transaction (see ``session_scope``)
and never commits. Password hashing and validation belong to
``screening.services.accounts``; this module stores what it is given, except
for API keys, whose secret it generates so that the plaintext exists only in
the return value of :func:`create_api_key`.

API keys look like ``sk_<prefix>_<secret>``. The 8-character prefix is not
secret: it is unique, shown in listings and used to find the row. The secret
is 256 random bits, so a single SHA-256 of the whole key is a sufficient hash
(a slow password hash would only slow down every API request; there is no
low-entropy input to protect against guessing).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from screening.storage.tables import ApiKey, LoginFailure, User

KEY_MARK = "sk"
PREFIX_CHARS = 8
# Writing last_used_at on every request would turn each API call into a write;
# a minute's precision is enough to tell which keys are still in use.
TOUCH_INTERVAL = timedelta(minutes=1)


# -- users --------------------------------------------------------------------


def create_user(
    session: Session, username: str, password_hash: str, role: str, *, at: datetime
) -> User:
    """Add a user (``username`` already normalised and checked to be free)."""
    user = User(
        username=username, password_hash=password_hash, role=role, active=True, created_at=at
    )
    session.add(user)
    session.flush()
    return user


def get_user_by_name(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).first()


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def count_active_admins(session: Session) -> int:
    stmt = select(func.count()).select_from(User).where(User.role == "admin", User.active)
    return session.scalar(stmt) or 0


def set_role(user: User, role: str) -> None:
    user.role = role


def set_password_hash(user: User, password_hash: str) -> None:
    user.password_hash = password_hash


def deactivate(user: User) -> None:
    user.active = False


# -- API keys -----------------------------------------------------------------


def hash_key(plaintext: str) -> str:
    """The stored form of an API key: hex SHA-256 of the whole key."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def create_api_key(
    session: Session, name: str, scopes: Iterable[str], *, created_by: str, at: datetime
) -> tuple[ApiKey, str]:
    """Store a new key and return it with its plaintext, which is not kept anywhere."""
    prefix = _unused_prefix(session)
    plaintext = f"{KEY_MARK}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        prefix=prefix,
        key_hash=hash_key(plaintext),
        name=name,
        scopes=sorted(set(scopes)),
        created_by=created_by,
        created_at=at,
    )
    session.add(key)
    session.flush()
    return key, plaintext


def _unused_prefix(session: Session) -> str:
    # 32 bits of prefix: collisions are rare but possible, so draw again (the
    # unique constraint still guards against a concurrent insert).
    while True:
        prefix = secrets.token_hex(PREFIX_CHARS // 2)
        if get_key_by_prefix(session, prefix) is None:
            return prefix


def split_key(plaintext: str) -> str | None:
    """The prefix of a well-formed key, or None."""
    mark, _, rest = plaintext.partition("_")
    prefix, _, secret = rest.partition("_")
    if mark != KEY_MARK or len(prefix) != PREFIX_CHARS or not secret:
        return None
    return prefix


def find_key(session: Session, plaintext: str) -> ApiKey | None:
    """The key row whose hash matches ``plaintext`` (revoked or not), or None.

    The hash comparison is constant-time. The prefix lookup before it is not,
    which is fine: prefixes are public.
    """
    prefix = split_key(plaintext)
    if prefix is None:
        return None
    key = get_key_by_prefix(session, prefix)
    if key is None or not hmac.compare_digest(key.key_hash, hash_key(plaintext)):
        return None
    return key


def get_key_by_prefix(session: Session, prefix: str) -> ApiKey | None:
    return session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).first()


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)))


def revoke_key(key: ApiKey, *, at: datetime) -> None:
    key.revoked_at = at


def touch_key(key: ApiKey, *, at: datetime) -> None:
    """Record that ``key`` was used, at most once per :data:`TOUCH_INTERVAL`."""
    last = as_utc(key.last_used_at)
    if last is None or at - last >= TOUCH_INTERVAL:
        key.last_used_at = at


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything we store is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


# -- failed sign-ins ------------------------------------------------------------


def record_login_failure(session: Session, username: str, client: str, *, at: datetime) -> None:
    session.add(LoginFailure(username=username, client=client, at=at))


def count_login_failures(session: Session, username: str, client: str, *, since: datetime) -> int:
    stmt = (
        select(func.count())
        .select_from(LoginFailure)
        .where(
            LoginFailure.username == username,
            LoginFailure.client == client,
            LoginFailure.at >= since,
        )
    )
    return session.scalar(stmt) or 0


def clear_login_failures(session: Session, username: str, client: str) -> None:
    session.execute(
        delete(LoginFailure).where(LoginFailure.username == username, LoginFailure.client == client)
    )


def prune_login_failures(session: Session, *, before: datetime) -> None:
    """Forget failures too old to count towards any limit."""
    session.execute(delete(LoginFailure).where(LoginFailure.at < before))
