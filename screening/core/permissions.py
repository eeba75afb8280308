"""Who may do what: roles, API-key scopes, actions and the one permission table.

Pure: no Flask, no database. The web layer resolves a request to a
:class:`Principal` and asks :func:`allowed`; tests iterate :data:`PERMISSIONS`.

Users have one role, and roles are ordered (viewer < officer < reviewer <
admin): a role may do everything the roles below it may do. API keys carry an
explicit set of scopes instead, and scopes do not imply each other, so a key
can do exactly what its listing says and nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class Role(StrEnum):
    """A user's role; members are declared from least to most privileged."""

    VIEWER = "viewer"
    OFFICER = "officer"
    REVIEWER = "reviewer"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _ROLE_ORDER.index(self)

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


_ROLE_ORDER = tuple(Role)


class Scope(StrEnum):
    """What an API key may be used for."""

    SCREEN = "screen"
    READ = "read"
    REVIEW = "review"
    ADMIN = "admin"


class Action(StrEnum):
    """What a request wants to do; every protected view names exactly one."""

    READ = "read"  # view runs, lists, claims and reports
    SCREEN = "screen"  # upload files and screen shipments
    REVIEW = "review"  # record decisions on hits
    ADMIN = "admin"  # manage users and API keys, load lists


class PrincipalKind(StrEnum):
    USER = "user"
    KEY = "key"


@dataclass(frozen=True, slots=True)
class Rule:
    """An action is allowed to users of ``min_role`` or above and to keys holding ``scope``."""

    min_role: Role
    scope: Scope


PERMISSIONS: Mapping[Action, Rule] = MappingProxyType(
    {
        Action.READ: Rule(min_role=Role.VIEWER, scope=Scope.READ),
        Action.SCREEN: Rule(min_role=Role.OFFICER, scope=Scope.SCREEN),
        Action.REVIEW: Rule(min_role=Role.REVIEWER, scope=Scope.REVIEW),
        Action.ADMIN: Rule(min_role=Role.ADMIN, scope=Scope.ADMIN),
    }
)


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of one request: a signed-in user or an API key.

    ``name`` is the username, or the key's prefix (unique and shown in
    listings, unlike the key's free-text label).
    """

    name: str
    kind: PrincipalKind
    role: Role | None = None
    scopes: frozenset[Scope] = frozenset()
    label: str = ""

    @classmethod
    def user(cls, username: str, role: Role | str) -> Principal:
        return cls(name=username, kind=PrincipalKind.USER, role=Role(role))

    @classmethod
    def key(cls, prefix: str, scopes: Iterable[Scope | str], label: str = "") -> Principal:
        return cls(
            name=prefix,
            kind=PrincipalKind.KEY,
            scopes=frozenset(Scope(s) for s in scopes),
            label=label,
        )

    @property
    def actor(self) -> str:
        """How the audit log names this principal, e.g. ``user:alice`` or ``key:1a2b3c4d``."""
        return f"{self.kind}:{self.name}"

    def can(self, action: Action | str) -> bool:
        return allowed(self, action)


def allowed(principal: Principal, action: Action | str) -> bool:
    """Whether ``principal`` may perform ``action`` according to :data:`PERMISSIONS`.

    Raises:
        ValueError: ``action`` is not an :class:`Action`.
    """
    rule = PERMISSIONS[Action(action)]
    if principal.kind is PrincipalKind.USER:
        return principal.role is not None and principal.role.at_least(rule.min_role)
    return rule.scope in principal.scopes
