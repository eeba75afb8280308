"""Sign in and out through the real forms, as a browser does (CSRF token taken from the page).

Usage in a web test (with the ``db``, ``make_app`` and ``fast_password_hashing`` fixtures)::

    accounts.create_user(db, "alice", PASSWORD, "officer", actor="test")
    client = make_app().test_client()
    assert sign_in(client, "alice").status_code == 302
"""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

PASSWORD = "correct horse battery"
# The hidden form field, or the <meta name="csrf-token"> that base.html renders on every page.
_TOKEN = re.compile(r'(?:name="csrf_token" value|name="csrf-token" content)="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token from the page at ``path`` (any page extending base.html)."""
    response = client.get(path)
    found = _TOKEN.search(response.get_data(as_text=True))
    assert found, f"no CSRF token on {path} (status {response.status_code})"
    return found.group(1)


def sign_in(
    client: FlaskClient,
    username: str,
    password: str = PASSWORD,
    *,
    next_path: str | None = None,
    remote_addr: str = "127.0.0.1",
) -> TestResponse:
    """Post the sign-in form with a fresh CSRF token; 302 means signed in."""
    environ = {"REMOTE_ADDR": remote_addr}
    page = client.get("/login", environ_base=environ)
    found = _TOKEN.search(page.get_data(as_text=True))
    assert found, "no CSRF token on /login"
    data = {"csrf_token": found.group(1), "username": username, "password": password}
    if next_path is not None:
        data["next"] = next_path
    return client.post("/login", data=data, environ_base=environ)


def sign_out(client: FlaskClient, page: str) -> TestResponse:
    """Press "Sign out" on ``page`` (a page the signed-in user can see)."""
    return client.post("/logout", data={"csrf_token": csrf_token(client, page)})
