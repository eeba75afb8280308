"""The ``screening`` command line: a thin shell over the use-cases in ``screening.services``.

Exit codes: 0 success, 1 some work failed (e.g. one list source), 2 bad
usage or bad settings. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from screening.core.permissions import Role, Scope
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


# Options several screening commands share.
map_option = click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="COLUMN=FIELD",
    help="Map an input column to a field, e.g. --map 'Ship-to=consignee' (repeatable).",
)


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


def _report_outcomes(outcomes: list[Any], as_json: bool, notes: Sequence[Any] = ()) -> None:
    if as_json:
        click.echo(json.dumps([o.to_dict() for o in outcomes], indent=2))
    else:
        for outcome in outcomes:
            stream_err = not outcome.ok
            click.echo(("FAILED " if stream_err else "") + outcome.message, err=stream_err)
    for note in notes:  # follow-ups (register re-screens) go to stderr: stdout may be JSON
        click.echo(("" if note.ok else "FAILED ") + note.message, err=True)
    if not all(o.ok for o in outcomes) or not all(n.ok for n in notes):
        sys.exit(1)


def _after_activation(ctx: Context, outcomes: list[Any]) -> list[Any]:
    """Re-screen the counterparty register against every version just activated."""
    from screening.jobs.scheduled import after_activation

    return after_activation(ctx.db, ctx.settings, outcomes, actor=actor())


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

    outcomes = service.load_path(
        ctx.db,
        path,
        source=source,
        force=force,
        actor=actor(),
        max_shrink=ctx.settings.max_list_shrink,
    )
    _report_outcomes(outcomes, as_json, _after_activation(ctx, outcomes))


@lists.command("update")
@click.option("--source", "sources", multiple=True, help="Only these sources (repeatable).")
@click.option("--force", is_flag=True)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@friendly
def lists_update(ctx: Context, sources: tuple[str, ...], force: bool, as_json: bool) -> None:
    """Refresh lists from SCREENING_LIST_MIRROR when set, else from the official URLs."""
    from screening.services import lists as service

    outcomes = service.update_sources(
        ctx.db, ctx.settings, sources=list(sources) or None, actor=actor(), force=force
    )
    _report_outcomes(outcomes, as_json, _after_activation(ctx, outcomes))


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
        click.echo(
            f"{row['source']:<14} {row['version'] or '-':>7} {row['as_of'] or '-':<10}"
            f" {row['entries']:>7}  {note}"
        )


@lists.command("diff")
@click.argument("source")
@click.option("--from", "from_ref", help="Version id or as-of date (default: the one before --to).")
@click.option("--to", "to_ref", help="Version id or as-of date (default: the active version).")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@friendly
def lists_diff(
    ctx: Context, source: str, from_ref: str | None, to_ref: str | None, as_json: bool
) -> None:
    """What changed between two versions of SOURCE."""
    from screening.services import lists as service

    result = service.diff_versions(ctx.db, source, from_ref, to_ref)
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    frm = result["from"]
    click.echo(
        f"{source}: {frm['as_of'] if frm else '(nothing)'} -> {result['to']['as_of']}: "
        f"{len(result['added'])} added, {len(result['removed'])} removed, "
        f"{len(result['changed'])} changed"
    )
    for key in ("added", "removed"):
        for entity_id in result[key]:
            click.echo(f"  {key[0].upper()} {entity_id}")
    for change in result["changed"]:
        click.echo(f"  C {change['entity_id']} ({', '.join(change['fields'])})")


# -- screening --------------------------------------------------------------


def _index(ctx: Context, mirror: Path | None, sources: tuple[str, ...] = ()) -> Any:
    """The party index: from a mirror folder (quick start, no database) or the list store."""
    from screening.services import index as indexes

    wanted = list(sources) or None
    if mirror is not None:
        return indexes.build_from_mirror(mirror, wanted)
    return indexes.build_from_db(ctx.db, wanted)


@main.command("screen-parties")
@click.argument("queries", type=click.File("r", encoding="utf-8"))
@click.option(
    "-o",
    "--output",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="Where to write result lines (default: standard output).",
)
@click.option("--source", "sources", multiple=True, help="Only these lists (repeatable).")
@click.option(
    "--threshold", type=float, help="Lowest score returned (default: the review threshold)."
)
@click.option(
    "--mirror",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Read lists from this mirror folder instead of the list store.",
)
@pass_ctx
@friendly
def screen_parties_cmd(
    ctx: Context,
    queries: Any,
    output: Any,
    sources: tuple[str, ...],
    threshold: float | None,
    mirror: Path | None,
) -> None:
    """Screen party names from a JSONL file; write one result line per query."""
    from screening.errors import InvalidInput
    from screening.services.parties import query_from_dict, screen_parties
    from screening.services.screening import match_policy

    if threshold is not None and not 0 < threshold <= 1:
        raise InvalidInput(f"--threshold must be in (0, 1], got {threshold}")
    parsed = []
    for number, line in enumerate(queries, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"line {number}: not JSON ({exc.msg})") from None
        if not isinstance(data, dict):
            raise InvalidInput(f"line {number}: expected a JSON object")
        parsed.append(query_from_dict(data, number))
    index = _index(ctx, mirror, sources)
    results = screen_parties(
        index, parsed, match_policy(ctx.settings), threshold=threshold, sources=set(sources) or None
    )
    for result in results:
        output.write(
            json.dumps({"qid": result["qid"], "hits": result["hits"]}, ensure_ascii=False) + "\n"
        )


@main.command("screen")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    "report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the Excel risk report here.",
)
@click.option(
    "--json",
    "json_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the result as JSON here ('-' for standard output).",
)
@click.option(
    "--csv",
    "csv_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the flags as CSV here.",
)
@map_option
@click.option(
    "--mirror",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Read lists from this mirror folder (no database; the run is not stored).",
)
@pass_ctx
@friendly
def screen_cmd(
    ctx: Context,
    file: Path,
    report: Path | None,
    json_out: Path | None,
    csv_out: Path | None,
    maps: tuple[str, ...],
    mirror: Path | None,
) -> None:
    """Screen the shipments in FILE (.xlsx, .csv or .json) and write the report."""
    from screening.intake import read_shipments
    from screening.intake.mapping import parse_override_args
    from screening.services import runs
    from screening.services.screening import screen_shipments

    settings = ctx.settings
    data = file.read_bytes()
    intake = read_shipments(
        data,
        file.name,
        mapping_overrides=parse_override_args(maps),
        max_bytes=settings.max_upload_bytes,
        max_rows=settings.max_rows,
    )
    mapping = {str(sheet or ""): m.as_dict() for sheet, m in intake.mappings.items()}
    index = _index(ctx, mirror)
    if mirror is not None:
        outcome = screen_shipments(
            intake.rows,
            index,
            settings,
            errors=intake.errors,
            input_name=file.name,
            input_sha256=intake.sha256,
            actor=actor(),
            channel="cli",
            mapping=mapping,
        )
    else:
        outcome = runs.screen_and_store(
            ctx.db,
            index,
            settings,
            intake.rows,
            errors=intake.errors,
            actor=actor(),
            channel="cli",
            input_name=file.name,
            input_sha256=intake.sha256,
            mapping=mapping,
        )
        from screening.services import register

        register.record_run(ctx.db, outcome.run_id)
    document = outcome.document()
    _write_outputs(document, report, json_out, csv_out)
    counts = document["run"]["counts"]
    click.echo(
        f"{file.name}: {len(intake.rows)} shipments screened ("
        + ", ".join(f"{n} {v}" for v, n in counts.items() if n)
        + f"); {len(intake.errors)} input errors; run {outcome.run_id}",
        err=True,
    )
    for error in intake.errors[:20]:
        where = f"{error.sheet}!" if error.sheet else ""
        click.echo(f"  {where}row {error.row}: {error.message}", err=True)


def _write_outputs(
    document: dict[str, Any], report: Path | None, json_out: Path | None, csv_out: Path | None
) -> None:
    if json_out is not None:
        text = json.dumps(document, ensure_ascii=False, indent=2)
        if str(json_out) == "-":
            click.echo(text)
        else:
            json_out.write_text(text, encoding="utf-8")
    if report is not None:
        from reports import write_report

        write_report(document, report)
    if csv_out is not None:
        from reports import write_flags_csv

        write_flags_csv(document, csv_out)


# -- batch, workers and the counterparty register ----------------------------


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on a terminal; a log line every tenth of the way otherwise."""
    if sys.stderr.isatty():
        bars: list[Any] = []

        def update_bar(done: int, total: int) -> None:
            if not bars:
                bars.append(
                    click.progressbar(
                        length=max(total, 1), label=label, file=sys.stderr
                    ).__enter__()
                )
            bars[0].update(done - bars[0].pos)

        try:
            yield update_bar
        finally:
            if bars:
                bars[0].__exit__(None, None, None)
        return
    logged = [-1]

    def log_line(done: int, total: int) -> None:
        tenth = done * 10 // max(total, 1)
        if tenth > logged[0]:
            logged[0] = tenth
            click.echo(f"{label}: {done}/{total} rows screened", err=True)

    yield log_line


