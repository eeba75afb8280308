"""The errors we raise on purpose, each with the HTTP status it maps to.

The status is a class attribute read at run time (``type(exc).status``), so a
subclass never inherits a parent's status by accident. The web layer turns any
of these into one problem-details JSON shape; the CLI turns them into a message
and a non-zero exit code.
"""

from __future__ import annotations

from typing import ClassVar


class ScreeningError(Exception):
    """Base for every error we raise on purpose."""

    status: ClassVar[int] = 500
    title: ClassVar[str] = "Screening error"

    def __init__(self, message: str, **context: object) -> None:
        super().__init__(message)
        self.message = message
        self.context = context

    def __str__(self) -> str:
        return self.message


class ConfigError(ScreeningError):
    """A setting is missing or invalid; the service must not start."""

    title = "Invalid configuration"


class InvalidInput(ScreeningError):
    """The caller sent something we cannot use."""

    status = 400
    title = "Invalid input"


class NotFound(ScreeningError):
    status = 404
    title = "Not found"


class PayloadTooLarge(InvalidInput):
    status = 413
    title = "Payload too large"


class SourceUnavailable(ScreeningError):
    """A whole source failed to download: keep serving the previous version."""

    status = 503
    title = "List source unavailable"


class ListFormatError(ScreeningError):
    """A list file is not in the expected format at all: abort this source's load."""

    status = 422
    title = "List file not in the expected format"


class ListQualityError(ScreeningError):
    """A parsed list failed its checks before activation: keep the previous version."""

    status = 422
    title = "List failed its checks"


class NotReady(ScreeningError):
    """The service cannot answer yet (no list version active, migrations pending)."""

    status = 503
    title = "Service not ready"


class RateLimited(ScreeningError):
    """Too many attempts (e.g. failed sign-ins) in a short time; try again later."""

    status = 429
    title = "Too many requests"
