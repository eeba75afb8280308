"""Shipments as the screening core sees them, whatever file they came from.

The intake adapter (``screening.intake``) reads spreadsheets, CSV files and
ERP JSON rows into :class:`ShipmentRow` values and collects what it could not
read as :class:`RowError` values, each pointing at a row (and a sheet) the
uploader can find in the file they sent. Both are frozen and round-trip
through plain JSON (``to_dict`` / ``from_dict``) so that jobs, storage and
reports carry the same shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# The parties a shipment names, in the order reports list them.
ROLES: tuple[str, ...] = (
    "exporter",
    "consignee",
    "end_user",
    "buyer",
    "forwarder",
    "intermediate_consignee",
    "notify_party",
)


@dataclass(frozen=True, slots=True)
class PartyRef:
    """One party named on a shipment: the name to screen and what the row says about it."""

    role: str  # one of ROLES
    name: str
    country: str | None = None  # ISO 3166-1 alpha-2, upper case
    address: str | None = None


@dataclass(frozen=True, slots=True)
class ShipmentRow:
    """One shipment line, normalised.

    ``row`` is the row number the uploader sees in their sheet (header = row 1);
    for JSON rows it is the 1-based index + 1, as if a header preceded them.
    ``original`` keeps every input column as given (header, cell text) so that
    reports can echo the row back unchanged.
    """

    row: int
    sheet: str | None
    shipment_id: str | None = None
    date: str | None = None  # ISO date
    parties: tuple[PartyRef, ...] = ()
    destination_country: str | None = None  # ISO alpha-2
    transshipment_countries: tuple[str, ...] = ()  # ISO alpha-2, in routing order
    hs_code: str | None = None  # digits only, 6-10 of them
    hs_code_raw: str | None = None  # as given, when given
    hs_description: str | None = None  # HS nomenclature text, when the nomenclature is loaded
    goods_description: str | None = None
    quantity: float | None = None
    value: float | None = None
    currency: str | None = None  # ISO 4217 code
    # ECCN or EU dual-use number as given, upper case without spaces ("3A001.A.7");
    # "EAR99" also stands for "not listed" / "NLR" / "N".
    control_code: str | None = None
    original: tuple[tuple[str, str], ...] = ()

    def parties_with_role(self, role: str) -> tuple[PartyRef, ...]:
        return tuple(p for p in self.parties if p.role == role)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with every field (None and empty lists included)."""
        return {
            "row": self.row,
            "sheet": self.sheet,
            "shipment_id": self.shipment_id,
            "date": self.date,
            "parties": [
                {"role": p.role, "name": p.name, "country": p.country, "address": p.address}
                for p in self.parties
            ],
            "destination_country": self.destination_country,
            "transshipment_countries": list(self.transshipment_countries),
            "hs_code": self.hs_code,
            "hs_code_raw": self.hs_code_raw,
            "hs_description": self.hs_description,
            "goods_description": self.goods_description,
            "quantity": self.quantity,
            "value": self.value,
            "currency": self.currency,
            "control_code": self.control_code,
            "original": [list(pair) for pair in self.original],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ShipmentRow:
        return cls(
            row=data["row"],
            sheet=data.get("sheet"),
            shipment_id=data.get("shipment_id"),
            date=data.get("date"),
            parties=tuple(PartyRef(**p) for p in data.get("parties", ())),
            destination_country=data.get("destination_country"),
            transshipment_countries=tuple(data.get("transshipment_countries", ())),
            hs_code=data.get("hs_code"),
            hs_code_raw=data.get("hs_code_raw"),
            hs_description=data.get("hs_description"),
            goods_description=data.get("goods_description"),
            quantity=data.get("quantity"),
            value=data.get("value"),
            currency=data.get("currency"),
            control_code=data.get("control_code"),
            original=tuple((str(h), str(v)) for h, v in data.get("original", ())),
        )


@dataclass(frozen=True, slots=True)
class RowError:
    """Something in one row (or one sheet) that could not be read as given.

    ``field`` is the canonical field concerned ("hs_code", "consignee_country"),
    or None when the problem is the row as a whole.
    """

    row: int
    sheet: str | None
    field: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "sheet": self.sheet, "field": self.field, "message": self.message}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RowError:
        return cls(
            row=data["row"],
            sheet=data.get("sheet"),
            field=data.get("field"),
            message=data["message"],
        )
