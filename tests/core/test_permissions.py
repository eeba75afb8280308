"""The authorisation matrix: roles are hierarchical, key scopes are explicit."""

from __future__ import annotations

import pytest

from screening.core.permissions import PERMISSIONS, Action, Principal, Role, Scope, allowed

# The product's rules, written out by hand so that a change to PERMISSIONS
# that is not also a decision about these rules fails here.
ROLE_MAY = {
    "viewer": {"read"},
    "officer": {"read", "screen"},
    "reviewer": {"read", "screen", "review"},
    "admin": {"read", "screen", "review", "admin"},
}
SCOPE_MAY = {"read": {"read"}, "screen": {"screen"}, "review": {"review"}, "admin": {"admin"}}


def test_every_action_has_a_rule_and_the_matrix_covers_every_action() -> None:
    assert set(PERMISSIONS) == set(Action)
    assert set(ROLE_MAY["admin"]) == {a.value for a in Action}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(PERMISSIONS))
def test_user_roles(role: Role, action: Action) -> None:
    principal = Principal.user("alice", role)
    assert allowed(principal, action) is (action.value in ROLE_MAY[role.value])


@pytest.mark.parametrize("scope", list(Scope))
@pytest.mark.parametrize("action", list(PERMISSIONS))
def test_key_scopes_do_not_imply_each_other(scope: Scope, action: Action) -> None:
    principal = Principal.key("1a2b3c4d", [scope])
    assert principal.can(action) is (action.value in SCOPE_MAY[scope.value])


def test_a_key_with_several_scopes_may_do_each_of_them() -> None:
    key = Principal.key("1a2b3c4d", ["screen", "read"], label="erp")
    assert [a.value for a in Action if key.can(a)] == ["read", "screen"]


def test_roles_are_ordered_from_viewer_to_admin() -> None:
    assert [r.value for r in sorted(Role, key=lambda r: r.rank)] == list(ROLE_MAY)
    assert Role.REVIEWER.at_least(Role.OFFICER) and not Role.OFFICER.at_least(Role.REVIEWER)


def test_actor_names_the_kind() -> None:
    assert Principal.user("alice", "viewer").actor == "user:alice"
    assert Principal.key("1a2b3c4d", ["read"]).actor == "key:1a2b3c4d"


def test_unknown_action_or_role_is_an_error() -> None:
    with pytest.raises(ValueError):
        allowed(Principal.user("alice", "admin"), "delete")
    with pytest.raises(ValueError):
        Principal.user("alice", "superuser")
