"""Every API endpoint and UI page x every caller: anonymous, each role, each key scope.

The expected outcome is derived from the one permission table
(``screening.core.permissions.PERMISSIONS``): allowed callers must not get
401/403; anonymous callers get 401 (API) or a redirect to sign in (UI); others 403.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from screening.core.permissions import PERMISSIONS, Action, Role, Scope
from screening.services import accounts, runs
from screening.services import lists as list_service
from screening.services.index import build_from_db
from screening.settings import Settings
from screening.storage.db import Database
from tests.web.auth_factory import csrf_token, sign_in

# (method, path template, action, JSON body)
API: list[tuple[str, str, Action, Any]] = [
    ("POST", "/api/v1/parties/screen", Action.SCREEN, {"parties": [{"name": "Acme Tools Ltd"}]}),
    (
        "POST",
        "/api/v1/screenings",
        Action.SCREEN,
        {"shipments": [{"consignee": "Acme Tools Ltd", "destination_country": "DE"}]},
    ),
    ("GET", "/api/v1/screenings", Action.READ, None),
    ("GET", "/api/v1/screenings/{run}", Action.READ, None),
    ("GET", "/api/v1/screenings/{run}/report.xlsx", Action.READ, None),
    ("GET", "/api/v1/lists", Action.READ, None),
    (
        "POST",
        "/api/v1/decisions",
        Action.REVIEW,
        {"hit_id": 999999, "decision": "false_positive", "reason": "test"},
    ),
    ("GET", "/api/v1/claims", Action.READ, None),
]
UI: list[tuple[str, Action]] = [
    ("/screenings", Action.READ),
    ("/screenings/{run}", Action.READ),
    ("/lists", Action.READ),
    ("/claims", Action.READ),
    ("/admin", Action.ADMIN),
]
CALLERS = ["anonymous", *(f"role:{r.value}" for r in Role), *(f"scope:{s.value}" for s in Scope)]


def allowed(caller: str, action: Action) -> bool:
    rule = PERMISSIONS[action]
    kind, _, value = caller.partition(":")
    if kind == "role":
        return Role(value).at_least(rule.min_role)
    if kind == "scope":
        return Scope(value) is rule.scope
    return False


@pytest.fixture
def world(
    db: Database,
    settings: Settings,
    lists_dir: Path,
    make_app: Callable[..., Flask],
    fast_password_hashing: None,
) -> dict[str, Any]:
    [outcome] = list_service.load_path(db, lists_dir / "un_sc")
    assert outcome.status == "activated"
    for role in Role:
        accounts.create_user(db, role.value, "correct horse battery", role.value, "test")
    keys = {
        scope.value: accounts.create_api_key(db, scope.value, [scope.value], "test")[1]
        for scope in Scope
    }
    run = runs.screen_and_store(db, build_from_db(db), settings, [], actor="test", channel="cli")
    return {"app": make_app(), "keys": keys, "run": run.run_id}


def client_for(world: dict[str, Any], caller: str) -> tuple[FlaskClient, dict[str, str]]:
    client = world["app"].test_client()
    kind, _, value = caller.partition(":")
    if kind == "role":
        assert sign_in(client, value).status_code == 302
        return client, {"X-CSRFToken": csrf_token(client, "/claims")}
    if kind == "scope":
        return client, {"Authorization": f"Bearer {world['keys'][value]}"}
    return client, {}


@pytest.mark.parametrize("caller", CALLERS)
def test_api_matrix(world: dict[str, Any], caller: str) -> None:
    client, headers = client_for(world, caller)
    for method, template, action, body in API:
        path = template.format(run=world["run"])
        response = client.open(path, method=method, json=body, headers=headers)
        response.close()  # file downloads hold an open handle until closed
        where = f"{caller} {method} {path}"
        if allowed(caller, action):
            assert response.status_code not in (401, 403), f"{where}: {response.status_code}"
            assert response.status_code < 500, f"{where}: {response.get_data(as_text=True)}"
        elif caller == "anonymous":
            assert response.status_code == 401, where
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
        else:
            assert response.status_code == 403, where
            assert response.mimetype == "application/problem+json", where


@pytest.mark.parametrize("caller", [c for c in CALLERS if not c.startswith("scope:")])
def test_ui_matrix(world: dict[str, Any], caller: str) -> None:
    client, _headers = client_for(world, caller)
    for template, action in UI:
        path = template.format(run=world["run"])
        response = client.get(path)
        where = f"{caller} GET {path}"
        if allowed(caller, action):
            assert response.status_code == 200, f"{where}: {response.status_code}"
        elif caller == "anonymous":
            assert response.status_code == 302 and "/login" in response.headers["Location"], where
        else:
            assert response.status_code == 403, where


def test_api_keys_do_not_open_ui_pages(world: dict[str, Any]) -> None:
    client, headers = client_for(world, "scope:admin")
    response = client.get("/admin", headers=headers)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
