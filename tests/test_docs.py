"""The documentation names every rule, reason code and setting the code has."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from screening.core.rules import RULES
from screening.settings import Settings, _var

DOCS = Path(__file__).resolve().parents[1] / "docs"
README = Path(__file__).resolve().parents[1] / "README.md"


def test_rules_doc_covers_every_rule_and_code() -> None:
    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    for rule in RULES:
        assert f"`{rule.id}`" in text, rule.id
        for code in rule.codes:
            assert f"`{code}`" in text, code
        for claim in rule.claims:
            assert f"`{claim}`" in text, claim


def test_readme_documents_every_setting() -> None:
    text = README.read_text(encoding="utf-8")
    undocumented = [_var(f.name) for f in fields(Settings) if _var(f.name) not in text]
    assert undocumented == []


def test_matching_doc_lists_every_feature_with_its_weight() -> None:
    from screening.core.matching import ALGORITHM_VERSION
    from screening.core.matching.features import FEATURES

    text = (DOCS / "matching.md").read_text(encoding="utf-8")
    assert f"`{ALGORITHM_VERSION}`" in text
    for feature in FEATURES:
        weight = f"{feature.weight:+.2f}" if feature.qualifier else f"{feature.weight:.2f}"
        weight = weight.rstrip("0")
        row = f"| `{feature.name}` | {weight + '0' if weight.endswith('.') else weight} |"
        assert row in text, row
