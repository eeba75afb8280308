"""US OFAC Specially Designated Nationals and Blocked Persons List (SDN).

Reads a mirror folder holding the Enhanced XML (``SDN_ENHANCED.XML``/``.ZIP``),
the legacy CSV set (``sdn.csv`` with ``add.csv``, ``alt.csv``,
``sdn_comments.csv`` when present) or the legacy ``SDN.XML``, or one such
file. Entity ids are ``us_ofac_sdn:<ent_num>``.
"""

from __future__ import annotations

from pathlib import Path

from lists.base import ParsedList
from lists.formats.ofac import SDN_FILES, parse_ofac_path

SOURCE = "us_ofac_sdn"


def parse(path: Path) -> ParsedList:
    """Parse the SDN list from a dated mirror folder or a single official file.

    Raises:
        ListFormatError: no SDN file found, or a file is not in its format.
    """
    return parse_ofac_path(path, SOURCE, SDN_FILES)
