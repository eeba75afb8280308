"""The compiled matching modules: same results as the sources, never stale, built in CI.

``setup.py`` compiles the hot matching modules with mypyc when it can. These
tests compare the compiled engine with the pure-Python one on every query of
the evaluation set, check that an edited source is never shadowed by its old
extension, and (in CI, where ``SCREENING_NATIVE=required``) that the build
really compiled them. The rest of the matching tests run once compiled and
once with ``SCREENING_PURE_PYTHON=1`` (``make pytest``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from screening.core.matching import MatchIndex, MatchPolicy, PartyQuery, compare, index, native
from screening.core.model import EntityKind

ROOT = Path(__file__).resolve().parents[3]

needs_compiled = pytest.mark.skipif(
    not native.ACTIVE, reason=f"matching modules not compiled here: {native.STATUS}"
)

# Screens every evaluation query (each against its target list) and prints one
# JSON line per query with every hit's full result, explanation included.
_SCREEN_ALL = """
import json, sys
from pathlib import Path
from lists.sources import get_source
from screening.core.matching import MatchIndex, native
from tests.core.matching.conftest import VERSIONS
from tests.core.matching.test_native import screen_all
lists_dir, eval_dir = Path(sys.argv[1]), Path(sys.argv[2])
entries = [e for s, d in VERSIONS.items() for e in get_source(s).parse(lists_dir / s / d).entries]
print(json.dumps({"active": native.ACTIVE, "status": native.STATUS}))
for line in screen_all(MatchIndex.build(entries, version_label="eval"), eval_dir):
    print(line)
"""


def screen_all(idx: MatchIndex, eval_dir: Path) -> list[str]:
    """One JSON line per evaluation query: every hit, its score, names, explanation, features."""
    out = []
    policy = MatchPolicy()
    for file in ("queries.jsonl", "queries_exact.jsonl"):
        for raw in (eval_dir / file).read_text(encoding="utf-8").splitlines():
            row: dict[str, Any] = json.loads(raw)
            query = PartyQuery(
                row["name"],
                EntityKind.from_schema(row["schema"]),
                country=row.get("country"),
                ref=row["qid"],
            )
            hits = idx.screen(query, policy, {row["target_list"]})
            out.append(
                json.dumps(
                    [
                        row["qid"],
                        [
                            [
                                h.entity_id,
                                repr(h.score),
                                h.alert,
                                h.query_name,
                                h.matched_name,
                                h.explanation,
                                [[f.name, repr(f.score), f.weight, f.detail] for f in h.features],
                            ]
                            for h in hits
                        ],
                    ],
                    ensure_ascii=False,
                )
            )
    return out


@needs_compiled
def test_compiled_and_pure_give_identical_results_on_the_evaluation_set(
    real_index: MatchIndex, lists_dir: Path, eval_dir: Path
) -> None:
    assert compare.__file__ is not None and not compare.__file__.endswith(".py")
    compiled = screen_all(real_index, eval_dir)
    done = subprocess.run(
        [sys.executable, "-c", _SCREEN_ALL, str(lists_dir), str(eval_dir)],
        cwd=ROOT,
        env={**os.environ, "SCREENING_PURE_PYTHON": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    header, *pure = done.stdout.splitlines()
    assert json.loads(header) == {
        "active": False,
        "status": "pure Python (SCREENING_PURE_PYTHON is set)",
    }
    assert len(pure) == len(compiled) > 5000
    assert sum(1 for line in compiled if json.loads(line)[1]) > 4000  # most queries hit
    mismatches = [(c, p) for c, p in zip(compiled, pure, strict=True) if c != p]
    assert mismatches == []


def _copy_checkout(dest: Path) -> Path:
    """The ``screening`` package with its compiled modules, as a checkout of its own."""
    shutil.copytree(
        ROOT / "screening", dest / "screening", ignore=shutil.ignore_patterns("__pycache__")
    )
    return dest


def _loaded(checkout: Path) -> dict[str, Any]:
    probe = (
        "import json, screening.core.matching as m, screening.core.matching.index as i;"
        "print(json.dumps({'active': m.native.ACTIVE, 'status': m.native.STATUS,"
        " 'files': [m.compare.__file__, i.__file__, m.text.__file__]}))"
    )
    env = {k: v for k, v in os.environ.items() if k != "SCREENING_PURE_PYTHON"}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=checkout,
        env={**env, "PYTHONPATH": str(checkout)},
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    result["stderr"] = done.stderr
    return result


@needs_compiled
def test_an_edited_source_is_run_instead_of_its_stale_extension(tmp_path: Path) -> None:
    fresh = _loaded(_copy_checkout(tmp_path / "fresh"))
    assert fresh["active"] is True
    assert all(f.startswith(str(tmp_path / "fresh")) and f.endswith(".so") for f in fresh["files"])

    edited = _copy_checkout(tmp_path / "edited")
    source = edited / "screening/core/matching/compare.py"
    source.write_text(source.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    stale = _loaded(edited)
    assert stale["active"] is False
    assert (
        stale["status"]
        == "pure Python (compiled modules are stale: compare changed since compiled)"
    )
    # All five go back to Python together: the compiled ones call each other natively.
    assert all(f.startswith(str(edited)) and f.endswith(".py") for f in stale["files"])
    assert "make native" in stale["stderr"]


@needs_compiled
def test_extensions_without_their_build_manifest_are_not_trusted(tmp_path: Path) -> None:
    checkout = _copy_checkout(tmp_path / "co")
    (checkout / "screening/core/matching" / native.MANIFEST).unlink()
    loaded = _loaded(checkout)
    assert loaded["active"] is False
    assert all(f.endswith(".py") for f in loaded["files"])


@pytest.mark.skipif(
    os.environ.get("SCREENING_NATIVE") != "required",
    reason="only where the build must compile (CI sets SCREENING_NATIVE=required)",
)
def test_the_build_compiled_the_matching_modules() -> None:
    if os.environ.get("SCREENING_PURE_PYTHON", "") not in ("", "0"):
        pytest.skip("this run asks for the pure modules")
    assert native.ACTIVE, native.STATUS
    for module in (compare, index):
        assert module.__file__ is not None and not module.__file__.endswith(".py")
