"""Settings: one frozen object, read once from ``SCREENING_*`` environment variables.

Tests and the CLI build :class:`Settings` directly; nothing mutates module
globals. :meth:`Settings.from_env` validates every value and raises
:class:`~screening.errors.ConfigError` with a one-line message that names the
variable, so a bad deployment stops at start-up instead of at the first request.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from screening.errors import ConfigError

PREFIX = "SCREENING_"
_QUEUE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")


@dataclass(frozen=True)
class Settings:
    # Where the SQLite file, the secret key and generated reports live.
    instance_path: Path = Path("instance")
    # SQLAlchemy URL. Empty means "SQLite file in the instance folder".
    database_url: str = ""
    # Celery broker (redis://...). Empty means batch work runs in-process.
    broker_url: str = ""
    # A folder laid out <source>/<as-of date>/<official files>; empty means download.
    list_mirror: Path | None = None
    # HS nomenclature CSV (datasets/harmonized-system layout) for code descriptions.
    hs_nomenclature: Path | None = None
    # Match scores at or above `alert_threshold` raise an alert; between
    # `review_threshold` and it, a hit is shown for review.
    alert_threshold: float = 0.78
    review_threshold: float = 0.48
    max_upload_bytes: int = 25 * 1024 * 1024
    max_rows: int = 200_000
    # Inputs up to this many rows are screened synchronously by the API.
    sync_rows: int = 500
    # A new list version may lose at most this share of entries without --force.
    max_list_shrink: float = 0.10
    secret_key: str = field(default="", repr=False)
    # Timeout for downloads of official lists, in seconds.
    download_timeout: float = 60.0
    # An internal HTTP mirror serving <base>/<source>/<official file name>; empty means
    # the publishers' own URLs.
    list_base_url: str = ""
    # Send the session cookie over HTTPS only. Off by default so that `make run`
    # works on plain http://127.0.0.1; turn it on behind TLS.
    secure_cookies: bool = False
    # Celery queue that runs, workers and beat share (one per deployment).
    celery_queue: str = "screening"
    # Seconds after which the broker hands a task that a dead worker took to
    # another worker. A chunk takes seconds; a task still running past this is
    # delivered twice, which is harmless (chunks are idempotent) but wasted.
    broker_visibility_timeout: float = 600.0
    # Cron schedules, in UTC: "refresh_lists=0 */6 * * *;watch_folder=0 2 * * *".
    schedules: str = ""
    # Folder whose shipment files the `watch_folder` job screens; done files move to done/.
    watch_folder: Path | None = None
    # Where `watch_folder` writes reports (default: <watch_folder>/reports).
    watch_out: Path | None = None
    # A JSON file of the site's own claims (claims.json shape), optionally attached
    # to rules with "rules": [rule ids]; validated when loaded.
    claims_file: Path | None = None

    def __post_init__(self) -> None:
        for name in ("alert_threshold", "review_threshold"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ConfigError(_var(name) + f": must be in (0, 1], got {value}")
        if self.review_threshold > self.alert_threshold:
            raise ConfigError(
                _var("review_threshold")
                + f": must not exceed SCREENING_ALERT_THRESHOLD ({self.alert_threshold})"
            )
        if not 0.0 <= self.max_list_shrink <= 1.0:
            raise ConfigError(_var("max_list_shrink") + ": must be in [0, 1]")
        for name in ("max_upload_bytes", "max_rows", "sync_rows"):
            if getattr(self, name) <= 0:
                raise ConfigError(_var(name) + ": must be a positive integer")
        if self.database_url:
            _check_database_url(self.database_url)
        if self.list_base_url and not self.list_base_url.startswith(("http://", "https://")):
            raise ConfigError(
                _var("list_base_url") + f": {self.list_base_url!r} is not an http(s) URL"
            )
        if self.download_timeout <= 0:
            raise ConfigError(_var("download_timeout") + ": must be a positive number of seconds")
        if self.broker_url and "://" not in self.broker_url:
            raise ConfigError(_var("broker_url") + f": cannot parse {self.broker_url!r} as a URL")
        if not _QUEUE_NAME.fullmatch(self.celery_queue):
            raise ConfigError(
                _var("celery_queue") + f": {self.celery_queue!r} is not a queue name"
                " (letters, digits, '-', '_' and '.')"
            )
        if self.broker_visibility_timeout <= 0:
            raise ConfigError(
                _var("broker_visibility_timeout") + ": must be a positive number of seconds"
            )
        jobs = self.schedule_items()  # validates SCREENING_SCHEDULES
        if self.watch_folder is not None and not self.watch_folder.is_dir():
            raise ConfigError(_var("watch_folder") + f": {self.watch_folder} is not a folder")
        if self.claims_file is not None and not self.claims_file.is_file():
            raise ConfigError(_var("claims_file") + f": {self.claims_file} is not a file")
        if any(job == "watch_folder" for job, _ in jobs) and self.watch_folder is None:
            raise ConfigError(
                _var("schedules") + ": the watch_folder job needs SCREENING_WATCH_FOLDER"
            )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``SCREENING_*`` variables (``os.environ`` by default).

        Raises:
            ConfigError: a value cannot be parsed or is out of range.
        """
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(_var(f.name))
            if raw is None or not raw.strip():
                continue
            values[f.name] = _parse(f.name, str(f.type), raw.strip())
        return cls(**values)

    def resolved(self) -> Settings:
        """Fill in what depends on the instance folder (database file, secret key)."""
        instance = self.instance_path.resolve()
        database_url = self.database_url or f"sqlite:///{instance / 'screening.db'}"
        secret_key = self.secret_key or _instance_secret(instance)
        return replace(
            self, instance_path=instance, database_url=database_url, secret_key=secret_key
        )

    def schedule_items(self) -> tuple[tuple[str, str], ...]:
        """The configured ``(job, cron expression)`` pairs, in the order given.

        Raises:
            ConfigError: an unknown job, a job named twice or an invalid cron expression.
        """
        return parse_schedules(self.schedules)

    @property
    def reports_path(self) -> Path:
        return self.instance_path / "reports"

    @property
    def watch_reports_path(self) -> Path | None:
        """Where the ``watch_folder`` job writes reports, or None without a watch folder."""
        if self.watch_folder is None:
            return None
        return self.watch_out or self.watch_folder / "reports"

    @property
    def uploads_path(self) -> Path:
        return self.instance_path / "uploads"


