"""Per-app services (settings, database) kept in ``app.extensions``, never in globals."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from screening.settings import Settings
from screening.storage.db import Database


@dataclass
class Services:
    settings: Settings
    db: Database


def init_services(app: Flask, settings: Settings) -> Services:
    services = Services(settings=settings, db=Database(settings.database_url))
    app.extensions["screening"] = services
    return services


def services() -> Services:
    found: Services = current_app.extensions["screening"]
    return found
