"""US-style addresses in lists that leave the country out.

BIS writes most domestic addresses of denied persons as street, city, state
and ZIP with an empty country ("3415 RIVERA AVENUE, EL PASO, TX, 79905"). A
two-letter US state code followed by a ZIP code is specific enough to read as
the United States; a state code alone is not ("CA" is also Canada's code).
"""

from __future__ import annotations

import re

US_STATES = frozenset(
    """
    AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ
    NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI AS MP
    """.split()  # noqa: SIM905 - a word block reads better than 150 quoted strings
)
_ZIP = re.compile(r"^\d{5}(?:-\d{4})?$")
# ZIP codes of these start with 0, which spreadsheets drop ("NH, 3801" for 03801).
_ZERO_ZIP_STATES = frozenset({"CT", "MA", "ME", "NH", "NJ", "RI", "VT", "PR", "VI"})


def is_us_state_and_zip(state: str | None, postal_code: str | None) -> bool:
    """True for a US state (or territory) code with a five-digit ZIP (or ZIP+4).

    Four digits also count for the states whose ZIP codes begin with 0.
    """
    if not state or not postal_code:
        return False
    state, postal_code = state.strip().upper(), postal_code.strip()
    if state not in US_STATES:
        return False
    if state in _ZERO_ZIP_STATES and len(postal_code) == 4 and postal_code.isdigit():
        return True
    return bool(_ZIP.match(postal_code))
