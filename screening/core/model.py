"""The domain's nouns: list entries and their parts.

Every official list, whatever its format, is parsed into :class:`ListEntry`
values. They are frozen and hashable, and round-trip through plain JSON
(:meth:`ListEntry.to_dict` / :meth:`ListEntry.from_dict`) so that storage,
the API and reports all carry the same shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class EntityKind(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"
    VESSEL = "vessel"
    AIRCRAFT = "aircraft"

    @classmethod
    def from_schema(cls, schema: str | None) -> EntityKind | None:
        """Map FollowTheMoney-style schema names ("Person", "LegalEntity", ...) to a kind."""
        if not schema:
            return None
        key = schema.strip().lower()
        return _SCHEMA_KINDS.get(key)


_SCHEMA_KINDS = {
    "person": EntityKind.PERSON,
    "individual": EntityKind.PERSON,
    "organization": EntityKind.ORGANIZATION,
    "organisation": EntityKind.ORGANIZATION,
    "company": EntityKind.ORGANIZATION,
    "legalentity": EntityKind.ORGANIZATION,
    "entity": EntityKind.ORGANIZATION,
    "vessel": EntityKind.VESSEL,
    "ship": EntityKind.VESSEL,
    "aircraft": EntityKind.AIRCRAFT,
}


class NameKind(StrEnum):
    """How a list presents a name; matching weighs them differently."""

    PRIMARY = "primary"
    ALIAS = "alias"  # a.k.a., strong / good-quality alias, UK name variation
    WEAK_ALIAS = "weak_alias"  # OFAC weak a.k.a., UN/UK low-quality alias
    FORMER = "former"  # f.k.a., a vessel's former name
    ORIGINAL_SCRIPT = "original_script"  # name in non-Latin script as the list gives it


class IdentifierType(StrEnum):
    PASSPORT = "passport"
    NATIONAL_ID = "national_id"
    TAX_ID = "tax_id"
    INN = "inn"  # Russian taxpayer number
    OGRN = "ogrn"  # Russian state registration number
    KPP = "kpp"
    REGISTRATION = "registration"  # company registration number of any country
    USCC = "uscc"  # Chinese unified social credit code
    LEI = "lei"
    SWIFT = "swift"
    IMO = "imo"  # vessel or company IMO number
    MMSI = "mmsi"
    CALL_SIGN = "call_sign"
    AIRCRAFT_MSN = "aircraft_msn"  # manufacturer's serial number
    AIRCRAFT_TAIL = "aircraft_tail"
    UN_REF = "un_ref"
    OTHER = "other"


class CountryRole(StrEnum):
    NATIONALITY = "nationality"
    CITIZENSHIP = "citizenship"
    BIRTH = "birth"
    ADDRESS = "address"
    REGISTRATION = "registration"  # jurisdiction of incorporation
    FLAG = "flag"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Name:
    value: str
    kind: NameKind = NameKind.PRIMARY
    lang: str | None = None  # ISO 639 code when the list says, e.g. "ru"
    # Structured parts when the list gives them (UK/UN/EU); matching may use them.
    first: str | None = None
    last: str | None = None


@dataclass(frozen=True, slots=True)
class Identifier:
    type: IdentifierType
    value: str
    country: str | None = None  # ISO 3166 alpha-2, upper case
    note: str | None = None  # issuing authority, dates, free text as the list says


@dataclass(frozen=True, slots=True)
class Country:
    code: str  # ISO 3166 alpha-2 upper case; "XX" when the list names a place we cannot map
    role: CountryRole = CountryRole.OTHER
    label: str | None = None  # the text as the list gives it


@dataclass(frozen=True, slots=True)
class Address:
    full: str
    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    region: str | None = None
    country: str | None = None  # ISO alpha-2 upper case


@dataclass(frozen=True, slots=True)
class LegalBasis:
    """Why an entry is listed: the act that put it there."""

    title: str  # "E.O. 14024", "Regulation (EU) 269/2014", "UNSCR 1718 (2006)", "84 FR 12345"
    url: str | None = None
    date: str | None = None  # ISO date of publication/designation when known
    kind: str | None = None  # "program", "federal_register", "regulation", "regime", "resolution"


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One designation on one official list, normalised.

    ``entity_id`` (``<source>:<source id>``) is stable across list versions and
    is the id every API response, report and evaluation uses.
    """

    source: str
    source_id: str
    kind: EntityKind
    names: tuple[Name, ...]
    countries: tuple[Country, ...] = ()
    addresses: tuple[Address, ...] = ()
    birth_dates: tuple[str, ...] = ()  # ISO, possibly partial: "1961", "1961-05", "1961-05-12"
    birth_places: tuple[str, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    programs: tuple[str, ...] = ()
    listed_on: str | None = None  # ISO date
    legal_basis: tuple[LegalBasis, ...] = ()
    remarks: str | None = None
    gender: str | None = None  # "male" / "female" when the list says
    titles: tuple[str, ...] = ()  # positions, honorifics
    linked_to: tuple[str, ...] = ()  # names or ids of linked designations, as the list says
    # Source-specific typed facts that have no field of their own
    # (vessel type, tonnage, secondary-sanctions notes, sub-list, ...), sorted by key.
    properties: tuple[tuple[str, str], ...] = field(default=())

    @property
    def entity_id(self) -> str:
        return f"{self.source}:{self.source_id}"

    @property
    def primary_name(self) -> str:
        for name in self.names:
            if name.kind is NameKind.PRIMARY:
                return name.value
        return self.names[0].value if self.names else ""

    def prop(self, key: str) -> list[str]:
        return [v for k, v in self.properties if k == key]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; empty fields are left out."""
        out: dict[str, Any] = {
            "entity_id": self.entity_id,
            "source": self.source,
            "source_id": self.source_id,
            "kind": self.kind.value,
            "names": [_compact(n) for n in self.names],
        }
        for key in ("countries", "addresses", "identifiers", "legal_basis"):
            items = getattr(self, key)
            if items:
                out[key] = [_compact(i) for i in items]
        for key in ("birth_dates", "birth_places", "programs", "titles", "linked_to"):
            items = getattr(self, key)
            if items:
                out[key] = list(items)
        for key in ("listed_on", "remarks", "gender"):
            value = getattr(self, key)
            if value:
                out[key] = value
        if self.properties:
            out["properties"] = [list(p) for p in self.properties]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ListEntry:
        return cls(
            source=data["source"],
            source_id=data["source_id"],
            kind=EntityKind(data["kind"]),
            names=tuple(
                Name(**{**n, "kind": NameKind(n.get("kind", "primary"))}) for n in data["names"]
            ),
            countries=tuple(
                Country(**{**c, "role": CountryRole(c.get("role", "other"))})
                for c in data.get("countries", ())
            ),
            addresses=tuple(Address(**a) for a in data.get("addresses", ())),
            birth_dates=tuple(data.get("birth_dates", ())),
            birth_places=tuple(data.get("birth_places", ())),
            identifiers=tuple(
                Identifier(**{**i, "type": IdentifierType(i["type"])})
                for i in data.get("identifiers", ())
            ),
            programs=tuple(data.get("programs", ())),
            listed_on=data.get("listed_on"),
            legal_basis=tuple(LegalBasis(**b) for b in data.get("legal_basis", ())),
            remarks=data.get("remarks"),
            gender=data.get("gender"),
            titles=tuple(data.get("titles", ())),
            linked_to=tuple(data.get("linked_to", ())),
            properties=tuple((k, v) for k, v in data.get("properties", ())),
        )


def _compact(obj: Any) -> dict[str, Any]:
    return {
        k: (v.value if isinstance(v, StrEnum) else v)
        for k in obj.__slots__
        if (v := getattr(obj, k)) is not None
    }


def dedupe(items: Iterable[Any]) -> tuple[Any, ...]:
    """Keep the first of equal items, in order (lists repeat themselves a lot)."""
    return tuple(dict.fromkeys(items))
