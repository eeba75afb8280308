"""Uploads waiting for mapping confirmation: kept under a random token, never under their name.

The file's own name is only a label shown back to the user; the bytes live in
``<instance>/uploads/<token>`` and belong to the user who uploaded them.
Uploads older than a day are removed whenever a new one is saved.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path

from screening.errors import NotFound
from screening.settings import Settings

MAX_AGE = 24 * 3600
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def save(settings: Settings, data: bytes, filename: str, owner: str) -> str:
    folder = settings.uploads_path
    folder.mkdir(parents=True, exist_ok=True)
    _expire(folder)
    token = secrets.token_hex(16)
    (folder / token).write_bytes(data)
    (folder / f"{token}.json").write_text(json.dumps({"filename": filename, "owner": owner}))
    return token


def load(settings: Settings, token: str, owner: str) -> tuple[bytes, str]:
    """The upload's bytes and file name.

    Raises:
        NotFound: unknown or expired token, or someone else's upload.
    """
    if not _TOKEN.match(token):
        raise NotFound("no such upload")
    folder = settings.uploads_path
    try:
        meta = json.loads((folder / f"{token}.json").read_text())
        data = (folder / token).read_bytes()
    except (OSError, ValueError):
        raise NotFound("no such upload") from None
    if meta.get("owner") != owner:
        raise NotFound("no such upload")
    return data, str(meta.get("filename") or "upload")


def discard(settings: Settings, token: str) -> None:
    if _TOKEN.match(token):
        for path in (settings.uploads_path / token, settings.uploads_path / f"{token}.json"):
            path.unlink(missing_ok=True)


def _expire(folder: Path) -> None:
    cutoff = time.time() - MAX_AGE
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue
