"""Exact address lookup: a party's address against the addresses of listed entries.

Addresses are compared after folding case, diacritics, punctuation and common
street abbreviations. Only addresses specific enough to identify a place take
part (a house number or at least four words): "Moscow, Russia" is not an
address match, "Office 12, 4 Lenina St, Moscow" is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from anyascii import anyascii

from screening.core.model import ListEntry

_ABBREVIATIONS = {
    "st": "street",
    "str": "street",
    "ul": "street",
    "ulitsa": "street",
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "bldg": "building",
    "bld": "building",
    "d": "house",
    "dom": "house",
    "no": "number",
    "fl": "floor",
    "rm": "room",
    "pr": "prospekt",
    "prosp": "prospekt",
    "pom": "premises",
    "kv": "flat",
    "apt": "flat",
    "ofc": "office",
    "of": "office",
    "blvd": "boulevard",
    "hk": "hong kong",
}


def normalize_address(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = anyascii(text).lower()
    words = re.findall(r"[a-z0-9]+", text)
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


def specific(key: str) -> bool:
    return bool(re.search(r"\d", key)) and len(key.split()) >= 3 or len(key.split()) >= 5


@dataclass(frozen=True, slots=True)
class ListedAddress:
    entity_id: str
    source: str
    name: str
    address: str


class AddressIndex:
    def __init__(self, entries: Iterable[ListEntry]) -> None:
        self._by_key: dict[str, list[ListedAddress]] = {}
        for entry in entries:
            for address in entry.addresses:
                key = normalize_address(address.full)
                if specific(key):
                    self._by_key.setdefault(key, []).append(
                        ListedAddress(
                            entry.entity_id, entry.source, entry.primary_name, address.full
                        )
                    )

    def lookup(self, address: str) -> list[ListedAddress]:
        key = normalize_address(address)
        if not specific(key):
            return []
        return self._by_key.get(key, [])

    def __len__(self) -> int:
        return len(self._by_key)
