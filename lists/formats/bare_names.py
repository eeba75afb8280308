"""Names as lists without structure give them: kind guess and inline aliases.

**Kind.**
BIS's Denied Persons List and several Consolidated Screening List sub-lists
(Entity List, ITAR debarments, Unverified List, ...) give a bare name with no
type. Matching treats people and companies differently (birth dates, legal
forms), so such entries get a kind guessed from the name: a legal form or a
business word ("LTD", "GMBH", "TRADING", "UNIVERSITY") means an organisation;
otherwise the list's own majority decides. Parsers mark guessed kinds with the
property ``kind_guessed`` so that downstream code can weigh them less.

**Inline aliases.** The same lists write aliases into the name itself:
``Far East Trading Company, Inc. (a.k.a. FETCO, Inc.)``, ``FUYI SUN A/K/A
FRANK SUN``, ``Gazprom Promgaz, AO (f.k.a. ...)``, and State's ISN appends
``and any successor, sub-unit, or subsidiary thereof``. :func:`split_name`
separates the listed name from those parts so that matching sees each name alone.
"""

from __future__ import annotations

import re

from screening.core.model import EntityKind, Name, NameKind

# Whole words (upper case, dotted abbreviations joined) that people's names do not contain.
_ORG_WORDS = frozenset(
    """
    LTD LIMITED LLC LLP INC INCORPORATED CORP CORPORATION COMPANY CIE GMBH MBH AG KG
    SRL SARL SPZOO PLC PTE PVT PTY OOO ZAO OAO PAO JSC OJSC CJSC PJSC
    NPO NPP FGUP FSUE TOO OY SDN BHD FZE FZCO FZC DMCC WLL
    ENTERPRISE ENTERPRISES INDUSTRY INDUSTRIES INDUSTRIAL INTERNATIONAL TRADING TRADE TRADERS
    GROUP HOLDING HOLDINGS TECHNOLOGY TECHNOLOGIES TECH ELECTRONIC ELECTRONICS SYSTEM SYSTEMS
    SERVICE SERVICES SOLUTIONS AVIATION AIRLINE AIRLINES AIRWAYS AIR LOGISTICS SHIPPING FREIGHT
    EXPORT EXPORTS IMPORT IMPORTS MARINE UNIVERSITY INSTITUTE ACADEMY CENTER CENTRE LABORATORY
    LABORATORIES LAB BUREAU MINISTRY GOVERNMENT ARMY FORCE FORCES BANK FACTORY PLANT WORKS
    ESTABLISHMENT ORGANIZATION ORGANISATION AGENCY AUTHORITY COMMISSION COUNCIL FOUNDATION
    ASSOCIATION PARTNERS MANUFACTURING ENGINEERING SUPPLY SUPPLIES EQUIPMENT MACHINERY MACHINE
    PRODUCTS MATERIALS ENERGY POWER CHEMICAL CHEMICALS METALS PHARMA PHARMACEUTICALS MEDICAL
    DEVELOPMENT RESEARCH SCIENCE SCIENTIFIC NETWORK NETWORKS COMMUNICATIONS TELECOM
    SEMICONDUCTOR SEMICONDUCTORS MICROELECTRONICS PHOTONICS OPTICS DYNAMICS AEROSPACE DEFENSE
    DEFENCE MILITARY NAVAL SHIPYARD SHIPBUILDING EXPRESS CARGO TRANSPORT STORE SHOP SURPLUS
    CONSULTING CONSULTANTS INVESTMENT INVESTMENTS CAPITAL FINANCE FINANCIAL PARTNERSHIP
    DISTRIBUTION DISTRIBUTORS INSTRUMENTS COMPONENTS PRECISION MACHINES TOOLS HOSPITAL
    COLLEGE SCHOOL PARTY MOVEMENT BRIGADE FRONT REGIME COMPUTER COMPUTERS DIGITAL TECHNIK
    HANDEL VERTRIEB VERTRIEBS
    """.split()  # noqa: SIM905 - a word block reads better than 150 quoted strings
)
_NON_WORD = re.compile(r"[^\w&]+")
_DOMAIN = re.compile(r"\w\.(?:COM|NET|ORG|RU|CN)\b")
# Short legal forms that are also initials or surnames ("A.S.", "Sa", "Co"): only at the end.
_TRAILING_FORM = re.compile(
    r"[\s,](?:S\.?A|S\.?L|S\.?R\.?L|S\.?A\.?S|S\.?P\.?A|B\.?V|N\.?V|A\.?S|A\.?B|A\.?O|O\.?U|"
    r"C\.?O|L\.?P|E\.?S\.?T)\.?\s*$",
    re.IGNORECASE,
)