@main.command("batch")
@click.argument("input_path", metavar="INPUT", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports"),
    show_default=True,
    help="Folder for the reports: <stem>.xlsx and <stem>.json per input file.",
)
@map_option
@click.option(
    "--mirror",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Read lists from this mirror folder (no database; runs are not stored).",
)
@pass_ctx
@friendly
def batch_cmd(
    ctx: Context, input_path: Path, out_dir: Path, maps: tuple[str, ...], mirror: Path | None
) -> None:
    """Screen INPUT, a shipment file or every .xlsx/.csv/.json file of a folder.

    Each file gets its report in the output folder and one summary line. With
    a database the runs are stored, and screened by Celery workers when a
    broker is configured. Exit code 1 when some file failed; the others are
    still screened.
    """
    from screening.errors import InvalidInput
    from screening.intake.mapping import parse_override_args
    from screening.jobs.batch import BatchScreener, input_files, report_stems

    overrides = parse_override_args(maps)
    files = input_files(input_path)
    if not files:
        raise InvalidInput(f"{input_path}: no .xlsx, .csv or .json file in this folder")
    settings = ctx.settings
    db = None if mirror is not None else ctx.db
    runner: Any = None
    if db is not None and settings.broker_url:
        from screening.jobs.celery_app import CeleryRunner

        runner = CeleryRunner(settings, db)
        index: Any = None  # the workers have their own
    else:
        index = _index(ctx, mirror)  # once, and before any file: no lists is a usage error
    screener = BatchScreener(
        settings,
        index=lambda: index,
        db=db,
        runner=runner,
        mapping_overrides=overrides,
        actor=actor(),
    )
    warned = [False]

    def waiting(idle: float) -> None:
        if idle > 30 and not warned[0]:
            warned[0] = True
            click.echo("no progress for 30 s: is a worker running (`screening worker`)?", err=True)

    out_dir.mkdir(parents=True, exist_ok=True)
    failed = 0
    for path, stem in report_stems(files).items():
        with _progress(path.name) as progress:
            result = screener.screen_file(path, out_dir, stem, progress=progress, on_idle=waiting)
        click.echo(result.summary())
        failed += not result.ok
    if failed:
        click.echo(f"{failed} of {len(files)} files failed", err=True)
        sys.exit(1)


