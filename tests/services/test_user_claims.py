"""A site's own claims (SCREENING_CLAIMS_FILE) attached to rules: loading, citing, CLI, API.

Screening runs against the real UN SC list from the shared mirror; the user
claim file is written to tmp_path for each test.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask

from screening.cli import main
from screening.core.claims import builtin_claims, load_claims
from screening.core.rules import evaluate
from screening.core.rules.route import SANCTIONED_CLAIMS
from screening.errors import ConfigError
from screening.intake import read_json_rows
from screening.services import accounts
from screening.services.index import ListIndex, build_from_mirror
from screening.services.screening import make_context, match_policy, screen_shipments
from screening.settings import Settings
from screening.storage.db import Database

RULE = "route.sanctioned_destination"
USER_CLAIM: dict[str, Any] = {
    "id": "site-2025-03-01-russia-hold",
    "claimant": "Head of Export Control",
    "role": "internal policy owner",
    "organisation": "Example Maschinenbau GmbH",
    "date": "2025-03-01",
    "publication": "internal export policy, version 4",
    "url": "https://example.org/export-policy",
    "quote": "No shipment to the Russian Federation leaves without the board's written approval.",
    "summary": "Internal policy holding every shipment to Russia for board approval.",
    "tags": ["route:RU"],
    "verification": "internal document, seen by the compliance team",
    "rules": [RULE],
}
RUSSIA_ROW = {
    "shipment_id": "U-1",
    "consignee": "Textilhaus Mueller GmbH",
    "consignee_country": "RU",
    "destination_country": "RU",
    "hs_code": "6109.10",
    "description": "Cotton T-shirts",
}


@pytest.fixture(scope="module")
def index(lists_dir: Path) -> ListIndex:
    return build_from_mirror(lists_dir, ["un_sc"])


def write(tmp_path: Path, claims: list[dict[str, Any]], name: str = "claims.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"claims": claims}), encoding="utf-8")
    return path


def test_user_claim_is_cited_on_the_rules_flags(tmp_path: Path, index: ListIndex) -> None:
    path = write(tmp_path, [USER_CLAIM])
    settings = Settings(claims_file=path)
    intake = read_json_rows([RUSSIA_ROW], max_rows=10)
    assert intake.errors == []
    document = screen_shipments(intake.rows, index, settings).document()

    [shipment] = document["shipments"]
    [flag] = [f for f in shipment["flags"] if f["code"] == "ROUTE_SANCTIONED_DESTINATION"]
    cited = [c["claim_id"] for c in flag["citations"] if c["kind"] == "claim"]
    # The rule's own claims first, then the site's claim, once.
    assert cited[-1] == USER_CLAIM["id"] and cited.count(USER_CLAIM["id"]) == 1
    assert set(SANCTIONED_CLAIMS) & set(cited)
    # Only the rule it is attached to cites it.
    others = [c for f in shipment["flags"] if f is not flag for c in f["citations"]]
    assert USER_CLAIM["id"] not in {c.get("claim_id") for c in others}
    [listed] = [c for c in document["claims"] if c["id"] == USER_CLAIM["id"]]
    assert listed["quote"] == USER_CLAIM["quote"]


def test_without_the_file_the_claim_is_absent(index: ListIndex) -> None:
    intake = read_json_rows([RUSSIA_ROW], max_rows=10)
    document = screen_shipments(intake.rows, index, Settings()).document()
    [shipment] = document["shipments"]
    assert "ROUTE_SANCTIONED_DESTINATION" in {f["code"] for f in shipment["flags"]}
    assert USER_CLAIM["id"] not in {c["id"] for c in document["claims"]}


def test_attached_claim_the_rule_already_cites_is_not_repeated(index: ListIndex) -> None:
    intake = read_json_rows([RUSSIA_ROW], max_rows=10)
    ctx = make_context(index, match_policy(Settings()))
    ctx = replace(ctx, extra_claims={RULE: (SANCTIONED_CLAIMS[0], SANCTIONED_CLAIMS[0])})
    result = evaluate(intake.rows[0], ctx)
    [flag] = [f for f in result.flags if f.code == "ROUTE_SANCTIONED_DESTINATION"]
    ids = [c.claim_id for c in flag.citations if c.claim_id]
    assert ids.count(SANCTIONED_CLAIMS[0]) == 1


def test_file_is_reread_only_when_it_changes(tmp_path: Path) -> None:
    path = write(tmp_path, [USER_CLAIM])
    first = load_claims(path)
    assert load_claims(path) is first
    renamed = {**USER_CLAIM, "id": "site-2025-03-02-russia-hold-v2"}
    path.write_text(json.dumps([renamed, USER_CLAIM]), encoding="utf-8")
    assert [c.id for c in load_claims(path)[len(builtin_claims()) :]] == [
        renamed["id"],
        USER_CLAIM["id"],
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rules": ["route.no_such_rule"]}, r"claim 'site-2025-03-01-russia-hold': unknown rule"),
        ({"id": builtin_claims()[0].id}, "used twice \\(a built-in claim has it\\)"),
        ({"date": "1 March 2025"}, r"\('site-2025-03-01-russia-hold'\): date .* not an ISO date"),
        ({"quote": None}, r"\('site-2025-03-01-russia-hold'\): 'quote' is required"),
        ({"rules": RULE}, "rules must be lists of strings"),
    ],
)
def test_invalid_files_name_the_file_and_claim(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    path = write(tmp_path, [{**USER_CLAIM, **change}])
    with pytest.raises(ConfigError, match=message) as info:
        load_claims(path)
    assert str(path) in info.value.message


def test_setting_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SCREENING_CLAIMS_FILE: .* is not a file"):
        Settings.from_env({"SCREENING_CLAIMS_FILE": str(tmp_path / "missing.json")})


def test_cli_claims_check(tmp_path: Path) -> None:
    runner = CliRunner()
    good = write(tmp_path, [USER_CLAIM, {**USER_CLAIM, "id": "site-x", "rules": []}])
    result = runner.invoke(main, ["claims", "check", str(good)])
    assert result.exit_code == 0, result.output
    assert "2 claims valid" in result.output
    assert f"{RULE}: {USER_CLAIM['id']}" in result.output
    assert "(no rule): site-x" in result.output

    bad = write(tmp_path, [{**USER_CLAIM, "rules": ["route.nope"]}], "bad.json")
    result = runner.invoke(main, ["claims", "check", str(bad)])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "unknown rule 'route.nope'" in result.stderr

    result = runner.invoke(main, ["claims", "check"], env={"SCREENING_CLAIMS_FILE": ""})
    assert result.exit_code == 2


def test_cli_claims_list(tmp_path: Path) -> None:
    path = write(tmp_path, [USER_CLAIM])
    result = CliRunner().invoke(
        main, ["claims", "list", "--json"], env={"SCREENING_CLAIMS_FILE": str(path)}
    )
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert len(listed) == len(builtin_claims()) + 1
    assert listed[-1]["id"] == USER_CLAIM["id"] and listed[-1]["rules"] == [RULE]


def test_api_lists_user_claims(
    tmp_path: Path, db: Database, make_app: Callable[..., Flask]
) -> None:
    path = write(tmp_path, [USER_CLAIM])
    _record, plaintext = accounts.create_api_key(db, "claims", ["read"], "test")
    client = make_app(claims_file=path).test_client()
    response = client.get(
        "/api/v1/claims",
        query_string={"q": "board's written approval"},
        headers={"Authorization": f"Bearer {plaintext}"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [c["id"] for c in response.get_json()] == [USER_CLAIM["id"]]
