"""Screening single parties (names) against the index: the CLI's screen-parties and the API."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from screening.core.matching import MatchPolicy, PartyQuery
from screening.core.model import EntityKind, Identifier, IdentifierType
from screening.errors import InvalidInput
from screening.services.index import ListIndex, legal_citations

SCHEMAS = ("Person", "Organization", "Company", "LegalEntity", "Vessel", "Aircraft")


def query_from_dict(data: Mapping[str, Any], position: int) -> PartyQuery:
    """One query line/object: ``{"qid", "name", "schema", "country", "birth_date", "identifiers"}``.

    Raises:
        InvalidInput: no name, or an unknown schema or identifier type.
    """
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput(f"party {position}: 'name' is required and must be a non-empty string")
    schema = data.get("schema")
    kind = EntityKind.from_schema(schema) if schema else None
    if schema and kind is None:
        raise InvalidInput(
            f"party {position}: unknown schema {schema!r}; use one of {', '.join(SCHEMAS)}"
        )
    identifiers = []
    for item in data.get("identifiers") or ():
        try:
            identifiers.append(
                Identifier(
                    type=IdentifierType(item["type"]),
                    value=str(item["value"]),
                    country=item.get("country"),
                )
            )
        except (KeyError, TypeError, ValueError):
            raise InvalidInput(
                f"party {position}: identifiers must be objects with 'type' (one of "
                f"{', '.join(t.value for t in IdentifierType)}) and 'value'"
            ) from None
    country = data.get("country")
    ref = data.get("qid", data.get("id"))
    return PartyQuery(
        name=name.strip(),
        kind=kind,
        country=str(country) if country else None,
        birth_date=str(data["birth_date"]) if data.get("birth_date") else None,
        identifiers=tuple(identifiers),
        ref=None if ref is None else str(ref),
    )


def screen_parties(
    index: ListIndex,
    queries: Iterable[PartyQuery],
    policy: MatchPolicy,
    *,
    threshold: float | None = None,
    sources: set[str] | None = None,
) -> list[dict[str, Any]]:
    """Hits for each query, sorted by score, every hit at or above ``threshold`` (default: review)."""
    threshold = policy.review if threshold is None else threshold
    if threshold < policy.review:
        policy = MatchPolicy(
            alert=max(policy.alert, threshold + 1e-6), review=threshold, max_hits=policy.max_hits
        )
    results = []
    for query in queries:
        hits = index.match.screen(query, policy, sources)
        results.append(
            {
                "qid": query.ref,
                "name": query.name,
                "hits": [hit_dict(index, hit) for hit in hits if hit.score >= threshold],
            }
        )
    return results


def hit_dict(index: ListIndex, hit: Any) -> dict[str, Any]:
    entry = hit.entry
    version = index.version_of(entry.source)
    return {
        "entity_id": hit.entity_id,
        "score": round(hit.score, 4),
        "alert": hit.alert,
        "matched_name": hit.matched_name,
        "matched_name_kind": hit.matched_name_kind.value if hit.matched_name_kind else None,
        "listed_name": entry.primary_name,
        "kind": entry.kind.value,
        "source": entry.source,
        "programs": list(entry.programs),
        "legal_basis": [c.to_dict() for c in legal_citations(entry)],
        "explanation": hit.explanation,
        "features": [
            {"name": f.name, "score": round(f.score, 4), "weight": f.weight, "detail": f.detail}
            for f in hit.features
        ],
        "list_version": version.to_dict() if version else None,
        "algorithm": hit.algorithm,
    }
