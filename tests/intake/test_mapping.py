from __future__ import annotations

import pytest

from screening.errors import InvalidInput
from screening.intake.mapping import (
    FIELDS,
    SYNONYMS,
    auto_map,
    fold_header,
    parse_override_args,
    require_columns,
    unknown_override_headers,
)

# Headers as ERP systems, forwarders and brokers write them.
REAL_HEADERS = [
    ("Ship-to party", "consignee"),
    ("Ship to", "consignee"),
    ("Consignee", "consignee"),
    ("Consignee name", "consignee"),
    ("CONSIGNEE NAME:", "consignee"),
    ("Warenempfänger", "consignee"),
    ("Buyer", "buyer"),
    ("Sold-to party", "buyer"),
    ("Customer", "buyer"),
    ("End user", "end_user"),
    ("Ultimate consignee", "end_user"),
    ("End-user name", "end_user"),
    ("Notify party", "notify_party"),
    ("Freight forwarder", "forwarder"),
    ("Forwarder", "forwarder"),
    ("Intermediate consignee", "intermediate_consignee"),
    ("Country of destination", "destination_country"),
    ("Dest. country", "destination_country"),
    ("Dest. Ctry", "destination_country"),
    ("Destination", "destination_country"),
    ("Bestimmungsland", "destination_country"),
    ("Ship-to country", "consignee_country"),
    ("Transit countries", "transshipment_countries"),
    ("Transshipment", "transshipment_countries"),
    ("Routing", "transshipment_countries"),
    ("Via", "transshipment_countries"),
    ("Port of transshipment", "transshipment_countries"),
    ("HS code", "hs_code"),
    ("HS", "hs_code"),
    ("Tariff no.", "hs_code"),
    ("Commodity code", "hs_code"),
    ("HTS", "hs_code"),
    ("Customs tariff number", "hs_code"),
    ("Zolltarifnummer", "hs_code"),
    ("Goods description", "goods_description"),
    ("Description of goods", "goods_description"),
    ("Material description", "goods_description"),
    ("Item description", "goods_description"),
    ("ECCN", "control_code"),
    ("Export control classification", "control_code"),
    ("Dual-use no.", "control_code"),
    ("AL number", "control_code"),
    ("Control list no.", "control_code"),
    ("Qty", "quantity"),
    ("Quantity", "quantity"),
    ("Value", "value"),
    ("Invoice value", "value"),
    ("Amount", "value"),
    ("Currency", "currency"),
    ("Curr.", "currency"),
    ("Shipment ID", "shipment_id"),
    ("Order no.", "shipment_id"),
    ("Order #", "shipment_id"),
    ("Delivery", "shipment_id"),
    ("Document number", "shipment_id"),
    ("Date", "date"),
    ("Ship date", "date"),
    ("Shipping date", "date"),
    ("end_user_country", "end_user_country"),
]


@pytest.mark.parametrize(("header", "field"), REAL_HEADERS)
def test_real_headers_map_to_their_field(header: str, field: str) -> None:
    mapping = auto_map([header])
    assert mapping.as_dict() == {header: field}
    assert mapping.unmapped == ()


def test_every_synonym_and_field_name_maps_to_its_own_field() -> None:
    for field, names in SYNONYMS.items():
        for name in (*names, field):
            assert auto_map([name]).field_for(name) == field, (name, field)
    assert set(SYNONYMS) == set(FIELDS)


def test_folding_ignores_case_accents_punctuation_and_number_spellings() -> None:
    assert fold_header("  Dest.  COUNTRY ") == fold_header("dest-country") == "destination country"
    assert fold_header("Order Nr.") == fold_header("order number") == fold_header("Order #")
    assert fold_header("WARENEMPFÄNGER") == fold_header("Warenempfanger")
    assert fold_header("Auftrag №") == "auftrag no"
    assert fold_header("Грузополучатель:") == "грузополучатель"


def test_unknown_headers_are_listed_as_unmapped() -> None:
    headers = ["Order no.", "Material", "Ship-to party", "Incoterms", "Dest. country"]
    mapping = auto_map(headers)
    assert mapping.unmapped == ("Material", "Incoterms")
    assert mapping.columns == (
        ("Order no.", "shipment_id"),
        ("Ship-to party", "consignee"),
        ("Dest. country", "destination_country"),
    )


