"""Country names and codes to ISO 3166-1 alpha-2.

Lists and shipment files write countries every way there is: "Russian
Federation", "RUSSIA", "RU", "RUS", "Türkiye", "Hong Kong SAR", "Korea, North",
"Iran (Islamic Republic of)". :func:`to_iso2` maps them all to one upper-case
code, using ISO 3166 data from ``pycountry`` and a table of the common names it
lacks. Regions that sanctions treat apart from their country (Crimea and the
other occupied regions of Ukraine) get user-assigned codes documented in
:data:`REGIONS`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import pycountry

# Names ISO does not carry but lists and ERP exports use. Keys are folded (see _fold).
ALIASES: dict[str, str] = {
    "russia": "RU",
    "russian federation": "RU",
    "rossiya": "RU",
    "россия": "RU",
    "ussr": "RU",
    "soviet union": "RU",
    "belarus": "BY",
    "byelorussia": "BY",
    "iran": "IR",
    "iran islamic republic of": "IR",
    "islamic republic of iran": "IR",
    "north korea": "KP",
    "korea north": "KP",
    "korea dprk": "KP",
    "dprk": "KP",
    "democratic peoples republic of korea": "KP",
    "korea democratic peoples republic of": "KP",
    "korea democratic peoples republic": "KP",
    "south korea": "KR",
    "korea south": "KR",
    "republic of korea": "KR",
    "korea republic of": "KR",
    "korea": "KR",
    "syria": "SY",
    "syrian arab republic": "SY",
    "cuba": "CU",
    "venezuela": "VE",
    "bolivarian republic of venezuela": "VE",
    "hong kong": "HK",
    "hong kong sar": "HK",
    "hong kong sar china": "HK",
    "hong kong china": "HK",
    "hongkong": "HK",
    "macau": "MO",
    "macao sar": "MO",
    "china": "CN",
    "peoples republic of china": "CN",
    "prc": "CN",
    "mainland china": "CN",
    "taiwan": "TW",
    "taiwan province of china": "TW",
    "turkey": "TR",
    "turkiye": "TR",
    "republic of turkiye": "TR",
    "uae": "AE",
    "u a e": "AE",
    "emirates": "AE",
    "united arab emirates": "AE",
    "uk": "GB",
    "u k": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "united kingdom": "GB",
    "usa": "US",
    "u s a": "US",
    "u s": "US",
    "united states": "US",
    "united states of america": "US",
    "america": "US",
    "vietnam": "VN",
    "viet nam": "VN",
    "laos": "LA",
    "burma": "MM",
    "myanmar": "MM",
    "moldova": "MD",
    "republic of moldova": "MD",
    "czech republic": "CZ",
    "czechia": "CZ",
    "kyrgyzstan": "KG",
    "kyrgyz republic": "KG",
    "tanzania": "TZ",
    "bolivia": "BO",
    "congo democratic republic of the": "CD",
    "democratic republic of the congo": "CD",
    "drc": "CD",
    "congo kinshasa": "CD",
    "congo brazzaville": "CG",
    "republic of the congo": "CG",
    "cote divoire": "CI",
    "ivory coast": "CI",
    "palestine": "PS",
    "state of palestine": "PS",
    "occupied palestinian territories": "PS",
    "occupied palestinian territory": "PS",
    "palestinian": "PS",
    "hong kong special administrative region": "HK",
    "china hong kong special administrative region": "HK",
    "hong kong special administrative region of china": "HK",
    "macao special administrative region": "MO",
    "china macao special administrative region": "MO",
    # Nationality adjectives lists use in place of country names.
    "russian": "RU",
    "belarusian": "BY",
    "ukrainian": "UA",
    "chinese": "CN",
    "iranian": "IR",
    "iraqi": "IQ",
    "syrian": "SY",
    "north korean": "KP",
    "afghan": "AF",
    "lebanese": "LB",
    "yemeni": "YE",
    "libyan": "LY",
    "somali": "SO",
    "sudanese": "SD",
    "pakistani": "PK",
    "saudi": "SA",
    "saudi arabian": "SA",
    "egyptian": "EG",
    "turkish": "TR",
    "emirati": "AE",
    "venezuelan": "VE",
    "cuban": "CU",
    "palestinian territories": "PS",
    "west bank": "PS",
    "gaza": "PS",
    "gaza strip": "PS",
    "kosovo": "XK",
    "macedonia": "MK",
    "north macedonia": "MK",
    "the netherlands": "NL",
    "holland": "NL",
    "the gambia": "GM",
    "gambia": "GM",
    "bahamas": "BS",
    "the bahamas": "BS",
    "eswatini": "SZ",
    "swaziland": "SZ",
    "cape verde": "CV",
    "vatican": "VA",
    "holy see": "VA",
    "brunei": "BN",
    "micronesia": "FM",
    "st kitts and nevis": "KN",
    "saint kitts and nevis": "KN",
    "st lucia": "LC",
    "st vincent and the grenadines": "VC",
    "east timor": "TL",
    "timor leste": "TL",
    "federal republic of germany": "DE",
    "deutschland": "DE",
    "yemen": "YE",
    "libya": "LY",
    "kazakstan": "KZ",
    "uzbekistan": "UZ",
    "armenia": "AM",
    "georgia": "GE",
    "azerbaijan": "AZ",
    "serbia": "RS",
    "montenegro": "ME",
    "bosnia": "BA",
    "bosnia and herzegovina": "BA",
    "bosnia herzegovina": "BA",
}

# Regions that sanctions programmes treat apart from the country they belong to.
# Codes from the user-assigned range (ISO 3166-1 reserves XA-XZ for such use).
REGIONS: dict[str, str] = {
    "crimea": "XC",
    "crimea region": "XC",
    "crimea region of ukraine": "XC",
    "autonomous republic of crimea": "XC",
    "sevastopol": "XC",
    "donetsk": "XD",
    "donetsk peoples republic": "XD",
    "dnr": "XD",
    "luhansk": "XL",
    "lugansk": "XL",
    "luhansk peoples republic": "XL",
    "lnr": "XL",
    "zaporizhzhia": "XZ",
    "zaporizhzhia oblast": "XZ",
    "zaporozhye": "XZ",
    "kherson": "XH",
    "kherson oblast": "XH",
}

REGION_NAMES: dict[str, str] = {
    "XC": "Crimea (occupied region of Ukraine)",
    "XD": "so-called Donetsk People's Republic (occupied region of Ukraine)",
    "XL": "so-called Luhansk People's Republic (occupied region of Ukraine)",
    "XZ": "Zaporizhzhia oblast, occupied areas (Ukraine)",
    "XH": "Kherson oblast, occupied areas (Ukraine)",
    "XK": "Kosovo",
}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower().replace("&", " and ").replace("'", "").replace("’", "")
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


@cache
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        index[code.lower()] = code
        index[country.alpha_3.lower()] = code
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                index.setdefault(_fold(value), code)
    for table in (ALIASES, REGIONS):
        for name, code in table.items():
            index[_fold(name)] = code
    # "xk" is not in pycountry but widely used for Kosovo.
    index["xk"] = "XK"
    return index


def to_iso2(value: str | None) -> str | None:
    """The ISO 3166-1 alpha-2 code (upper case) for a country name or code, or None.

    Occupied regions of Ukraine map to the user-assigned codes in :data:`REGIONS`.
    """
    if not value:
        return None
    folded = _fold(value)
    if not folded:
        return None
    index = _index()
    if folded in index:
        return index[folded]
    # "Moscow, Russia" or "Iran (Islamic Republic of)": try the pieces, last first.
    for piece in reversed(re.split(r"[,;/()]", value)):
        piece_folded = _fold(piece)
        if len(piece_folded) > 3 and piece_folded in index:
            return index[piece_folded]
    return None


def country_name(code: str) -> str:
    """A readable name for an ISO alpha-2 code (or one of our region codes)."""
    code = code.upper()
    if code in REGION_NAMES:
        return REGION_NAMES[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)
