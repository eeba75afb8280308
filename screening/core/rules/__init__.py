"""Shipment rules: declared units that turn one row into flags, and the verdict policy.

``RULES`` is the registry, in the order flags are reported. Each rule names the
claims that motivate it (ids in the claims registry); see ``docs/rules.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from screening.core.rules.base import Citation, Flag, Rule, ShipmentResult, Verdict
from screening.core.rules.context import RuleContext
from screening.core.rules.controls import CONSISTENCY_RULE, LICENCE_RULE
from screening.core.rules.controls import HUB_RULE as CONTROL_HUB_RULE
from screening.core.rules.items import ITEM_RULE
from screening.core.rules.party import PARTY_RULE
from screening.core.rules.redflags import ACROSS_HUB_RULE, ADDRESS_RULE, MISMATCH_RULE
from screening.core.rules.route import END_USER_RULE, HUB_RULE, SANCTIONED_RULE
from screening.core.shipments import ShipmentRow

RULES: tuple[Rule, ...] = (
    PARTY_RULE,
    ITEM_RULE,
    SANCTIONED_RULE,
    HUB_RULE,
    END_USER_RULE,
    MISMATCH_RULE,
    ACROSS_HUB_RULE,
    ADDRESS_RULE,
    LICENCE_RULE,
    CONTROL_HUB_RULE,
    CONSISTENCY_RULE,
)


@dataclass(frozen=True)
class VerdictPolicy:
    """How flags become a verdict.

    The verdict is the worst severity among the flags, after ``overrides``
    (reason code -> severity) are applied; ``escalate_mediums`` or more
    ``medium`` flags on one shipment make it ``high`` (many weak signals
    together deserve a hold). ``disabled`` rule ids are not run.
    """

    overrides: Mapping[str, Verdict] = field(default_factory=dict)
    escalate_mediums: int = 3
    disabled: frozenset[str] = frozenset()

    def severity(self, flag: Flag) -> Verdict:
        return self.overrides.get(flag.code, flag.severity)

    def verdict(self, flags: Sequence[Flag]) -> Verdict:
        severities = [self.severity(f) for f in flags]
        worst = Verdict.worst(severities)
        if worst is Verdict.MEDIUM and severities.count(Verdict.MEDIUM) >= self.escalate_mediums:
            return Verdict.HIGH
        return worst


def evaluate(
    row: ShipmentRow,
    ctx: RuleContext,
    policy: VerdictPolicy | None = None,
    rules: Sequence[Rule] = RULES,
) -> ShipmentResult:
    """Run every enabled rule on one row and derive its verdict.

    Claims a site attached to a rule (``ctx.extra_claims``) are cited on every
    flag that rule emits, after the rule's own citations and without repeats.
    """
    policy = policy or VerdictPolicy()
    flags: list[Flag] = []
    for rule in rules:
        if rule.id not in policy.disabled:
            emitted = rule.run(row, ctx)
            attached = ctx.extra_claims.get(rule.id)
            if attached and emitted:
                emitted = [_cite_extra(f, ctx.claims.cite(attached)) for f in emitted]
            flags.extend(emitted)
    flags = [
        replace(f, severity=policy.severity(f)) if f.code in policy.overrides else f for f in flags
    ]
    return ShipmentResult(row=row, verdict=policy.verdict(flags), flags=tuple(flags))


def _cite_extra(flag: Flag, extra: Sequence[Citation]) -> Flag:
    cited = {c.claim_id for c in flag.citations if c.claim_id}
    added = tuple(c for c in extra if c.claim_id not in cited)
    return replace(flag, citations=flag.citations + added) if added else flag


__all__ = [
    "RULES",
    "Citation",
    "Flag",
    "Rule",
    "RuleContext",
    "ShipmentResult",
    "Verdict",
    "VerdictPolicy",
    "evaluate",
]