def _var(name: str) -> str:
    return PREFIX + name.upper()


# The jobs a schedule may name (see screening.jobs.scheduled).
SCHEDULED_JOBS = ("refresh_lists", "watch_folder")


def parse_schedules(text: str) -> tuple[tuple[str, str], ...]:
    """Parse ``"job=cron;job=cron"`` into ``(job, cron)`` pairs.

    Raises:
        ConfigError: naming SCREENING_SCHEDULES, for an unknown job, a job named
            twice or a cron expression that is not five valid fields.
    """
    if not text.strip():
        return ()
    # Imported here: croniter is only needed when schedules are configured.
    from croniter import croniter

    items: list[tuple[str, str]] = []
    for part in text.split(";"):
        if not part.strip():
            continue
        job, sep, expr = part.partition("=")
        job, expr = job.strip(), " ".join(expr.split())
        if not sep or not job:
            raise ConfigError(f"{_var('schedules')}: expected JOB=CRON, got {part.strip()!r}")
        if job not in SCHEDULED_JOBS:
            raise ConfigError(
                f"{_var('schedules')}: unknown job {job!r} (known: {', '.join(SCHEDULED_JOBS)})"
            )
        if any(job == seen for seen, _ in items):
            raise ConfigError(f"{_var('schedules')}: job {job!r} is scheduled twice")
        # Five fields only: croniter also takes seconds and years, Celery beat does not.
        if len(expr.split()) != 5 or not croniter.is_valid(expr):
            raise ConfigError(
                f"{_var('schedules')}: {job}: {expr!r} is not a five-field"
                " cron expression (minute hour day month weekday)"
            )
        items.append((job, expr))
    return tuple(items)


_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


def _parse(name: str, type_name: str, raw: str) -> Any:
    if type_name == "bool":
        # bool("false") is True, so booleans get a real parser.
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise ConfigError(f"{_var(name)}: cannot parse {raw!r} as a boolean (use true or false)")
    try:
        if "float" in type_name:
            return float(raw)
        if "int" in type_name:
            return int(raw.replace("_", ""))
        if "Path" in type_name:
            return Path(raw).expanduser()
        return raw
    except ValueError:
        raise ConfigError(f"{_var(name)}: cannot parse {raw!r} as {type_name}") from None


def _check_database_url(url: str) -> None:
    # Imported here so that the pure core can read settings without SQLAlchemy.
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"{_var('database_url')}: cannot parse {url!r} as a database URL"
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"{_var('database_url')}: unsupported database {parsed.get_backend_name()!r}"
            " (use sqlite or postgresql)"
        )


def _instance_secret(instance: Path) -> str:
    """A secret key kept in the instance folder, created on first use."""
    path = instance / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        instance.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        path.write_text(key)
        path.chmod(0o600)
        return key