@main.command("worker")
@click.option(
    "--concurrency", type=click.IntRange(min=1), help="Worker processes (default: one per CPU)."
)
@click.option(
    "--loglevel",
    default="INFO",
    show_default=True,
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
)
@pass_ctx
@friendly
def worker_cmd(ctx: Context, concurrency: int | None, loglevel: str) -> None:
    """Run a Celery worker: screening chunks, list refreshes, register re-screens.

    Needs SCREENING_BROKER_URL; start as many as you like, on any machine that
    reaches the broker and the database.
    """
    from screening.jobs.celery_app import run_worker

    run_worker(ctx.settings, concurrency=concurrency, loglevel=loglevel.upper())


@main.command("beat")
@click.option(
    "--loglevel",
    default="INFO",
    show_default=True,
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
)
@pass_ctx
@friendly
def beat_cmd(ctx: Context, loglevel: str) -> None:
    """Run Celery beat: enqueue the SCREENING_SCHEDULES jobs on time (run exactly one)."""
    from screening.jobs.celery_app import run_beat

    run_beat(ctx.settings, loglevel=loglevel.upper())


@main.group("register")
def register_group() -> None:
    """The counterparty register: parties of past screenings and imported register files."""


@register_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_ctx
@friendly
def register_import(ctx: Context, file: Path) -> None:
    """Import parties from FILE (.xlsx or CSV: name, country[, role, id])."""
    from screening.services import register

    result = register.import_file(
        ctx.db,
        file.read_bytes(),
        file.name,
        actor=actor(),
        max_bytes=ctx.settings.max_upload_bytes,
        max_rows=ctx.settings.max_rows,
    )
    click.echo(
        f"{file.name}: {result.rows} rows: {result.added} new parties, "
        f"{result.updated} updated, {len(result.errors)} skipped"
    )
    for row, message in result.errors[:20]:
        click.echo(f"  row {row}: {message}", err=True)


