"""build_order_request: DTD validity, the mapping of every snapshot field, and input errors."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from ocilink.protocols.cxml import DOCTYPE, CxmlIdentity, new_payload_id

from .factories import TIMESTAMP, assert_valid, build, make_line, make_order, tree


def test_documents_are_valid_against_the_dtd(cxml_dtd: Any) -> None:
    assert_valid(cxml_dtd, build())
    assert_valid(cxml_dtd, build(make_order(lines=(make_line(1, supplier_part_id=""),)), deployment_mode="test"))


def test_prolog_doctype_and_envelope() -> None:
    document = build()
    first, second, _ = document.split(b"\n", 2)
    assert first == b'<?xml version="1.0" encoding="UTF-8"?>'
    assert second.decode() == DOCTYPE
    assert DOCTYPE == '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd">'
    root = tree(document)
    assert root.get("payloadID") == "dispatch-42@ocilink"
    assert root.get("timestamp") == "2026-11-27T10:16:05+01:00"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_header_credentials_and_shared_secret() -> None:
    root = tree(build(user_agent="ocilink 0.1"))
    assert root.find("Header/From/Credential").get("domain") == "NetworkId"
    assert root.findtext("Header/From/Credential/Identity") == "AN-BUYER-01"
    assert root.find("Header/To/Credential").get("domain") == "DUNS"
    assert root.findtext("Header/To/Credential/Identity") == "123456789"
    assert root.findtext("Header/Sender/Credential/SharedSecret") == "s3cr3t-<&>"
    assert root.findtext("Header/Sender/UserAgent") == "ocilink 0.1"
    assert root.find("Header/From/Credential/SharedSecret") is None


def test_order_request_header() -> None:
    root = tree(build(deployment_mode="test", order_version=3))
    assert root.find("Request").get("deploymentMode") == "test"
    header = root.find("Request/OrderRequest/OrderRequestHeader")
    assert header.attrib == {
        "orderID": "PO-2026-000123",
        "orderDate": "2026-11-27T10:15:00+01:00",
        "type": "new",
        "orderVersion": "3",
    }
    money = header.find("Total/Money")
    assert (money.get("currency"), money.text) == ("EUR", "47.45")
    assert header.findtext("Comments") == "Please deliver before 10:00 at gate 3."
    assert header.find("Contact").get("role") == "buyer"
    assert header.findtext("Contact/Name") == "Jan de Vries"
    assert header.findtext("Contact/Email") == "jan.devries@acme.example"
    extrinsics = [(element.get("name"), element.text) for element in header.iterfind("Extrinsic")]
    assert extrinsics == [
        ("CustomerNumber", "C-998877"),
        ("DebtorNumber", "D-4411"),
        ("LocationCode", "AMS-01"),
        ("BuyerReference", "Project “Noord”"),
        ("CostCenter", "CC-100"),
    ]


def test_addresses() -> None:
    header = tree(build()).find("Request/OrderRequest/OrderRequestHeader")
    ship_to = header.find("ShipTo/Address")
    assert ship_to.attrib == {"isoCountryCode": "NL", "addressID": "LOC-0042"}
    assert ship_to.findtext("Name") == "Acme Facilities B.V."
    assert ship_to.findtext("PostalAddress/DeliverTo") == "Jan de Vries"
    assert [street.text for street in ship_to.iterfind("PostalAddress/Street")] == ["Keizersgracht 1", "Gebouw B"]
    assert ship_to.findtext("PostalAddress/City") == "Amsterdam"
    assert ship_to.findtext("PostalAddress/PostalCode") == "1015 CJ"
    assert ship_to.find("PostalAddress/Country").get("isoCountryCode") == "NL"
    assert ship_to.findtext("Email") == "goods-in@acme.example"
    assert ship_to.findtext("Phone/TelephoneNumber/Number") == "+31 20 555 0100"
    bill_to = header.find("BillTo/Address")
    assert bill_to.get("addressID") is None
    assert bill_to.findtext("Name") == "Acme Holding B.V."
    assert bill_to.find("PostalAddress/DeliverTo") is None
    assert bill_to.find("Email") is None
    assert bill_to.find("Phone") is None


def test_line_with_every_optional_field() -> None:
    item = tree(build()).find("Request/OrderRequest/ItemOut")
    assert item.attrib == {"quantity": "250", "lineNumber": "1"}
    assert item.findtext("ItemID/SupplierPartID") == "BK-266-M"
    assert item.findtext("ItemID/SupplierPartAuxiliaryID") == "cart-7f3a/1"
    detail = item.find("ItemDetail")
    assert detail.findtext("UnitPrice/Money") == "12.50"
    assert detail.find("UnitPrice/Money").get("currency") == "EUR"
    description = detail.find("Description")
    assert description.text == "Büroklammern 26/6 (Größe M)\nVerzinkt, 1000 Stück pro Packung.\nFarbe: silber"
    assert description.findtext("ShortName") == "Büroklammern 26/6 (Größe M)"
    assert detail.findtext("UnitOfMeasure") == "H87"
    basis = detail.find("PriceBasisQuantity")
    assert basis.attrib == {"quantity": "100", "conversionFactor": "1"}
    assert basis.findtext("UnitOfMeasure") == "H87"
    assert detail.find("Classification").get("domain") == "UNSPSC"
    assert detail.findtext("Classification") == "44122106"
    assert detail.findtext("ManufacturerPartID") == "MPN-266"
    assert detail.findtext("ManufacturerName") == "Clipfabrik GmbH"
    assert detail.findtext("LeadTime") == "3"
    assert detail.find("Extrinsic").get("name") == "LedgerAccount"
    assert detail.findtext("Extrinsic") == "4930"


def test_minimal_line_leaves_optional_parts_out() -> None:
    item = tree(build()).findall("Request/OrderRequest/ItemOut")[1]
    assert item.attrib == {"quantity": "2", "lineNumber": "2"}
    assert item.find("ItemID/SupplierPartAuxiliaryID") is None
    detail = item.find("ItemDetail")
    assert detail.findtext("UnitPrice/Money") == "8.10"
    assert detail.find("Description").text == "Article 2"
    assert detail.find("Description/ShortName") is None
    for tag in ("PriceBasisQuantity", "ManufacturerPartID", "ManufacturerName", "LeadTime", "Extrinsic"):
        assert detail.find(tag) is None, tag


def test_line_without_article_number_is_ad_hoc_with_empty_part_id(cxml_dtd: Any) -> None:
    document = build(make_order(lines=(make_line(7, supplier_part_id=""),)))
    assert_valid(cxml_dtd, document)
    item = tree(document).find("Request/OrderRequest/ItemOut")
    assert item.get("isAdHoc") == "yes"
    assert (item.findtext("ItemID/SupplierPartID") or "") == ""


def test_classification_fallbacks_and_default_unit() -> None:
    lines = (
        make_line(1, classification_code="OFFICE-12", unit=""),
        make_line(2, classification_domain="eCl@ss", classification_code="24-32-01-01"),
        make_line(3),
    )
    details = [item.find("ItemDetail") for item in tree(build(make_order(lines=lines))).iter("ItemOut")]
    assert [(d.find("Classification").get("domain"), d.findtext("Classification") or "") for d in details] == [
        ("UNSPSC", "OFFICE-12"),
        ("eCl@ss", "24-32-01-01"),
        ("UNSPSC", ""),
    ]
    assert details[0].findtext("UnitOfMeasure") == "H87"


def test_amounts_are_plain_decimals_without_exponent() -> None:
    lines = (make_line(1, quantity=Decimal("1E+3"), unit_price=Decimal("0.00001"), price_unit=Decimal("1E+2")),)
    document = build(make_order(lines=lines, total=Decimal("1.0E+1")))
    assert b"E+" not in document
    assert b"E-" not in document
    root = tree(document)
    item = root.find("Request/OrderRequest/ItemOut")
    assert item.get("quantity") == "1000"
    assert item.findtext("ItemDetail/UnitPrice/Money") == "0.00001"
    assert item.find("ItemDetail/PriceBasisQuantity").get("quantity") == "100"
    assert root.findtext("Request/OrderRequest/OrderRequestHeader/Total/Money") == "10"


def test_special_characters_are_escaped_and_control_characters_dropped(cxml_dtd: Any) -> None:
    nasty = "a<b>&c\"d'e “f” ü\x00\x07\x1b\ufffe"
    order = make_order(lines=(make_line(1, description=nasty, supplier_part_id=nasty),), notes=nasty)
    document = build(order)
    assert_valid(cxml_dtd, document)
    root = tree(document)
    expected = "a<b>&c\"d'e “f” ü"
    assert root.findtext("Request/OrderRequest/ItemOut/ItemID/SupplierPartID") == expected
    assert root.findtext("Request/OrderRequest/OrderRequestHeader/Comments") == expected


def test_extrinsics_do_not_duplicate_dedicated_fields() -> None:
    order = make_order(extrinsics={"CustomerNumber": "other", "Budget": "2026"}, debtor_number=None, reference="")
    header = tree(build(order)).find("Request/OrderRequest/OrderRequestHeader")
    names = [(element.get("name"), element.text) for element in header.iterfind("Extrinsic")]
    assert names == [("CustomerNumber", "C-998877"), ("LocationCode", "AMS-01"), ("Budget", "2026")]


def test_empty_notes_and_missing_buyer_leave_elements_out(cxml_dtd: Any) -> None:
    document = build(make_order(notes="  ", buyer_name="", buyer_email=""))
    assert_valid(cxml_dtd, document)
    header = tree(document).find("Request/OrderRequest/OrderRequestHeader")
    assert header.find("Comments") is None
    assert header.find("Contact") is None
    assert header.find("ShipTo/Address/PostalAddress/DeliverTo") is None


def test_payload_id_is_stable_for_the_same_dispatch() -> None:
    assert new_payload_id(unique="dispatch-42") == "dispatch-42@ocilink"
    assert new_payload_id(unique="7f3a", host="buyer.example") == "7f3a@buyer.example"
    assert build() == build()  # retries send identical bytes


@pytest.mark.parametrize(("unique", "host"), [("", "ocilink"), ("a@b", "ocilink"), ("x", " ")])
def test_payload_id_rejects_bad_parts(unique: str, host: str) -> None:
    with pytest.raises(ValueError, match="payloadID"):
        new_payload_id(unique=unique, host=host)


@pytest.mark.parametrize(
    ("order", "arguments", "message"),
    [
        (make_order(), {"timestamp": datetime(2026, 11, 27, 10, 0)}, "time zone"),  # noqa: DTZ001
        (make_order(order_date=datetime(2026, 11, 27)), {}, "time zone"),  # noqa: DTZ001
        (make_order(lines=()), {}, "no lines"),
        (make_order(lines=(make_line(1, price_unit=Decimal(0)),)), {}, "price unit"),
        (make_order(lines=(make_line(1, price_unit=Decimal("NaN")),)), {}, "price unit"),
        (make_order(lines=(make_line(1, unit_price=Decimal("Infinity")),)), {}, "finite"),
        (make_order(total=Decimal("NaN")), {}, "finite"),
        (make_order(lines=(make_line(1, quantity=Decimal("NaN")),)), {}, "finite"),
        (make_order(lines=(make_line(-1),)), {}, "negative"),
        (make_order(), {"deployment_mode": "staging"}, "deployment_mode"),
        (make_order(), {"order_version": 0}, "order_version"),
    ],
)
def test_invalid_input_raises_value_error(order: Any, arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build(order, **arguments)


def test_other_identities_and_timestamp_offsets() -> None:
    root = tree(build(from_=CxmlIdentity("DUNS", "1"), timestamp=TIMESTAMP.astimezone(UTC)))
    assert root.find("Header/From/Credential").get("domain") == "DUNS"
    assert root.get("timestamp") == "2026-11-27T09:16:05+00:00"


def test_order_lines_keep_their_order_and_numbers() -> None:
    lines = tuple(make_line(number) for number in (3, 1, 20))
    items = tree(build(make_order(lines=lines))).findall("Request/OrderRequest/ItemOut")
    assert [item.get("lineNumber") for item in items] == ["3", "1", "20"]


def test_line_currency_falls_back_to_the_order_currency() -> None:
    order = make_order(lines=(make_line(1, currency=""),), currency="CHF")
    money = tree(build(order)).find("Request/OrderRequest/ItemOut/ItemDetail/UnitPrice/Money")
    assert money.get("currency") == "CHF"
