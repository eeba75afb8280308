"""/healthz says the process is up; /readyz tells honestly whether the service can screen."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from screening.core.model import EntityKind, ListEntry, Name
from screening.settings import Settings
from screening.storage import list_store
from screening.storage.db import Database


def _entry() -> ListEntry:
    return ListEntry(
        source="un_sc",
        source_id="KPe.001",
        kind=EntityKind.ORGANIZATION,
        names=(Name("KOREA MINING DEVELOPMENT TRADING CORPORATION"),),
    )


def test_health_and_readiness_follow_the_database(
    settings: Settings, make_app: Callable[..., Flask]
) -> None:
    app = make_app()
    client = app.test_client()
    assert client.get("/healthz").status_code == 200

    response = client.get("/readyz")
    assert response.status_code == 503
    assert "screening db upgrade" in response.get_json()["reason"]

    db = Database(settings.database_url)
    db.upgrade()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "no list version is active" in response.get_json()["reason"]

    entry = _entry()
    data = entry.to_dict()
    with db.session() as session:
        list_store.store_version(
            session,
            source="un_sc",
            as_of=None,
            sha256="0" * 64,
            files={},
            counts={"organization": 1},
            entries=[(entry.entity_id, "organization", entry.primary_name, "f" * 64, data)],
            skipped=[],
            skipped_count=0,
            diff={},
            actor="test",
            origin="test",
        )
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["lists"][0]["source"] == "un_sc"
    db.dispose()


def test_unknown_route_is_problem_json(make_app: Callable[..., Flask]) -> None:
    response = make_app().test_client().get("/nope")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 404 and body["title"] == "Not Found" and "detail" in body
