"""US OFAC Consolidated Sanctions List (non-SDN lists: SSI, NS-PLC, NS-CMIC, NS-MBS, FSE, CAPTA).

Reads a mirror folder holding the Enhanced XML (``CONS_ENHANCED.XML``/``.ZIP``),
the legacy CSV set (``cons_prim.csv`` with ``cons_add.csv``, ``cons_alt.csv``,
``cons_comments.csv`` when present) or the legacy ``CONSOLIDATED.XML``, or one
such file. Entity ids are ``us_ofac_cons:<ent_num>``.
"""

from __future__ import annotations

from pathlib import Path

from lists.base import ParsedList
from lists.formats.ofac import CONS_FILES, parse_ofac_path

SOURCE = "us_ofac_cons"


def parse(path: Path) -> ParsedList:
    """Parse the Consolidated (non-SDN) list from a dated mirror folder or one official file.

    Raises:
        ListFormatError: no consolidated-list file found, or a file is not in its format.
    """
    return parse_ofac_path(path, SOURCE, CONS_FILES)
