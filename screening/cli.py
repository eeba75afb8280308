"""The ``screening`` command line: a thin shell over the use-cases in ``screening.services``.

Exit codes: 0 success, 1 some work failed (e.g. one list source), 2 bad
usage or bad settings. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from screening.errors import ScreeningError
from screening.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


class Context:
    """Settings and database, built lazily so ``--help`` needs neither."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._db: Any = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings.from_env().resolved()
        return self._settings

    @property
    def db(self) -> Any:
        if self._db is None:
            from screening.storage.db import Database

            self._db = Database(self.settings.database_url)
            # Close the pool when the command ends (tests run many commands in one process).
            click.get_current_context().find_root().call_on_close(self._db.dispose)
        return self._db


pass_ctx = click.make_pass_decorator(Context, ensure=True)


def friendly(func: F) -> F:
    """Turn our errors into a one-line message and exit code instead of a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ScreeningError as exc:
            click.echo(f"error: {exc.message}", err=True)
            sys.exit(2 if type(exc).status < 500 or type(exc).__name__ == "ConfigError" else 1)

    return wrapper  # type: ignore[return-value]


def actor() -> str:
    return f"cli:{os.environ.get('USER', 'unknown')}"


@click.group()
def main() -> None:
    """Sanctions and export-control screening."""


# -- database ---------------------------------------------------------------


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@pass_ctx
@friendly
def db_upgrade(ctx: Context) -> None:
    """Apply database migrations."""
    ctx.db.upgrade()
    from screening.storage.db import migration_state

    current, _head = migration_state(ctx.db.engine)
    click.echo(f"database at revision {current}")


# -- lists ------------------------------------------------------------------


@main.group()
def lists() -> None:
    """Official sanctions lists: load, update, status, diff."""


def _report_outcomes(outcomes: list[Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps([o.to_dict() for o in outcomes], indent=2))
    else:
        for outcome in outcomes:
            stream_err = not outcome.ok
            click.echo(("FAILED " if stream_err else "") + outcome.message, err=stream_err)
    if not all(o.ok for o in outcomes):
        sys.exit(1)


@lists.command("load")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--source", help="List source name (inferred from the mirror layout when omitted).")
@click.option("--force", is_flag=True, help="Accept a version that shrank beyond the limit.")
@click.option("--json", "as_json", is_flag=True, help="Print outcomes as JSON.")
@pass_ctx
@friendly
def lists_load(ctx: Context, path: Path, source: str | None, force: bool, as_json: bool) -> None:
    """Load lists from PATH: a file, a dated folder, a source folder or a mirror root."""
    from screening.services import lists as service

    outcomes = service.load_path(ctx.db, path, source=source, force=force, actor=actor(),
                                 max_shrink=ctx.settings.max_list_shrink)
    _report_outcomes(outcomes, as_json)


@lists.command("update")
@click.option("--source", "sources", multiple=True, help="Only these sources (repeatable).")
@click.option("--force", is_flag=True)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@friendly
def lists_update(ctx: Context, sources: tuple[str, ...], force: bool, as_json: bool) -> None:
    """Refresh lists from SCREENING_LIST_MIRROR when set, else from the official URLs."""
    from screening.services import lists as service

    outcomes = service.update_sources(ctx.db, ctx.settings, sources=list(sources) or None,
                                      actor=actor(), force=force)
    _report_outcomes(outcomes, as_json)


@lists.command("status")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@friendly
def lists_status(ctx: Context, as_json: bool) -> None:
    """Show each source's active version."""
    from screening.services import lists as service

    rows = service.status(ctx.db)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(f"{'source':<14} {'version':>7} {'as of':<10} {'entries':>7}  last update")
    for row in rows:
        update = row["last_update"]
        note = "" if update is None else ("ok" if update["ok"] else f"FAILED: {update['error']}")
        click.echo(f"{row['source']:<14} {row['version'] or '-':>7} {row['as_of'] or '-':<10}"
                   f" {row['entries']:>7}  {note}")


@lists.command("diff")
@click.argument("source")
@click.option("--from", "from_ref", help="Version id or as-of date (default: the one before --to).")
@click.option("--to", "to_ref", help="Version id or as-of date (default: the active version).")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@friendly
def lists_diff(ctx: Context, source: str, from_ref: str | None, to_ref: str | None,
               as_json: bool) -> None:
    """What changed between two versions of SOURCE."""
    from screening.services import lists as service

    result = service.diff_versions(ctx.db, source, from_ref, to_ref)
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    frm = result["from"]
    click.echo(f"{source}: {frm['as_of'] if frm else '(nothing)'} -> {result['to']['as_of']}: "
               f"{len(result['added'])} added, {len(result['removed'])} removed, "
               f"{len(result['changed'])} changed")
    for key in ("added", "removed"):
        for entity_id in result[key]:
            click.echo(f"  {key[0].upper()} {entity_id}")
    for change in result["changed"]:
        click.echo(f"  C {change['entity_id']} ({', '.join(change['fields'])})")


# -- service ----------------------------------------------------------------


@main.command("check-settings")
@friendly
def check_settings() -> None:
    """Validate SCREENING_* settings and print them (secrets hidden)."""
    settings = Settings.from_env().resolved()
    click.echo(repr(settings))


if __name__ == "__main__":  # pragma: no cover
    main()
