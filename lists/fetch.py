"""Downloads of official list files: the only network IO of the lists package."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path

from lists.base import SourceSpec
from screening.errors import SourceUnavailable

USER_AGENT = "sanctions-screening/0.1 (+https://github.com/; list refresh)"
MAX_DOWNLOAD_BYTES = 512 * 1024 * 1024


def download(
    spec: SourceSpec,
    folder: Path,
    *,
    timeout: float = 60.0,
    retries: int = 2,
    backoff: float = 2.0,
    max_bytes: int = MAX_DOWNLOAD_BYTES,
    base_url: str | None = None,
) -> Path:
    """Download the source's official files into ``folder`` (created) and return it.

    With ``base_url`` (an internal HTTP mirror), files come from
    ``<base_url>/<source>/<official file name>`` instead of the publishers' URLs.
    Optional files that fail are left out; a required file that fails after
    ``retries`` retries aborts this source only.

    Raises:
        SourceUnavailable: a required file could not be downloaded.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for official in spec.files:
        target = folder / official.name
        url = official.url
        if base_url:
            url = f"{base_url.rstrip('/')}/{spec.name}/{official.name}"
        try:
            _fetch(
                url,
                target,
                timeout=timeout,
                retries=retries,
                backoff=backoff,
                max_bytes=max_bytes,
            )
        except SourceUnavailable:
            if official.optional:
                continue
            raise
    return folder


def _fetch(
    url: str, target: Path, *, timeout: float, retries: int, backoff: float, max_bytes: int
) -> None:
    last: Exception | None = None
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(backoff * attempt)
        partial = target.with_suffix(target.suffix + ".part")
        try:
            request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
            with (
                urllib.request.urlopen(request, timeout=timeout) as response,
                partial.open("wb") as out,
            ):
                size = 0
                while chunk := response.read(1 << 20):
                    size += len(chunk)
                    if size > max_bytes:
                        raise SourceUnavailable(f"{url}: larger than {max_bytes} bytes")
                    out.write(chunk)
            if size == 0:
                raise SourceUnavailable(f"{url}: empty response")
            partial.replace(target)
            return
        except SourceUnavailable:
            partial.unlink(missing_ok=True)
            raise
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            partial.unlink(missing_ok=True)
            last = exc
    raise SourceUnavailable(f"{url}: download failed after {retries + 1} attempts ({last})")
