"""Rule 2: goods on the Common High Priority List (or a loaded item list), by HS code or description."""

from __future__ import annotations

from collections.abc import Iterator

from screening.core.rules.base import Citation, Flag, Rule, Verdict
from screening.core.rules.context import ItemMatch, RuleContext
from screening.core.shipments import ShipmentRow

CLAIMS = (
    "bis-2024-02-23-common-high-priority-list",
    "e5-2023-09-26-high-priority-hs-codes",
    "g7-2024-09-24-joint-industry-guidance",
    "us-officials-2024-04-12-microelectronics-machine-tools",
    "ft-2024-09-10-campbell-component-pieces",
)


def item_citation(match: ItemMatch) -> Citation:
    return Citation(
        kind="list", title=f"{match.source}: {match.list_name}", url=match.url, date=match.date
    )


def item_matches(row: ShipmentRow, ctx: RuleContext) -> list[ItemMatch]:
    """HS-code and classification matches first; description matches when the code is
    missing or matched nothing (memoised per run: three rules ask for them)."""
    key = ("items", row.hs_code, row.control_code, row.goods_description)
    known = ctx.memo.get(key)
    if not isinstance(known, tuple):
        if len(ctx.memo) > 50_000:  # bound the memo on huge files with unique lines
            ctx.memo.clear()
        known = ctx.memo[key] = _item_matches(row, ctx)
    return list(known)


def _item_matches(row: ShipmentRow, ctx: RuleContext) -> tuple[ItemMatch, ...]:
    found: list[ItemMatch] = list(ctx.items.by_hs(row.hs_code)) if row.hs_code else []
    if row.control_code and row.control_code != "EAR99":
        found.extend(ctx.items.by_control_code(row.control_code))
    if row.goods_description:
        listed = {(m.list_name, m.code) for m in found}
        for match in ctx.items.by_description(row.goods_description):
            if (match.list_name, match.code) not in listed and (not found or not row.hs_code):
                found.append(match)
    return tuple(found)


def check_items(row: ShipmentRow, ctx: RuleContext) -> Iterator[Flag]:
    claims = ctx.claims.cite(CLAIMS)
    for match in item_matches(row, ctx):
        tier = f" Tier {match.tier}" if match.tier else ""
        if match.list_name != "chpl" and match.tier:
            tier = f" (risk: {match.tier})"
        if match.how == "control_code":
            message = (
                f"Classification {row.control_code} is on the item list "
                f"'{match.list_name}'{tier} ({match.code}: {match.description})."
            )
            code = "ITEM_LISTED"
        elif match.how == "hs_code":
            listed_on = (
                "the CHPL" if match.list_name == "chpl" else f"the item list '{match.list_name}'"
            )
            message = (
                f"HS code {row.hs_code_raw or row.hs_code} is on {listed_on}"
                f"{tier} ({match.code}: {match.description})."
            )
            code = (
                "ITEM_HIGH_PRIORITY"
                if match.list_name == "chpl" and match.high_priority
                else "ITEM_LISTED"
            )
        else:
            words = ", ".join(f"'{w}'" for w in match.matched_words)
            hs_note = (
                f"; declared HS code {row.hs_code_raw or row.hs_code} does not fit it"
                if row.hs_code
                else "; no HS code given"
            )
            message = (
                f"Goods description matches {match.list_name.upper()}{tier} item "
                f"{match.code} ({match.description}) by the words {words}{hs_note}."
            )
            code = "ITEM_DESCRIPTION_MATCH"
        yield Flag(
            code=code,
            rule=ITEM_RULE.id,
            severity=Verdict(match.severity),
            message=message,
            citations=(item_citation(match), *claims),
            details={
                "list": match.list_name,
                "code": match.code,
                "tier": match.tier,
                "how": match.how,
                "matched_words": list(match.matched_words),
                "code_type": match.code_type,
                "category": match.category,
            },
        )


ITEM_RULE = Rule(
    id="item.high_priority",
    title="High-priority item",
    description=(
        "The line's HS code is matched by prefix to the Common High Priority List tiers and any "
        "loaded item list; when the code is missing or fits no listed item, the goods description "
        "is matched to listed item categories, saying which words matched. Tiers 1 and 2 ask for "
        "review; Tiers 3 and 4 are noted."
    ),
    codes=("ITEM_HIGH_PRIORITY", "ITEM_LISTED", "ITEM_DESCRIPTION_MATCH"),
    claims=CLAIMS,
    check=check_items,
)
