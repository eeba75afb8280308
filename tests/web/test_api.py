"""The JSON API end to end: real UN list loaded, API keys, problem-details errors."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient

from screening.services import accounts
from screening.services import lists as list_service
from screening.settings import Settings
from screening.storage.db import Database


@pytest.fixture
def loaded(settings: Settings, lists_dir: Path) -> Settings:
    db = Database(settings.database_url)
    db.upgrade()
    [outcome] = list_service.load_path(db, lists_dir / "un_sc")
    assert outcome.status == "activated"
    db.dispose()
    return settings


@pytest.fixture
def client(loaded: Settings, make_app: Callable[..., Flask]) -> FlaskClient:
    return make_app(sync_rows=3).test_client()


def key(settings: Settings, *scopes: str) -> dict[str, str]:
    db = Database(settings.database_url)
    _record, plaintext = accounts.create_api_key(db, "test", list(scopes), "test")
    db.dispose()
    return {"Authorization": f"Bearer {plaintext}"}


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def test_screen_parties_finds_un_listed_entity(client: FlaskClient, loaded: Settings) -> None:
    response = client.post(
        "/api/v1/parties/screen",
        headers=key(loaded, "screen"),
        json={
            "parties": [
                {
                    "qid": "1",
                    "name": "Korea Mining Development Trading Corp",
                    "schema": "Organization",
                },
                {
                    "qid": "2",
                    "name": "Textilhaus Mueller GmbH",
                    "schema": "Organization",
                    "country": "DE",
                },
            ]
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    first, second = body["results"]
    assert first["qid"] == "1" and first["hits"][0]["entity_id"] == "un_sc:KPe.001"
    assert first["hits"][0]["alert"] is True and first["hits"][0]["explanation"]
    assert second["hits"] == []
    assert body["list_versions"][0]["source"] == "un_sc"


def test_screening_json_rows_synchronously(client: FlaskClient, loaded: Settings) -> None:
    response = client.post(
        "/api/v1/screenings",
        headers=key(loaded, "screen", "read"),
        json={
            "shipments": [
                {
                    "shipment_id": "A1",
                    "consignee": "Korea Mining Development Trading Corporation",
                    "consignee_country": "KP",
                    "hs_code": "8542.31",
                    "goods_description": "processors",
                },
                {
                    "shipment_id": "A2",
                    "consignee": "Textilhaus Mueller GmbH",
                    "destination_country": "DE",
                    "hs_code": "610910",
                },
            ]
        },
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    verdicts = {s["shipment_id"]: s["verdict"] for s in body["shipments"]}
    assert verdicts == {"A1": "blocked", "A2": "clear"}
    location = response.headers["Location"]
    again = client.get(location, headers=key(loaded, "read"))
    assert again.status_code == 200
    assert {s["shipment_id"]: s["verdict"] for s in again.get_json()["shipments"]} == verdicts


def test_large_upload_is_accepted_and_polled(client: FlaskClient, loaded: Settings) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Order no.", "Ship-to party", "Dest. country", "Tariff no."])
    for n in range(6):
        sheet.append(
            [
                f"O-{n}",
                "Korea Mining Development Trading Corporation" if n == 0 else f"Acme Tools {n} Ltd",
                "Germany",
                "8482.10",
            ]
        )
    data = io.BytesIO()
    book.save(data)
    headers = key(loaded, "screen", "read")
    response = client.post(
        "/api/v1/screenings",
        headers=headers,
        data={"file": (io.BytesIO(data.getvalue()), "orders.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 202, response.get_data(as_text=True)
    location = response.headers["Location"]
    deadline = time.monotonic() + 60
    while True:
        body = client.get(location, headers=headers).get_json()
        if body["run"]["status"] in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert body["run"]["status"] == "done"
    assert body["run"]["input"]["name"] == "orders.xlsx"
    assert [s["row"] for s in body["shipments"]] == [2, 3, 4, 5, 6, 7]
    assert body["shipments"][0]["verdict"] == "blocked"


@pytest.mark.parametrize(
    ("make_kwargs", "status"),
    [
        (lambda: {"json": {"shipments": []}}, 422),
        (lambda: {"json": {"shipments": [{"hs_code": "8542"}]}}, 400),
        (lambda: {"data": b"\x00\x01garbage", "content_type": "application/octet-stream"}, 400),
        (
            lambda: {
                "data": {"file": (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100), "x.xlsx")},
                "content_type": "multipart/form-data",
            },
            400,
        ),
        (
            lambda: {
                "data": {"file": (io.BytesIO(b""), "empty.csv")},
                "content_type": "multipart/form-data",
            },
            400,
        ),
    ],
    ids=["empty-list", "no-party", "not-json", "png-as-xlsx", "empty-file"],
)
def test_bad_screening_inputs_are_problems(
    client: FlaskClient, loaded: Settings, make_kwargs: Callable[[], dict[str, Any]], status: int
) -> None:
    response = client.post("/api/v1/screenings", headers=key(loaded, "screen"), **make_kwargs())
    assert_problem(response, status)


def test_errors_are_problem_details(client: FlaskClient, loaded: Settings) -> None:
    assert_problem(client.post("/api/v1/parties/screen", json={"parties": []}), 401)
    body = assert_problem(
        client.post(
            "/api/v1/parties/screen",
            headers=key(loaded, "screen"),
            json={"parties": [{"schema": "Person"}]},
        ),
        422,
    )
    assert "errors" in body
    assert_problem(client.get("/api/v1/screenings/nope", headers=key(loaded, "read")), 404)
    assert_problem(
        client.post(
            "/api/v1/parties/screen", headers=key(loaded, "read"), json={"parties": [{"name": "x"}]}
        ),
        403,
    )


def test_openapi_document_lists_every_endpoint(client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    paths = set(spec["paths"])
    assert {
        "/api/v1/parties/screen",
        "/api/v1/screenings",
        "/api/v1/screenings/{run_id}",
        "/api/v1/screenings/{run_id}/report.xlsx",
        "/api/v1/lists",
        "/api/v1/decisions",
        "/api/v1/claims",
    } <= paths
    assert "bearerAuth" in spec["components"]["securitySchemes"]


def test_lists_and_claims(client: FlaskClient, loaded: Settings) -> None:
    rows = client.get("/api/v1/lists", headers=key(loaded, "read")).get_json()
    un = next(r for r in rows if r["source"] == "un_sc")
    assert un["active"] and un["entries"] == 1003 and un["as_of"] == "2026-02-27"
    response = client.get("/api/v1/claims?q=component&page_size=5", headers=key(loaded, "read"))
    assert response.status_code == 200
    claims = response.get_json()
    assert any(c["id"] == "ft-2024-09-10-campbell-component-pieces" for c in claims)
    assert "X-Pagination" in response.headers