def looks_like_organization(name: str) -> bool:
    """True when the name carries a legal form, a business word, a digit or an ampersand."""
    text = name.upper()
    if "&" in text or any(c.isdigit() for c in text) or _TRAILING_FORM.search(text):
        return True
    if _DOMAIN.search(text):
        return True
    # "L.L.C." and "CO." count as the words LLC and CO.
    undotted = re.sub(r"\b(\w)\.(?=\w\.)", r"\1", text).replace(".", " ")
    return any(word in _ORG_WORDS for word in _NON_WORD.split(undotted) if word)


def guess_kind(name: str, default: EntityKind) -> EntityKind:
    """ORGANIZATION when the name looks like one, else the list's usual kind ``default``."""
    if looks_like_organization(name):
        return EntityKind.ORGANIZATION
    return default


_BRACKETED_ALIAS = re.compile(
    r"\s*[(\[]\s*(?P<marker>a\.?k\.?a\.?|f\.?k\.?a\.?|d/b/a|also known as|formerly known as|formerly)"
    r"\s*[,:]?\s*(?P<names>[^)\]]+)[)\]]",
    re.IGNORECASE,
)
_INLINE_ALIAS = re.compile(
    r"\s*,?\s+(?P<marker>a/k/a|a\.k\.a\.?|f/k/a|f\.k\.a\.?|d/b/a)\s*,?\s+", re.IGNORECASE
)
_SUCCESSORS = re.compile(
    r"[;,]?\s*(?:and any successor,? sub-?unit,? or subsidiary thereof|and its sub-?units and successors)"
    r"\.?\s*$",
    re.IGNORECASE,
)


def split_name(text: str) -> tuple[str, tuple[Name, ...], bool]:
    """The listed name without inline aliases, the aliases, and whether successors are covered.

    "f.k.a." names are :attr:`NameKind.FORMER`; "a.k.a." and "d/b/a" names are
    :attr:`NameKind.ALIAS`. Text without such parts comes back unchanged.
    """
    name = " ".join(text.split())
    name, successors = _SUCCESSORS.subn("", name)
    aliases: list[Name] = []
    for match in _BRACKETED_ALIAS.finditer(name):
        kind = _alias_kind(match.group("marker"))
        for part in match.group("names").split(";"):
            if part.strip(" ,"):
                aliases.append(Name(part.strip(" ,"), kind))
    name = _BRACKETED_ALIAS.sub("", name)
    pieces = _INLINE_ALIAS.split(name)
    # split() interleaves the captured markers: [name, marker, alias, marker, alias, ...]
    name = pieces[0]
    for marker, alias in zip(pieces[1::2], pieces[2::2], strict=True):
        if alias.strip(" ,"):
            aliases.append(Name(alias.strip(" ,"), _alias_kind(marker)))
    name = " ".join(name.split()).strip(" ,;")
    return (name or " ".join(text.split())), tuple(aliases), bool(successors)


def _alias_kind(marker: str) -> NameKind:
    return NameKind.FORMER if marker.lower().startswith(("f", "formerly")) else NameKind.ALIAS
