"""The shipment screening use-case: rows in, verdicts, flags and citations out.

One function, :func:`screen_shipments`, is what the CLI, the web UI, the API and
batch jobs call. It screens canonical rows against a :class:`ListIndex` with the
declared rules, applies reviewers' decisions, and returns a
:class:`ScreeningOutcome` whose :meth:`~ScreeningOutcome.document` is the JSON
every channel returns and every report is written from. With a database it is
also stored as a run (shipments, hits, audit event).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from lists.versions import field_changes
from screening.core.claims import Claim, load_claims, rule_attachments
from screening.core.country_risk import load_country_risk
from screening.core.items import load_hs
from screening.core.matching import ALGORITHM_VERSION, MatchPolicy
from screening.core.rules import RULES, VerdictPolicy, evaluate
from screening.core.rules.base import Flag, ShipmentResult, party_key
from screening.core.rules.context import ItemCatalog, RuleContext
from screening.core.rules.sources import ChplCatalog, ClaimRegistry, CompositeCatalog
from screening.core.shipments import RowError, ShipmentRow
from screening.services.index import ListIndex
from screening.settings import Settings

log = logging.getLogger(__name__)

RULESET_VERSION = "rules-1"


@dataclass(frozen=True)
class Suppression:
    """A reviewer's dismissal of (party, list entry), valid while the entry is unchanged."""

    party_key: str
    entity_id: str
    fingerprint: str | None
    reason: str
    decided_by: str
    decided_at: str
    decision_id: int | None = None
    # The entry's canonical dict as it was when dismissed (None: no longer stored).
    entry_data: Mapping[str, Any] | None = None


@dataclass
class ScreeningOutcome:
    run_id: str
    results: list[ShipmentResult]
    errors: list[RowError]
    run: dict[str, Any]
    claims: Mapping[str, Claim] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        out = {v: 0 for v in ("blocked", "high", "medium", "low", "clear")}
        for result in self.results:
            out[result.verdict.value] += 1
        return out

    def cited_claims(self) -> list[Claim]:
        ids = {c.claim_id for r in self.results for f in r.flags for c in f.citations if c.claim_id}
        return [c for cid, c in self.claims.items() if cid in ids]

    def document(self) -> dict[str, Any]:
        """The JSON shape of a screening result (API, CLI ``--json``, report input)."""
        return {
            "run": {**self.run, "counts": self.counts()},
            "shipments": [r.to_dict() for r in self.results],
            "errors": [e.to_dict() for e in self.errors],
            "claims": [claim_dict(c) for c in self.cited_claims()],
        }


def claim_dict(claim: Claim) -> dict[str, Any]:
    return {
        "id": claim.id,
        "claimant": claim.claimant,
        "role": claim.role,
        "organisation": claim.organisation,
        "date": claim.date,
        "publication": claim.publication,
        "url": claim.url,
        "quote": claim.quote,
        "summary": claim.summary,
        "tags": list(claim.tags),
        "verification": claim.verification,
    }


@cache
def _hs_table(path: Path) -> dict[str, str]:
    return load_hs(path)


def hs_description(settings: Settings, code: str | None) -> str | None:
    """The HS nomenclature text of a code (its longest known prefix: 8542.31 -> 854231),
    when ``SCREENING_HS_NOMENCLATURE`` points at the HS file."""
    if not code or settings.hs_nomenclature is None:
        return None
    table = _hs_table(settings.hs_nomenclature)
    for size in (6, 4, 2):
        found = table.get(code[:size])
        if found:
            return found
    return None


def match_policy(settings: Settings) -> MatchPolicy:
    return MatchPolicy(alert=settings.alert_threshold, review=settings.review_threshold)


def make_context(
    index: ListIndex,
    policy: MatchPolicy,
    *,
    claims: Iterable[Claim] | None = None,
    claims_file: Path | None = None,
    items: Sequence[ItemCatalog] = (),
    sources: set[str] | None = None,
) -> RuleContext:
    """The rule context of one run; ``claims`` default to the built-in ones plus
    ``claims_file``, and the claims' own rule attachments are passed to the rules."""
    found = tuple(claims if claims is not None else load_claims(claims_file))
    return RuleContext(
        parties=index.screener(policy, sources),
        items=CompositeCatalog((ChplCatalog(), *index.items, *items)),
        countries=load_country_risk(),
        claims=ClaimRegistry(found),
        extra_claims=rule_attachments(found),
    )


