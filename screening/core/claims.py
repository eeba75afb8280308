"""The claims registry: who said what, where, that motivates a screening flag.

Every flag in a risk report cites one or more claims (a claimant, a date, a
publication, a short exact quote and a link). The built-in registry is
``screening/core/data/claims.json``, seeded from the project dossier
``sources/CLAIMS.md`` and the Financial Times report of 10 September 2024. A
site may add its own claims from an extra JSON file of the same shape; they
are validated as strictly as the built-in ones.

A claim motivates a *rule*; it is not evidence about any particular party.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from screening.errors import ConfigError, NotFound

REQUIRED_TEXT = (
    "id",
    "claimant",
    "role",
    "organisation",
    "date",
    "publication",
    "url",
    "quote",
    "summary",
    "verification",
)


class ClaimKind(StrEnum):
    OFFICIAL = "official"  # a government or intergovernmental body, or an office holder
    MEDIA = "media"  # a newspaper's own reporting
    RESEARCH = "research"  # independent research (NON-OFFICIAL in the dossier)


@dataclass(frozen=True, slots=True)
class Claim:
    """One public claim, with the exact words and where they were seen."""

    id: str
    claimant: str
    role: str
    organisation: str
    date: str  # ISO date of the statement or publication
    publication: str  # venue or publication
    url: str  # the page where the claim was seen
    quote: str  # short, exact, never altered
    summary: str  # one sentence
    tags: tuple[str, ...]  # what it motivates: "item:chpl-tier1", "route:CN-RU", ...
    kind: ClaimKind
    verification: str  # where the quote was seen ([V-OFF]/[V-PUB]/[V-SEC]) and what was not
    recorded_in: str  # the document the quote is checked against ("CLAIMS.md", ...)
    other_urls: tuple[str, ...] = ()
    # Rule ids a site attaches this claim to (user claims only): every flag those
    # rules emit cites it, besides the claims the rule itself names.
    rules: tuple[str, ...] = ()

    @property
    def citation(self) -> str:
        """A one-line citation for reports: claimant, role, organisation, publication, date."""
        return f"{self.claimant}, {self.role}, {self.organisation}; {self.publication}; {self.date}"


def parse_claims(data: Any, origin: str) -> tuple[Claim, ...]:
    """Claims from the registry's JSON shape (``{"claims": [...]}`` or a bare list).

    Raises:
        ConfigError: not that shape, a required field missing or empty, a date
            not ISO, an unknown kind, or an id repeated within ``data``.
    """
    items = data.get("claims") if isinstance(data, Mapping) else data
    if not isinstance(items, list):
        raise ConfigError(f'{origin}: expected {{"claims": [...]}} or a list of claims')
    claims = tuple(_claim(item, f"{origin}[{n}]") for n, item in enumerate(items))
    _check_unique(claims, origin)
    return claims


def read_claims_file(path: Path) -> tuple[Claim, ...]:
    """Claims from a JSON file (a site's own additions).

    Raises:
        ConfigError: the file is missing, not JSON, or its claims are invalid.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read claims file ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: not valid JSON ({exc})") from exc
    return parse_claims(data, str(path))


@cache
def builtin_claims() -> tuple[Claim, ...]:
    """The registry shipped with the package."""
    text = resources.files("screening.core.data").joinpath("claims.json").read_text("utf-8")
    return parse_claims(json.loads(text), "claims.json")


def load_claims(extra: Path | None = None) -> tuple[Claim, ...]:
    """The built-in claims, followed by those of ``extra`` when given.

    The extra file is read again only when its modification time or size
    changes, so a batch screening many chunks does not re-read it per chunk.

    Raises:
        ConfigError: the extra file is invalid, reuses a built-in id, or
            attaches a claim to a rule id that does not exist.
    """
    claims = builtin_claims()
    if extra is None:
        return claims
    try:
        stat = extra.stat()
    except OSError as exc:
        raise ConfigError(f"{extra}: cannot read claims file ({exc})") from exc
    return _with_extra(extra, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _with_extra(path: Path, mtime_ns: int, size: int) -> tuple[Claim, ...]:
    # mtime and size are part of the cache key only: an edited file is a new entry.
    # Imported here: the rules import country_risk, which imports this module.
    from screening.core.rules import RULES

    added = read_claims_file(path)
    builtin = {c.id for c in builtin_claims()}
    known = {r.id for r in RULES}
    for claim in added:
        if claim.id in builtin:
            raise ConfigError(
                f"{path}: claim id {claim.id!r} is used twice (a built-in claim has it)"
            )
        unknown = [r for r in claim.rules if r not in known]
        if unknown:
            raise ConfigError(
                f"{path}: claim {claim.id!r}: unknown rule {unknown[0]!r}"
                f" (known: {', '.join(sorted(known))})"
            )
    return builtin_claims() + added


def rule_attachments(claims: Iterable[Claim]) -> dict[str, tuple[str, ...]]:
    """Rule id -> ids of the claims attached to it (``Claim.rules``), in claim order."""
    out: dict[str, list[str]] = {}
    for claim in claims:
        for rule_id in claim.rules:
            out.setdefault(rule_id, []).append(claim.id)
    return {rule_id: tuple(ids) for rule_id, ids in out.items()}


def get_claim(claim_id: str, claims: Iterable[Claim] | None = None) -> Claim:
    """The claim with this id (from the built-in registry unless ``claims`` is given).

    Raises:
        NotFound: no such claim.
    """
    for claim in builtin_claims() if claims is None else claims:
        if claim.id == claim_id:
            return claim
    raise NotFound(f"no claim {claim_id!r} in the claims registry")


def claims_by_tag(tag: str, claims: Iterable[Claim] | None = None) -> tuple[Claim, ...]:
    """The claims that carry ``tag``, in registry order."""
    return tuple(c for c in (builtin_claims() if claims is None else claims) if tag in c.tags)


def _claim(item: Any, where: str) -> Claim:
    if not isinstance(item, Mapping):
        raise ConfigError(f"{where}: a claim must be an object")
    label = f"{where} ({item.get('id')!r})" if item.get("id") else where
    for key in REQUIRED_TEXT:
        value = item.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{label}: {key!r} is required and must be a non-empty string")
    try:
        date.fromisoformat(item["date"])
    except ValueError as exc:
        raise ConfigError(
            f"{label}: date {item['date']!r} is not an ISO date (YYYY-MM-DD)"
        ) from exc
    if not str(item["url"]).startswith(("https://", "http://")):
        raise ConfigError(f"{label}: url {item['url']!r} is not an http(s) address")
    tags = item.get("tags", [])
    other_urls = item.get("other_urls", [])
    rules = item.get("rules", [])
    if not _strings(tags) or not _strings(other_urls) or not _strings(rules):
        raise ConfigError(f"{label}: tags, other_urls and rules must be lists of strings")
    try:
        kind = ClaimKind(item.get("kind", ClaimKind.OFFICIAL.value))
    except ValueError as exc:
        known = ", ".join(k.value for k in ClaimKind)
        raise ConfigError(f"{label}: kind {item.get('kind')!r} is not one of {known}") from exc
    return Claim(
        id=item["id"].strip(),
        claimant=item["claimant"],
        role=item["role"],
        organisation=item["organisation"],
        date=item["date"],
        publication=item["publication"],
        url=item["url"],
        quote=item["quote"],
        summary=item["summary"],
        tags=tuple(tags),
        kind=kind,
        verification=item["verification"],
        recorded_in=str(item.get("recorded_in") or "user"),
        other_urls=tuple(other_urls),
        rules=tuple(dict.fromkeys(rules)),
    )


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v for v in value)


def _check_unique(claims: tuple[Claim, ...], origin: str) -> None:
    seen: set[str] = set()
    for claim in claims:
        if claim.id in seen:
            raise ConfigError(f"{origin}: claim id {claim.id!r} is used twice")
        seen.add(claim.id)
