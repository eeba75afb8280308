from __future__ import annotations

import dataclasses
import json

import pytest

from screening.core.shipments import ROLES, PartyRef, RowError, ShipmentRow


def test_roles_are_the_parties_a_shipment_can_name() -> None:
    assert ROLES == (
        "exporter",
        "consignee",
        "end_user",
        "buyer",
        "forwarder",
        "intermediate_consignee",
        "notify_party",
    )


def test_shipment_row_round_trips_through_json() -> None:
    row = ShipmentRow(
        row=4,
        sheet="Asia",
        shipment_id="80012345",
        date="2024-05-03",
        parties=(
            PartyRef("consignee", "GTLK ASIA LIMITED", "HK", "31/F, Tower Two, Times Square"),
            PartyRef("end_user", "AKTSIONERNOE OBSHCHESTVO PASIT", "RU"),
        ),
        destination_country="HK",
        transshipment_countries=("TR", "KZ"),
        hs_code="85423100",
        hs_code_raw="8542.31.00",
        quantity=1500.0,
        value=12000.5,
        currency="USD",
        control_code="3A991.A.2",
        original=(("Delivery", "80012345"), ("Ship-to party", "GTLK ASIA LIMITED")),
    )
    assert ShipmentRow.from_dict(json.loads(json.dumps(row.to_dict()))) == row
    assert row.parties_with_role("end_user") == (row.parties[1],)
    error = RowError(row=5, sheet="Asia", field="hs_code", message="HS code: bad")
    assert RowError.from_dict(json.loads(json.dumps(error.to_dict()))) == error


def test_values_are_frozen_and_hashable() -> None:
    row = ShipmentRow(row=2, sheet=None, parties=(PartyRef("buyer", "GOLD MILES LIMITED"),))
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.row = 3  # type: ignore[misc]
    assert len({row, ShipmentRow.from_dict(row.to_dict())}) == 1
