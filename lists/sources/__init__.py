"""The registry of list sources.

Adding a list means adding ``<name>.toml`` and ``<name>.py`` (with
``parse(path) -> ParsedList``) here, and one line to ``SOURCE_NAMES``.
"""

from __future__ import annotations

import importlib
from functools import cache

from lists.base import ListSource, SourceSpec
from screening.errors import NotFound

SOURCE_NAMES: tuple[str, ...] = (
    "us_ofac_sdn",
    "us_ofac_cons",
    "un_sc",
    "uk_ofsi",
    "uk_fcdo",
    "eu_fsf",
    "us_csl",
    "us_bis_dpl",
)


@cache
def get_source(name: str) -> ListSource:
    """The source plugin called ``name``.

    Raises:
        NotFound: no such source.
    """
    if name not in SOURCE_NAMES:
        raise NotFound(f"unknown list source {name!r}; known: {', '.join(SOURCE_NAMES)}")
    module = importlib.import_module(f"lists.sources.{name}")
    return ListSource(spec=SourceSpec.load(name), parse=module.parse)


def all_sources() -> list[ListSource]:
    return [get_source(name) for name in SOURCE_NAMES]
