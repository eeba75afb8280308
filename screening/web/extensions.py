"""Per-app services (settings, database, list index, runner) kept in ``app.extensions``."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask, current_app

from screening.jobs.runner import Runner, make_runner
from screening.services.index import IndexCache
from screening.settings import Settings
from screening.storage.db import Database


@dataclass
class Services:
    settings: Settings
    db: Database
    index: IndexCache
    runner: Runner = field(repr=False)


def init_services(app: Flask, settings: Settings) -> Services:
    db = Database(settings.database_url)
    # Built lazily on first use, then swapped when a new list version activates.
    index = IndexCache(db)
    services = Services(
        settings=settings, db=db, index=index, runner=make_runner(db, settings, index)
    )
    app.extensions["screening"] = services
    return services


def services() -> Services:
    found: Services = current_app.extensions["screening"]
    return found
