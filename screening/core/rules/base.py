"""The vocabulary of shipment screening: verdicts, citations, flags and rules.

A *rule* is a declared unit: an id, a title, what it checks, the severity it
gives, and the public claims that motivate it. Its function looks at one
shipment row and yields *flags*; each flag carries a reason code, a sentence a
person can read, and its citations (claims from the registry, and for listed
parties the legal basis of the list entry). The verdict of a shipment is derived
from its flags by :class:`VerdictPolicy`, in one place.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from screening.core.shipments import ShipmentRow

if TYPE_CHECKING:
    from screening.core.rules.context import RuleContext


class Verdict(StrEnum):
    """What an officer should do with a shipment.

    - ``blocked``: do not ship; a listed party or a prohibited combination was found.
    - ``high``: hold the shipment until a reviewer clears it.
    - ``medium``: review before shipping (a possible match, a high-priority item to a hub).
    - ``low``: ship; note the flag in the file (e.g. a Tier 3/4 item to a low-risk place).
    - ``clear``: nothing fired.
    """

    BLOCKED = "blocked"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    CLEAR = "clear"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @classmethod
    def worst(cls, verdicts: Iterable[Verdict]) -> Verdict:
        return max(verdicts, key=lambda v: v.rank, default=cls.CLEAR)


_RANK = {Verdict.CLEAR: 0, Verdict.LOW: 1, Verdict.MEDIUM: 2, Verdict.HIGH: 3, Verdict.BLOCKED: 4}


@dataclass(frozen=True, slots=True)
class Citation:
    """Why a flag matters: a claim of the registry, or the legal basis of a list entry."""

    kind: str  # "claim" | "legal_basis" | "regulation" | "list"
    title: str
    url: str | None = None
    date: str | None = None
    claim_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "title": self.title,
            "url": self.url,
            "date": self.date,
        }
        if self.claim_id:
            out["claim_id"] = self.claim_id
        else:
            out["legal_basis"] = self.title
        return out


@dataclass(frozen=True, slots=True)
class Flag:
    """One reason a shipment is not clear."""

    code: str  # reason code, e.g. "PARTY_LISTED"
    rule: str  # id of the rule that fired
    severity: Verdict
    message: str  # one sentence a person can read
    citations: tuple[Citation, ...] = ()
    role: str | None = None  # party role for party flags
    party_name: str | None = None
    entity_id: str | None = None
    matched_name: str | None = None
    list_source: str | None = None
    programs: tuple[str, ...] = ()
    score: float | None = None
    explanation: str | None = None
    # Structured extras: features of a match, matched words of a description, ...
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "rule": self.rule,
            "severity": self.severity.value,
            "role": self.role,
            "message": self.message,
            "party_name": self.party_name,
            "entity_id": self.entity_id,
            "matched_name": self.matched_name,
            "list_source": self.list_source,
            "programs": list(self.programs),
            "score": None if self.score is None else round(self.score, 4),
            "explanation": self.explanation,
            "citations": [c.to_dict() for c in self.citations],
            "details": dict(self.details),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Flag:
        return cls(
            code=data["code"],
            rule=data["rule"],
            severity=Verdict(data["severity"]),
            message=data["message"],
            citations=tuple(
                Citation(
                    kind=c["kind"],
                    title=c["title"],
                    url=c.get("url"),
                    date=c.get("date"),
                    claim_id=c.get("claim_id"),
                )
                for c in data.get("citations", ())
            ),
            role=data.get("role"),
            party_name=data.get("party_name"),
            entity_id=data.get("entity_id"),
            matched_name=data.get("matched_name"),
            list_source=data.get("list_source"),
            programs=tuple(data.get("programs", ())),
            score=data.get("score"),
            explanation=data.get("explanation"),
            details=data.get("details", {}),
        )


RuleFn = Callable[[ShipmentRow, "RuleContext"], Iterable[Flag]]


@dataclass(frozen=True, slots=True)
class Rule:
    """A declared screening rule."""

    id: str
    title: str
    description: str  # what it checks, in a sentence or two (shown in docs and reports)
    codes: tuple[str, ...]  # reason codes it can emit
    claims: tuple[str, ...]  # ids of registry claims that motivate it
    check: RuleFn

    def run(self, row: ShipmentRow, ctx: RuleContext) -> list[Flag]:
        return list(self.check(row, ctx))


@dataclass(frozen=True, slots=True)
class ShipmentResult:
    row: ShipmentRow
    verdict: Verdict
    flags: tuple[Flag, ...]

    @property
    def top_reasons(self) -> list[str]:
        ordered = sorted(self.flags, key=lambda f: -f.severity.rank)
        return list(dict.fromkeys(f.message for f in ordered))[:3]

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row.row,
            "sheet": self.row.sheet,
            "shipment_id": self.row.shipment_id,
            "verdict": self.verdict.value,
            "flags": [f.to_dict() for f in self.flags],
            "shipment": self.row.to_dict(),
        }


def party_key(name: str) -> str:
    """The key a reviewer's decision is stored under: the name folded for case and spacing."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in folded).split())[:255]
