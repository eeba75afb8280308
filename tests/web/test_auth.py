"""Sign-in, CSRF, the rate limit and the UI/API guards, through the test client on both databases.

Probe views guarded by ``login_required``/``api_auth`` stand in for the real
pages and API, one per action, so the matrix is tested through HTTP.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Blueprint, Flask, render_template_string
from flask.testing import FlaskClient

from screening.core.permissions import PERMISSIONS, Action, Role, Scope
from screening.services import accounts
from screening.storage.audit import recent
from screening.storage.db import Database
from screening.web.auth import api_auth, current_principal, login_required
from tests.core.test_permissions import ROLE_MAY, SCOPE_MAY
from tests.web.auth_factory import PASSWORD, csrf_token, sign_in, sign_out

PAGE = '{% extends "base.html" %}{% block content %}<p>probe {{ action }}</p>{% endblock %}'


def _probes() -> Blueprint:
    """``/probe/<action>`` (UI) and ``/api/probe/<action>`` (API, GET and POST) per action."""
    bp = Blueprint("probe", __name__)

    def claims() -> str:  # inside a nav section, to see it marked current
        return render_template_string(PAGE, action="read")

    bp.add_url_rule("/claims/probe", "claims", login_required("read")(claims))
    for action in Action:

        def page(action: Action = action) -> str:
            return render_template_string(PAGE, action=action.value)

        def api(action: Action = action) -> dict[str, str]:
            principal = current_principal()
            assert principal is not None
            return {"action": action.value, "actor": principal.actor}

        bp.add_url_rule(f"/probe/{action}", f"ui_{action}", login_required(action)(page))
        bp.add_url_rule(
            f"/api/probe/{action}", f"api_{action}", api_auth(action)(api), methods=["GET", "POST"]
        )
    return bp


@pytest.fixture
def app(db: Database, make_app: Callable[..., Flask], fast_password_hashing: None) -> Flask:
    app = make_app()
    app.register_blueprint(_probes())
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _user(db: Database, username: str, role: str) -> None:
    accounts.create_user(db, username, PASSWORD, role, actor="test")


def _actions(db: Database) -> list[tuple[str, str]]:
    with db.session() as session:
        return [(e.actor, e.action) for e in reversed(recent(session))]


def _bearer(plaintext: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {plaintext}"}


# -- the sign-in form ---------------------------------------------------------------


def test_login_page_has_labelled_fields_and_a_csrf_token(client: FlaskClient) -> None:
    response = client.get("/login")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    for fragment in (
        '<html lang="en">',
        '<label for="username">Username</label>',
        'id="username" name="username"',
        '<label for="password">Password</label>',
        'autocomplete="current-password"',
        'name="csrf_token" value="',
        "/static/style.css",
    ):
        assert fragment in html
    assert "Sign out" not in html  # no navigation for anonymous visitors
    with client.get("/static/style.css") as stylesheet:  # a file response: close it
        assert stylesheet.status_code == 200 and stylesheet.mimetype == "text/css"


def test_sign_in_and_out(client: FlaskClient, db: Database) -> None:
    _user(db, "alice", "officer")
    response = client.get("/probe/read")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/probe/read"

    response = sign_in(client, "Alice", next_path="/probe/read")
    assert response.status_code == 302 and response.headers["Location"] == "/probe/read"
    html = client.get("/probe/read").get_data(as_text=True)
    assert "probe read" in html and "Signed in as alice." in html
    for link in ('href="/screenings"', 'href="/lists"', 'href="/claims"'):
        assert link in html
    assert 'href="/admin"' not in html  # officers do not administer

    response = sign_out(client, "/probe/read")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/probe/read").status_code == 302
    assert _actions(db)[-2:] == [("user:alice", "user.login"), ("user:alice", "user.logout")]


def test_navigation_follows_the_role_and_marks_the_current_section(
    client: FlaskClient, db: Database
) -> None:
    _user(db, "root", "admin")
    sign_in(client, "root")
    html = client.get("/claims/probe").get_data(as_text=True)
    assert '<a href="/admin">Admin</a>' in html
    assert '<a href="/claims" aria-current="page">Claims</a>' in html
    assert '<a href="/lists">Lists</a>' in html


@pytest.mark.parametrize("token", [None, "forged"])
def test_forms_need_the_csrf_token(client: FlaskClient, db: Database, token: str | None) -> None:
    _user(db, "alice", "viewer")
    client.get("/login")
    data = {"username": "alice", "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    response = client.post("/login", data=data)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "Form expired" in response.get_data(as_text=True)
    assert client.get("/probe/read").status_code == 302

    assert sign_in(client, "alice").status_code == 302
    assert client.post("/logout").status_code == 400  # a forged sign-out is refused too
    assert client.get("/probe/read").status_code == 200


@pytest.mark.parametrize("username", ["alice", "nobody"])
def test_wrong_credentials(client: FlaskClient, db: Database, username: str) -> None:
    _user(db, "alice", "viewer")
    response = sign_in(client, username, "wrong password")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Wrong username or password." in html and 'role="alert"' in html
    assert 'aria-invalid="true"' in html and f'value="{username}"' in html
    assert client.get("/probe/read").status_code == 302


def test_failed_sign_ins_are_rate_limited(client: FlaskClient, db: Database) -> None:
    _user(db, "alice", "viewer")
    for _ in range(accounts.LOGIN_MAX_FAILURES):
        assert sign_in(client, "alice", "wrong password").status_code == 200
    response = sign_in(client, "alice")  # even the right password is refused now
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "300"
    assert "Too many failed sign-in attempts" in response.get_data(as_text=True)
    assert client.get("/probe/read").status_code == 302

    other = client.application.test_client()
    assert sign_in(other, "alice", remote_addr="192.0.2.7").status_code == 302


@pytest.mark.parametrize(
    ("next_path", "location"),
    [
        ("/probe/read?page=2", "/probe/read?page=2"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/login?next=/login", "/"),
    ],
)
def test_sign_in_redirects_only_within_the_site(
    client: FlaskClient, db: Database, next_path: str, location: str
) -> None:
    _user(db, "alice", "viewer")
    response = sign_in(client, "alice", next_path=next_path)
    assert response.headers["Location"] == location


def test_deactivated_user_is_signed_out_at_the_next_request(
    client: FlaskClient, db: Database
) -> None:
    _user(db, "root", "admin")
    _user(db, "alice", "reviewer")
    sign_in(client, "alice")
    assert client.get("/probe/review").status_code == 200
    accounts.set_role(db, "alice", "viewer", actor="user:root")
    assert client.get("/probe/review").status_code == 403  # role changes apply at once
    accounts.deactivate_user(db, "alice", actor="user:root")
    assert client.get("/probe/read").status_code == 302


def test_a_new_password_signs_out_sessions_opened_with_the_old_one(
    client: FlaskClient, app: Flask, db: Database
) -> None:
    _user(db, "alice", "reviewer")
    sign_in(client, "alice")
    other = app.test_client()
    sign_in(other, "alice")
    assert client.get("/probe/read").status_code == 200
    accounts.set_password(db, "alice", "a brand new passphrase", actor="user:root")
    assert client.get("/probe/read").status_code == 302
    assert other.get("/probe/read").status_code == 302
    # Signing in with the new password opens a working session again.
    assert sign_in(client, "alice", "a brand new passphrase").status_code == 302
    assert client.get("/probe/read").status_code == 200


def test_session_cookie_flags(
    db: Database, make_app: Callable[..., Flask], fast_password_hashing: None
) -> None:
    _user(db, "alice", "viewer")
    for secure in (False, True):
        response = sign_in(make_app(secure_cookies=secure).test_client(), "alice")
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert ("Secure" in cookie) is secure


# -- permissions through HTTP --------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_role_matrix_for_pages_and_api(client: FlaskClient, db: Database, role: Role) -> None:
    _user(db, "user1", role.value)
    sign_in(client, "user1")
    for action in PERMISSIONS:
        may = action.value in ROLE_MAY[role.value]
        page = client.get(f"/probe/{action}")
        assert page.status_code == (200 if may else 403), (role, action)
        api = client.get(f"/api/probe/{action}")
        assert api.status_code == (200 if may else 403), (role, action)
        if may:
            assert api.get_json() == {"action": action.value, "actor": "user:user1"}
        else:
            assert "Not allowed" in page.get_data(as_text=True)
            assert api.mimetype == "application/problem+json"
            assert (
                f"needs the {PERMISSIONS[action].min_role.value!r} role" in api.get_json()["detail"]
            )


@pytest.mark.parametrize("scope", list(Scope))
def test_scope_matrix_for_api_keys(client: FlaskClient, db: Database, scope: Scope) -> None:
    key, plaintext = accounts.create_api_key(db, "ci", [scope.value], actor="test")
    for action in PERMISSIONS:
        response = client.get(f"/api/probe/{action}", headers=_bearer(plaintext))
        if action.value in SCOPE_MAY[scope.value]:
            assert response.status_code == 200
            assert response.get_json()["actor"] == f"key:{key.prefix}"
        else:
            assert response.status_code == 403
            assert response.get_json()["detail"] == (
                f"This API key lacks the {PERMISSIONS[action].scope.value!r} scope needed to {action}."
            )


def test_pages_do_not_accept_api_keys(client: FlaskClient, db: Database) -> None:
    _key, plaintext = accounts.create_api_key(db, "ci", ["read"], actor="test")
    assert client.get("/probe/read", headers=_bearer(plaintext)).status_code == 302


@pytest.mark.parametrize(
    ("header", "challenge"),
    [
        (None, 'Bearer realm="screening"'),
        ("Basic YWxpY2U6cHc=", 'Bearer realm="screening", error="invalid_request"'),
        ("Bearer ", 'Bearer realm="screening", error="invalid_request"'),
        ("Bearer sk_deadbeef_nope", 'Bearer realm="screening", error="invalid_token"'),
    ],
)
def test_missing_or_invalid_credentials_get_401(
    client: FlaskClient, header: str | None, challenge: str
) -> None:
    headers = {"Authorization": header} if header is not None else {}
    response = client.get("/api/probe/read", headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"] == challenge
    assert response.get_json()["status"] == 401


def test_revoked_key_is_refused(client: FlaskClient, db: Database) -> None:
    key, plaintext = accounts.create_api_key(db, "ci", ["screen"], actor="test")
    # Bearer keys carry no ambient credential, so API writes need no CSRF token.
    assert client.post("/api/probe/screen", headers=_bearer(plaintext)).status_code == 200
    accounts.revoke_api_key(db, key.prefix, actor="test")
    response = client.post("/api/probe/screen", headers=_bearer(plaintext))
    assert response.status_code == 401
    assert response.get_json()["detail"] == "The API key is invalid or has been revoked."


def test_an_invalid_key_does_not_fall_back_to_the_session(
    client: FlaskClient, db: Database
) -> None:
    _user(db, "root", "admin")
    sign_in(client, "root")
    assert client.get("/api/probe/admin").status_code == 200
    assert client.get("/api/probe/admin", headers=_bearer("sk_deadbeef_x")).status_code == 401


def test_api_writes_with_the_session_cookie_need_the_csrf_header(
    client: FlaskClient, db: Database
) -> None:
    _user(db, "alice", "officer")
    sign_in(client, "alice")
    response = client.post("/api/probe/screen")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "CSRF" in response.get_json()["detail"]
    token = csrf_token(client, "/probe/read")  # from <meta name="csrf-token">
    assert client.post("/api/probe/screen", headers={"X-CSRFToken": token}).status_code == 200