@register_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@friendly
def register_list(ctx: Context, as_json: bool) -> None:
    """List the register's parties."""
    from screening.services import register

    rows = register.list_parties(ctx.db)
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    click.echo(f"{'id':>6}  {'country':<7} {'role':<14} {'source':<9} {'last seen':<19}  name")
    for row in rows:
        click.echo(
            f"{row['id']:>6}  {row['country'] or '-':<7} {row['role'] or '-':<14} "
            f"{row['source']:<9} {row['last_seen'][:19]:<19}  {row['name']}"
        )


@register_group.command("rescreen")
@click.argument("version_id", type=int)
@pass_ctx
@friendly
def register_rescreen(ctx: Context, version_id: int) -> None:
    """Re-screen the register against what list version VERSION_ID added or changed."""
    from screening.jobs.scheduled import rescreen_and_report
    from screening.services import register

    result = rescreen_and_report(ctx.db, ctx.settings, version_id, actor=actor())
    report = register.get_rescreen(ctx.db, result.id)["report_path"]
    click.echo(result.message + (f" -> {report}" if report else ""))


@register_group.command("latest")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@friendly
def register_latest(ctx: Context, as_json: bool) -> None:
    """Show the newest re-screen: parties newly matching a list version."""
    from screening.services import register

    found = register.latest_rescreen(ctx.db)
    if as_json:
        click.echo(json.dumps(found, indent=2, ensure_ascii=False))
        return
    if found is None:
        click.echo("no register re-screen yet")
        return
    click.echo(
        f"{found['source']} version {found['version']['id']} ({found['version']['as_of']}):"
        f" {found['parties_screened']} parties screened against "
        f"{found['entries']['added']} added and {found['entries']['changed']} changed "
        f"entries; {found['parties_reported']} newly matching"
    )
    for item in found["parties"]:
        party = item["party"]
        hits = "; ".join(
            f"{h['entity_id']} {h['matched_name']!r} ({h['change']}, score {h['score']:.2f})"
            for h in item["hits"]
        )
        click.echo(f"  {party['name']} [{party['country'] or '-'}] {item['verdict']}: {hits}")
    if found["report_path"]:
        click.echo(f"report: {found['report_path']}")


# -- users and API keys -----------------------------------------------------


@main.group()
def users() -> None:
    """Web UI users and their roles (viewer < officer < reviewer < admin)."""


@users.command("create")
@click.argument("username")
@click.option(
    "--role", required=True, type=click.Choice([r.value for r in Role]), help="The user's role."
)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)
@pass_ctx
@friendly
def users_create(ctx: Context, username: str, role: str, password_stdin: bool) -> None:
    """Create USERNAME; this is also how the first admin is made."""
    from screening.services import accounts

    accounts.check_username(username)  # before asking for a password
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = accounts.create_user(ctx.db, username, password, role, actor=actor())
    click.echo(f"created user {user.username} with role {user.role}")


