"""Sign-in for the web UI, bearer API keys for the JSON API, and the guards views use.

Views name the one action they perform (see :mod:`screening.core.permissions`)::

    @bp.get("/screenings")
    @login_required("read")
    def screenings() -> str: ...

    @blp.route("/runs", methods=["POST"])   # flask-smorest: route first,
    @api_auth("screen")                     # then the guard, so 401/403 come
    @blp.arguments(RunSchema)               # before argument validation
    @blp.response(202, RunSchema)
    def create_run(data): ...

UI views accept only a signed-in session. API views (under ``/api/``) accept
``Authorization: Bearer <key>`` or a signed-in session. CSRF tokens are
required on every state-changing request that a browser's cookies could
authenticate: all forms, and API calls made with the session cookie (send the
token from ``<meta name="csrf-token">`` as ``X-CSRFToken``). API calls with a
bearer key carry no ambient credential and need no token.

The sign-in rate limit is keyed by username and ``request.remote_addr``.
Behind a reverse proxy, wrap the app in ``werkzeug.middleware.proxy_fix.ProxyFix``
so that this is the client's address; otherwise every client shares one budget
per username (stricter, but a nuisance).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.wrappers import Response

from screening.core.permissions import PERMISSIONS, Action, Principal, PrincipalKind
from screening.errors import RateLimited
from screening.services import accounts
from screening.web.errors import problem
from screening.web.extensions import Services, services

P = ParamSpec("P")
R = TypeVar("R")

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()

API_PREFIX = "/api/"
SESSION_USER = "user"
SESSION_STAMP = "stamp"  # of the password the session was opened with
# A signed-in browser session lasts a working day; the user row is re-read on
# every request, so deactivation and role changes apply at once regardless.
SESSION_LIFETIME = timedelta(hours=8)
REALM = "screening"


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    href: str
    action: Action


# The main navigation. Page blueprints mount at these paths; an item shows
# only to principals allowed its action.
NAV: tuple[NavItem, ...] = (
    NavItem("Screenings", "/screenings", Action.READ),
    NavItem("Lists", "/lists", Action.READ),
    NavItem("Claims", "/claims", Action.READ),
    NavItem("Admin", "/admin", Action.ADMIN),
)


def init_app(app: Flask) -> None:
    """Session cookie settings, CSRF protection, the auth blueprint and template globals.

    Call after ``init_services`` (it reads the settings from there).
    """
    registered: Services = app.extensions["screening"]
    app.config.update(
        SESSION_COOKIE_SECURE=registered.settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
        # CSRFProtect's own hook would check every POST; _check_csrf below also
        # knows when an API request is authenticated by a key instead of a cookie.
        WTF_CSRF_CHECK_DEFAULT=False,
    )
    csrf.init_app(app)
    app.before_request(_check_csrf)
    app.register_error_handler(CSRFError, _csrf_failed)
    app.context_processor(_template_context)
    app.register_blueprint(bp)


# -- who is asking ----------------------------------------------------------------


def current_principal() -> Principal | None:
    """The caller of this request: the API key that :func:`api_auth` accepted,
    else the signed-in user (re-read from the database once per request), else None."""
    if "principal" not in g:
        g.principal = _session_principal()
    found: Principal | None = g.principal
    return found


def _session_principal() -> Principal | None:
    username = session.get(SESSION_USER)
    if not isinstance(username, str):
        return None
    stamp = session.get(SESSION_STAMP)
    principal = accounts.user_principal(
        services().db, username, stamp if isinstance(stamp, str) else None
    )
    if principal is None:  # deleted, deactivated or given a new password since signing in
        session.pop(SESSION_USER, None)
        session.pop(SESSION_STAMP, None)
    return principal


# -- guards -----------------------------------------------------------------------


def login_required(
    action: Action | str,
) -> Callable[[Callable[P, R]], Callable[P, R | Response]]:
    """Guard a UI view: anonymous callers are sent to /login, others without
    permission for ``action`` get a 403 page.

    Raises:
        ValueError: ``action`` is not an :class:`Action` (at import time).
    """
    needed = Action(action)

    def decorator(view: Callable[P, R]) -> Callable[P, R | Response]:
        @wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R | Response:
            principal = current_principal()
            if principal is None:
                return redirect(url_for("auth.login", next=_here()))
            if not principal.can(needed):
                return _forbidden_page(principal, needed)
            return view(*args, **kwargs)

        return guarded

    return decorator


def api_auth(action: Action | str) -> Callable[[Callable[P, R]], Callable[P, R | Response]]:
    """Guard an API view: a bearer key or a signed-in session allowed to do ``action``.

    Missing or invalid credentials give a 401 problem with ``WWW-Authenticate``;
    valid ones without permission give a 403 problem.

    Raises:
        ValueError: ``action`` is not an :class:`Action` (at import time).
    """
    needed = Action(action)

    def decorator(view: Callable[P, R]) -> Callable[P, R | Response]:
        @wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R | Response:
            principal = _api_principal()
            if isinstance(principal, Response):
                return principal
            if not principal.can(needed):
                return problem(403, _refusal(principal, needed))
            return view(*args, **kwargs)

        return guarded

    return decorator


def _api_principal() -> Principal | Response:
    header = request.headers.get("Authorization")
    if header is None:
        principal = current_principal()
        if principal is None:
            return _unauthorized(
                "Authentication required: send 'Authorization: Bearer <API key>' or sign in."
            )
        return principal
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _unauthorized(
            "The Authorization header must be 'Bearer <API key>'.", error="invalid_request"
        )
    principal = accounts.authenticate_key(services().db, token)
    if principal is None:
        return _unauthorized("The API key is invalid or has been revoked.", error="invalid_token")
    g.principal = principal
    return principal


def _unauthorized(detail: str, *, error: str | None = None) -> Response:
    response = problem(401, detail)
    # RFC 6750: name the error only when credentials were presented.
    challenge = f'Bearer realm="{REALM}"' + (f', error="{error}"' if error else "")
    response.headers["WWW-Authenticate"] = challenge
    return response


def _refusal(principal: Principal, action: Action) -> str:
    rule = PERMISSIONS[action]
    if principal.kind is PrincipalKind.KEY:
        return f"This API key lacks the {rule.scope.value!r} scope needed to {action.value}."
    return (
        f"Role {principal.role!s} may not {action.value};"
        f" it needs the {rule.min_role.value!r} role or higher."
    )


def _forbidden_page(principal: Principal, action: Action) -> Response:
    html = render_template("error.html", title="Not allowed", message=_refusal(principal, action))
    return make_response(html, 403)


def _here() -> str:
    return request.full_path.rstrip("?")


# -- CSRF -------------------------------------------------------------------------


def _check_csrf() -> None:
    """Require a CSRF token unless an API request does not rely on the session cookie."""
    if request.path.startswith(API_PREFIX) and (
        "Authorization" in request.headers or SESSION_USER not in session
    ):
        return
    csrf.protect(apply_exemptions=True)


def _csrf_failed(exc: CSRFError) -> ResponseReturnValue:
    if request.path.startswith(API_PREFIX):
        return problem(400, f"CSRF check failed: {exc.description}", title="CSRF check failed")
    message = (
        "This form has expired or did not come from this site. Go back, reload the page and"
        " try again."
    )
    return render_template("error.html", title="Form expired", message=message), 400


# -- views ------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """The sign-in form; on success, redirect to the page that asked for it."""
    target = _safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_principal() is not None:
            return redirect(target)
        return render_template("login.html", next=target)
    username = request.form.get("username", "")
    password = request.form.get("password", "")
    if not username.strip() or not password:
        return _login_form(target, username, "Enter your username and password.", 200)
    client = request.remote_addr or "unknown"
    try:
        user = accounts.login(services().db, username, password, client=client)
    except RateLimited as exc:
        response = _login_form(target, username, exc.message, 429)
        response.headers["Retry-After"] = str(exc.context.get("retry_after", 300))
        return response
    if user is None:
        return _login_form(target, username, "Wrong username or password.", 200)
    # A fresh session on sign-in: nothing from the anonymous session carries over.
    session.clear()
    session.permanent = True
    session[SESSION_USER] = user.username
    session[SESSION_STAMP] = accounts.session_stamp(user)
    flash(f"Signed in as {user.username}.", "success")
    return redirect(target)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """End the session (the CSRF check keeps other sites from signing users out)."""
    principal = current_principal()
    if principal is not None and principal.kind is PrincipalKind.USER:
        accounts.logout(services().db, principal)
    session.clear()
    g.pop("principal", None)
    flash("You have been signed out.", "info")
    return redirect(url_for("auth.login"))


def _login_form(target: str, username: str, error: str, status: int) -> Response:
    html = render_template("login.html", next=target, username=username, error=error)
    return make_response(html, status)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: ``next`` must never redirect to another host."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    parts = urlsplit(target)
    # Back to /login would loop: a signed-in visitor of /login is sent on to ``next``.
    if parts.scheme or parts.netloc or parts.path == url_for("auth.login"):
        return "/"
    return target


# -- templates --------------------------------------------------------------------


def _template_context() -> dict[str, Any]:
    principal = current_principal()
    nav = []
    if principal is not None:
        for item in NAV:
            if principal.can(item.action):
                current = request.path == item.href or request.path.startswith(item.href + "/")
                nav.append({"label": item.label, "href": item.href, "current": current})
    return {"principal": principal, "nav": nav}