def test_the_more_specific_header_wins_a_field() -> None:
    # SAP puts the customer number under "Ship-to party" and the name beside it.
    mapping = auto_map(["Ship-to party", "Name of ship-to party", "Country"])
    assert mapping.header_for("consignee") == "Name of ship-to party"
    assert "Ship-to party" in mapping.unmapped


def test_equally_specific_headers_go_to_the_leftmost() -> None:
    mapping = auto_map(["Consignee", "Consignee ", "Country"])
    assert mapping.header_for("consignee") == "Consignee"
    assert mapping.unmapped == ("Consignee ",)


def test_overrides_win_and_free_the_field_they_take_from() -> None:
    headers = ["Customer", "Partner", "Ship-to", "Dest. country"]
    mapping = auto_map(headers, {"partner": "buyer", "Ship-to": "consignee", "Customer": None})
    assert mapping.as_dict() == {
        "Partner": "buyer",
        "Ship-to": "consignee",
        "Dest. country": "destination_country",
    }
    assert mapping.unmapped == ("Customer",)
    assert mapping.overridden == ("Customer", "Partner", "Ship-to")


def test_override_target_may_be_written_like_a_header() -> None:
    mapping = auto_map(["Empfänger Endverbleib", "Land"], {"Empfänger Endverbleib": "End user"})
    assert mapping.field_for("Empfänger Endverbleib") == "end_user"


def test_headers_in_any_script_can_be_overridden() -> None:
    headers = ["Грузополучатель", "Страна назначения"]
    mapping = auto_map(
        headers, {"грузополучатель": "consignee", "Страна назначения": "destination_country"}
    )
    assert mapping.as_dict() == {
        "Грузополучатель": "consignee",
        "Страна назначения": "destination_country",
    }


def test_invalid_override_target_names_the_field() -> None:
    with pytest.raises(InvalidInput, match="'receiver_party'") as info:
        auto_map(["Ship-to"], {"Ship-to": "receiver_party"})
    assert info.value.context["field"] == "receiver_party"
    assert "consignee" in info.value.message  # the valid targets are listed


def test_two_overrides_to_one_field_are_refused() -> None:
    with pytest.raises(InvalidInput, match="both 'A' and 'B'"):
        auto_map(["A", "B"], {"A": "consignee", "B": "consignee"})


def test_cli_override_arguments() -> None:
    assert parse_override_args(["Ship-to=consignee", "Notes=", "a=b=End user"]) == {
        "Ship-to": "consignee",
        "Notes": None,
        "a=b": "end_user",
    }
    with pytest.raises(InvalidInput, match="Header=field"):
        parse_override_args(["Ship-to consignee"])
    with pytest.raises(InvalidInput, match="'shipto'"):
        parse_override_args(["Ship-to=shipto"])


def test_unknown_override_headers_are_found() -> None:
    assert unknown_override_headers(
        {"Ship-To": "consignee", "Shipto": "consignee"}, ["ship to"]
    ) == ["Shipto"]


def test_missing_requirements_are_one_error_listing_what_and_the_headers() -> None:
    headers = ["Order no.", "Material", "Qty"]
    with pytest.raises(InvalidInput) as info:
        require_columns(auto_map(headers), headers, "May")
    message = info.value.message
    assert "sheet 'May'" in message
    assert "a party name column (consignee, end_user or buyer)" in message
    assert "a destination column (destination_country or consignee_country)" in message
    assert "'Order no.', 'Material', 'Qty'" in message
    assert info.value.status == 400


def test_consignee_country_alone_satisfies_the_destination_requirement() -> None:
    headers = ["End user", "Ship-to country"]
    require_columns(auto_map(headers), headers, None)  # no error
    with pytest.raises(InvalidInput, match="a destination column") as info:
        require_columns(
            auto_map(["End user", "Buyer country"]), ["End user", "Buyer country"], None
        )
    assert "party name" not in info.value.message