def screen_shipments(
    rows: Sequence[ShipmentRow],
    index: ListIndex,
    settings: Settings,
    *,
    errors: Sequence[RowError] = (),
    suppressions: Mapping[tuple[str, str], Suppression] | None = None,
    verdict_policy: VerdictPolicy | None = None,
    items: Sequence[ItemCatalog] = (),
    claims: Iterable[Claim] | None = None,
    input_name: str | None = None,
    input_sha256: str | None = None,
    actor: str = "anonymous",
    channel: str = "cli",
    run_id: str | None = None,
    mapping: Mapping[str, Any] | None = None,
) -> ScreeningOutcome:
    """Screen every row and derive its verdict; nothing is stored here.

    Without ``claims``, the built-in claims and those of ``settings.claims_file``
    are used (the file is re-read only when it changes).
    """
    claims = tuple(claims if claims is not None else load_claims(settings.claims_file))
    policy = match_policy(settings)
    verdicts = verdict_policy or VerdictPolicy()
    ctx = make_context(index, policy, claims=claims, items=items)
    results = [
        apply_suppressions(evaluate(row, ctx, verdicts), suppressions or {}, index, verdicts)
        for row in rows
    ]
    if settings.hs_nomenclature is not None:
        results = [
            replace(r, row=replace(r.row, hs_description=hs_description(settings, r.row.hs_code)))
            for r in results
        ]
    run_id = run_id or str(uuid.uuid4())
    run: dict[str, Any] = {
        "id": run_id,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "created_by": actor,
        "channel": channel,
        "input": {
            "name": input_name,
            "sha256": input_sha256,
            "rows": len(rows),
            "errors": len(errors),
        },
        "list_versions": [v.to_dict() for v in index.versions],
        "algorithm": ALGORITHM_VERSION,
        "ruleset": RULESET_VERSION,
        "rules": [{"id": r.id, "title": r.title, "claims": list(r.claims)} for r in RULES],
        "thresholds": {"alert": policy.alert, "review": policy.review},
        "verdict_policy": {
            "escalate_mediums": verdicts.escalate_mediums,
            "overrides": {k: v.value for k, v in verdicts.overrides.items()},
        },
        "mapping": dict(mapping or {}),
    }
    return ScreeningOutcome(
        run_id=run_id,
        results=results,
        errors=list(errors),
        run=run,
        claims={c.id: c for c in claims},
    )


def apply_suppressions(
    result: ShipmentResult,
    suppressions: Mapping[tuple[str, str], Suppression],
    index: ListIndex,
    policy: VerdictPolicy,
) -> ShipmentResult:
    """Drop party flags a reviewer dismissed, unless the list entry changed since (re-opened).

    A re-opened flag carries ``details["dismissed"]`` (the decision) and, when
    both versions of the entry are known, ``details["changes"]``: per changed
    field, its ``old`` and ``new`` value (see ``lists.versions.field_changes``).
    """
    if not suppressions:
        return result
    kept: list[Flag] = []
    changed = False
    for flag in result.flags:
        if flag.entity_id is None or flag.party_name is None:
            kept.append(flag)
            continue
        found = suppressions.get((party_key(flag.party_name), flag.entity_id))
        if found is None:
            kept.append(flag)
            continue
        changed = True
        current = index.fingerprints.get(flag.entity_id)
        if found.fingerprint is not None and current == found.fingerprint:
            continue  # dismissed and the entry is unchanged: suppressed
        details: dict[str, Any] = {
            **flag.details,
            "reopened": True,
            "dismissed": {
                "reason": found.reason,
                "by": found.decided_by,
                "at": found.decided_at,
                "decision_id": found.decision_id,
                "fingerprint": found.fingerprint,
            },
        }
        entry = index.entry(flag.entity_id)
        if found.entry_data is not None and entry is not None:
            details["changes"] = field_changes(found.entry_data, entry.to_dict())
        kept.append(replace(flag, details=details))
    if not changed:
        return result
    return replace(result, flags=tuple(kept), verdict=policy.verdict(kept))


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
