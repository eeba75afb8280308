"""The Flask application: the only wiring point for web and API."""

from __future__ import annotations

import logging

from flask import Flask

from screening.jobs import scheduler
from screening.settings import Settings
from screening.web import api, auth, errors, health, views
from screening.web.extensions import init_services


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app from ``settings`` (from the environment when not given).

    Raises:
        ConfigError: the settings are invalid.
    """
    settings = (settings or Settings.from_env()).resolved()
    app = Flask(__name__, instance_path=str(settings.instance_path))
    app.config.from_mapping(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + 64 * 1024,  # room for form fields
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        JSON_SORT_KEYS=False,
    )
    logging.basicConfig(level=logging.INFO)
    init_services(app, settings)
    api.init_app(app)  # before errors.register: our handlers replace smorest's error payload
    errors.register(app)
    auth.init_app(app)  # session cookies, CSRF, /login and /logout
    app.register_blueprint(health.bp)
    app.register_blueprint(views.bp)
    scheduler.init_app(app)  # SCREENING_SCHEDULES without a broker: one firing per slot
    return app
