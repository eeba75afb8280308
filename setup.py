"""Build hook: compile the matching engine's hot modules with mypyc.

Metadata lives in pyproject.toml; this file only adds the optional native
build. The five modules below are ordinary, fully typed Python (mypy strict);
mypyc, the compiler that ships with mypy, turns them into C extensions with
the same behaviour, which screen about a fifth faster (docs/benchmarks.md).

``SCREENING_NATIVE`` chooses, at build time:

* ``auto`` (default): compile when mypyc and a C compiler are at hand, else
  install the pure-Python modules and say so;
* ``required``: fail the build rather than fall back (CI uses this, so a
  change that breaks compilation cannot pass unnoticed);
* ``0``: never compile.

Next to the extensions the build writes ``screening/core/matching/_native.json``
with the SHA-256 of each compiled source. ``screening.core.matching`` checks it
at import: if any source changed since it was compiled (an editable checkout
after an edit or a ``git pull``), the pure modules are used instead of stale
extensions, so a checkout never runs code other than what it holds.
``SCREENING_PURE_PYTHON=1`` at run time forces the pure modules.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
PACKAGE = Path("screening/core/matching")
# Compiled together into one shared library, so calls between them are native.
NATIVE_MODULES = ("text", "names", "compare", "features", "index")
MANIFEST = PACKAGE / "_native.json"
GROUP = "screening.core.matching._native"


def _mode() -> str:
    mode = os.environ.get("SCREENING_NATIVE", "auto").strip().lower() or "auto"
    if mode not in {"auto", "required", "0"}:
        raise SystemExit(f"SCREENING_NATIVE must be auto, required or 0, not {mode!r}")
    return mode


def _say(message: str) -> None:
    print(f"screening native build: {message}", file=sys.stderr)


def source_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _native_extensions(mode: str) -> list[Any]:
    manifest = HERE / MANIFEST
    manifest.unlink(missing_ok=True)
    if mode == "0":
        _say("SCREENING_NATIVE=0: pure-Python matching modules")
        return []
    try:
        from mypyc.build import mypycify
    except ImportError as exc:
        if mode == "required":
            raise SystemExit(f"SCREENING_NATIVE=required but mypyc is missing: {exc}") from exc
        _say(f"mypyc not available ({exc}); pure-Python matching modules")
        return []
    paths = [str(PACKAGE / f"{name}.py") for name in NATIVE_MODULES]
    cwd = Path.cwd()
    os.chdir(HERE)  # mypy reads [tool.mypy] from pyproject.toml here
    try:
        extensions = mypycify(paths, opt_level="3", group_name=GROUP)
    except (SystemExit, Exception) as exc:  # mypy reports type errors by exiting
        if mode == "required":
            raise
        _say(f"mypyc could not compile the matching modules ({exc!r}); pure-Python modules")
        return []
    finally:
        os.chdir(cwd)
    manifest.write_text(
        json.dumps(
            {name: source_digest(HERE / PACKAGE / f"{name}.py") for name in NATIVE_MODULES},
            indent=1,
            sort_keys=True,
        )
        + "\n",
        encoding="utf-8",
    )
    return extensions


class OptionalBuildExt(build_ext):
    """Compile the extensions; under ``auto`` a missing C compiler means pure Python."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:
            if _mode() == "required":
                raise
            _say(f"C compilation failed ({exc}); pure-Python matching modules")
            (HERE / MANIFEST).unlink(missing_ok=True)
            self.extensions = []


setup(
    ext_modules=_native_extensions(_mode()),
    cmdclass={"build_ext": OptionalBuildExt},
)
