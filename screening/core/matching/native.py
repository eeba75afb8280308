"""Which implementation of the matching modules runs: compiled with mypyc, or pure Python.

``pip install`` compiles ``text``, ``names``, ``compare``, ``features`` and
``index`` with mypyc when it can (``setup.py``), and records the SHA-256 of
each compiled source in ``_native.json``. The compiled modules behave exactly
as the sources (tests compare both on the whole evaluation set); they only run
faster. The pure modules are used instead when:

* the package was installed without compiling (no C compiler, ``SCREENING_NATIVE=0``);
* ``SCREENING_PURE_PYTHON=1`` is set (to debug, profile or compare);
* any source changed after it was compiled: an editable checkout after an edit
  or a ``git pull``. Stale extensions are never loaded, and a warning says how
  to recompile (``make native``).

All five go together: they are one shared library and call each other
natively, so one changed source sends all five back to Python.

This module must be imported before any of the five, which the package's
``__init__`` does first.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

MODULES = ("text", "names", "compare", "features", "index")
MANIFEST = "_native.json"
_HERE = Path(__file__).resolve().parent
_PACKAGE = __name__.rpartition(".")[0]

log = logging.getLogger(__name__)


def _compiled(name: str) -> bool:
    return any((_HERE / f"{name}{s}").is_file() for s in importlib.machinery.EXTENSION_SUFFIXES)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _choose() -> tuple[bool, str]:
    """(use the compiled modules?, why) for this installation and environment."""
    present = [name for name in MODULES if _compiled(name)]
    if not present:
        return False, "pure Python (not compiled)"
    if os.environ.get("SCREENING_PURE_PYTHON", "").strip() not in ("", "0"):
        return False, "pure Python (SCREENING_PURE_PYTHON is set)"
    try:
        recorded = json.loads((_HERE / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        recorded = {}
    missing = [name for name in MODULES if name not in present]
    changed = [name for name in MODULES if recorded.get(name) != _digest(_HERE / f"{name}.py")]
    if missing or changed:
        why = (
            f"{', '.join(changed)} changed since compiled"
            if changed
            else f"{', '.join(missing)} not compiled"
        )
        log.warning(
            "compiled matching modules are stale (%s): running the pure-Python modules;"
            " run `make native` (pip install -e .) to recompile",
            why,
        )
        return False, f"pure Python (compiled modules are stale: {why})"
    return True, "compiled with mypyc"


class _PureFinder(importlib.abc.MetaPathFinder):
    """Finds the five modules' ``.py`` files, ahead of the extensions beside them."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        package, _, name = fullname.rpartition(".")
        if package != _PACKAGE or name not in MODULES:
            return None
        return importlib.util.spec_from_file_location(fullname, _HERE / f"{name}.py")


ACTIVE, STATUS = _choose()
if not ACTIVE and any(_compiled(name) for name in MODULES):
    sys.meta_path.insert(0, _PureFinder())