@users.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@friendly
def users_list(ctx: Context, as_json: bool) -> None:
    """List users with their roles."""
    from screening.services import accounts

    rows: list[dict[str, Any]] = [
        {
            "username": u.username,
            "role": u.role,
            "active": u.active,
            "created_at": u.created_at.isoformat(timespec="seconds"),
        }
        for u in accounts.list_users(ctx.db)
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(f"{'username':<24} {'role':<9} {'active':<6} created")
    for row in rows:
        active = "yes" if row["active"] else "no"
        click.echo(f"{row['username']:<24} {row['role']:<9} {active:<6} {row['created_at']}")


@users.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@pass_ctx
@friendly
def users_set_role(ctx: Context, username: str, role: str) -> None:
    """Give USERNAME another ROLE."""
    from screening.services import accounts

    user = accounts.set_role(ctx.db, username, role, actor=actor())
    click.echo(f"{user.username} now has role {user.role}")


@users.command("set-password")
@click.argument("username")
@click.option(
    "--password-stdin", is_flag=True, help="Read the new password from the first line of stdin."
)
@pass_ctx
@friendly
def users_set_password(ctx: Context, username: str, password_stdin: bool) -> None:
    """Give USERNAME a new password; their open sessions end at their next request."""
    from screening.services import accounts

    accounts.user_exists(ctx.db, username)  # before asking for a password
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    user = accounts.set_password(ctx.db, username, password, actor=actor())
    click.echo(f"new password set for {user.username}; their open sessions are signed out")


@users.command("deactivate")
@click.argument("username")
@pass_ctx
@friendly
def users_deactivate(ctx: Context, username: str) -> None:
    """Stop USERNAME from signing in; open sessions end at their next request."""
    from screening.services import accounts

    user = accounts.deactivate_user(ctx.db, username, actor=actor())
    click.echo(f"{user.username} deactivated")


@main.group("api-keys")
def api_keys() -> None:
    """API keys for the JSON API (scopes: screen, read, review, admin)."""


@api_keys.command("create")
@click.option("--name", required=True, help="Who or what uses the key, e.g. 'erp-nightly'.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice([s.value for s in Scope]),
    help="What the key may do (repeatable).",
)
@pass_ctx
@friendly
def api_keys_create(ctx: Context, name: str, scopes: tuple[str, ...]) -> None:
    """Create a key and print it once on stdout; only its hash is stored."""
    from screening.services import accounts

    key, plaintext = accounts.create_api_key(ctx.db, name, scopes, actor=actor())
    click.echo(plaintext)
    click.echo(
        f"API key {key.prefix} ({', '.join(key.scopes)}) created for {key.name!r}."
        " Store it now: it cannot be shown again.",
        err=True,
    )


@api_keys.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@friendly
def api_keys_list(ctx: Context, as_json: bool) -> None:
    """List keys by prefix (the secret part is never shown again)."""
    from screening.services import accounts

    rows: list[dict[str, Any]] = [
        {
            "prefix": k.prefix,
            "name": k.name,
            "scopes": k.scopes,
            "created_by": k.created_by,
            "created_at": k.created_at.isoformat(timespec="seconds"),
            "last_used_at": k.last_used_at.isoformat(timespec="seconds")
            if k.last_used_at
            else None,
            "revoked_at": k.revoked_at.isoformat(timespec="seconds") if k.revoked_at else None,
        }
        for k in accounts.list_api_keys(ctx.db)
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(f"{'prefix':<8}  {'name':<20} {'scopes':<26} {'last used':<19}  status")
    for row in rows:
        status = f"revoked {row['revoked_at'][:10]}" if row["revoked_at"] else "active"
        click.echo(
            f"{row['prefix']:<8}  {row['name']:<20} {','.join(row['scopes']):<26}"
            f" {row['last_used_at'] or 'never':<19}  {status}"
        )


@api_keys.command("revoke")
@click.argument("prefix")
@pass_ctx
@friendly
def api_keys_revoke(ctx: Context, prefix: str) -> None:
    """Revoke the key whose listing shows PREFIX; it is refused from then on."""
    from screening.services import accounts

    key = accounts.revoke_api_key(ctx.db, prefix, actor=actor())
    click.echo(f"API key {key.prefix} ({key.name}) revoked")


# -- claims -----------------------------------------------------------------


@main.group()
def claims() -> None:
    """Public claims that motivate the rules: the built-in registry and your own."""


@claims.command("check")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@friendly
def claims_check(file: Path | None) -> None:
    """Validate FILE (default: SCREENING_CLAIMS_FILE) and show which rules its claims attach to."""
    from screening.core.claims import load_claims, read_claims_file, rule_attachments

    # Settings.from_env, not ctx.settings: resolving would create the instance folder.
    path = file or Settings.from_env().claims_file
    if path is None:
        raise click.UsageError("give FILE or set SCREENING_CLAIMS_FILE")
    load_claims(path)  # every check, including ids shared with the built-in registry
    added = read_claims_file(path)
    click.echo(f"{path}: {len(added)} claims valid")
    for rule_id, ids in rule_attachments(added).items():
        click.echo(f"  {rule_id}: {', '.join(ids)}")
    loose = [c.id for c in added if not c.rules]
    if loose:
        click.echo(f"  (no rule): {', '.join(loose)}")


@claims.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the claims as JSON.")
@friendly
def claims_list(as_json: bool) -> None:
    """List the built-in claims and those of SCREENING_CLAIMS_FILE."""
    from screening.core.claims import load_claims
    from screening.services.screening import claim_dict

    found = load_claims(Settings.from_env().claims_file)
    if as_json:
        click.echo(json.dumps([{**claim_dict(c), "rules": list(c.rules)} for c in found], indent=2))
        return
    for claim in found:
        rules = f"  -> {', '.join(claim.rules)}" if claim.rules else ""
        click.echo(f"{claim.id}  {claim.date}  {claim.claimant}{rules}")


# -- service ----------------------------------------------------------------


@main.command("check-settings")
@friendly
def check_settings() -> None:
    """Validate SCREENING_* settings and print them (secrets hidden)."""
    settings = Settings.from_env().resolved()
    click.echo(repr(settings))


if __name__ == "__main__":  # pragma: no cover
    main()
