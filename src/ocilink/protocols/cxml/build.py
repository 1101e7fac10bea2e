"""Build a cXML 1.2.063 ``OrderRequest`` from a :class:`PurchaseOrderSnapshot`.

The output is valid against ``cXML.dtd`` 1.2.063 (the tests validate every document they build).
Mapping decisions that the snapshot leaves open:

* **Empty supplier article number** (OCI VENDORMAT): cXML requires ``ItemID/SupplierPartID``.
  We send it *empty* and mark the line ``isAdHoc="yes"`` (cXML's flag for an item that is not
  from the supplier's catalogue) instead of inventing a number: a made-up part number such as
  the line number could match a real article of the supplier and get the wrong goods shipped.
* **Price units**: ``UnitPrice/Money`` is the price exactly as agreed (per ``price_unit``);
  when ``price_unit != 1`` the ``ItemDetail`` carries ``PriceBasisQuantity quantity=<price_unit>
  conversionFactor="1"`` with the line's unit, which the 1.2.063 DTD allows. Nothing is divided,
  so no precision is lost (12.50 per 100 stays 12.50 per 100).
* **Classification** (at least one is required): ``domain`` is the line's classification domain,
  or ``"UNSPSC"`` when none is given; the text is the classification code, or empty when the line
  has none (an empty ``Classification`` is valid and says "not classified").
* **People**: the buyer is sent as ``Contact role="buyer"`` (name, e-mail) and as ``DeliverTo``
  of the ship-to address.
* **Unit of measure**: the line's UN/ECE Rec 20 code; ``H87`` (piece) when the line has none.
* **Language**: the snapshot does not say which language its texts are in; every ``xml:lang``
  is ``"en"``.
* **Delivery date**: ``requestedDeliveryDate`` is left out (a lead time in days is not a date the
  buyer asked for); the lead time is sent as ``ItemDetail/LeadTime`` when known.
* **Long text**: ``Description`` holds the description followed by the long text, and
  ``Description/ShortName`` the description alone, so readers that only take the text get all of it.
* **Phone numbers** are free text in the snapshot; cXML wants them split. We do not guess the
  split: the whole number goes into ``TelephoneNumber/Number`` with the address's country code.
* **Extrinsics**: ``CustomerNumber``, ``DebtorNumber``, ``LocationCode`` and ``BuyerReference``
  from the snapshot, then the snapshot's ``extrinsics`` in their order; an ``extrinsics`` entry
  whose name was already written is skipped (the dedicated field wins).
* Characters XML cannot carry (control characters) are dropped from all texts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from ocilink.protocols.order import PostalAddress, PurchaseOrderSnapshot

from .items import DEFAULT_UNIT, UNCLASSIFIED_DOMAIN, items_markup
from .xmltext import (
    DEFAULT_LANG,
    XML_LANG,
    clean_text,
    document_bytes,
    iso_timestamp,
    plain_decimal,
)

__all__ = ["DEFAULT_UNIT", "UNCLASSIFIED_DOMAIN", "CxmlIdentity", "build_order_request", "new_payload_id"]

_DEPLOYMENT_MODES = ("production", "test")

_SubElement = etree.SubElement
# The document's frame; the ItemOut elements replace the placeholder comment after serialisation (order data is
# escaped, so it can never contain the placeholder's markup).
_ITEMS = b"<!--items-->"
_FRAME = b"<cXML><Header/><Request><OrderRequest><OrderRequestHeader/>" + _ITEMS + b"</OrderRequest></Request></cXML>"


@dataclass(frozen=True)
class CxmlIdentity:
    """One ``Credential``: the identity of a party in a credential domain (e.g. ``NetworkId``)."""

    domain: str
    identity: str


def new_payload_id(*, unique: str, host: str = "ocilink") -> str:
    """Return a cXML payloadID ``"<unique>@<host>"``.

    ``unique`` comes from the caller (the dispatch id) and holds no timestamp, so every retry of
    the same dispatch sends the same payloadID, as cXML requires.
    """
    if not unique.strip() or "@" in unique:
        raise ValueError(f"the unique part of a payloadID must be non-empty and contain no '@': {unique!r}")
    if not host.strip():
        raise ValueError("the host part of a payloadID must not be empty")
    return f"{unique}@{host}"


def _text(parent: Any, tag: str, text: str, attrib: dict[str, str] | None = None) -> Any:
    element = _SubElement(parent, tag, attrib) if attrib else _SubElement(parent, tag)
    element.text = clean_text(text)
    return element


def _credential(parent: Any, identity: CxmlIdentity, shared_secret: str | None = None) -> None:
    credential = _SubElement(parent, "Credential", {"domain": clean_text(identity.domain)})
    _text(credential, "Identity", identity.identity)
    if shared_secret is not None:
        _text(credential, "SharedSecret", shared_secret)


def _phone(parent: Any, number: str, country: str) -> None:
    telephone = _SubElement(_SubElement(parent, "Phone"), "TelephoneNumber")
    _text(telephone, "CountryCode", "", {"isoCountryCode": country})
    _text(telephone, "AreaOrCityCode", "")
    _text(telephone, "Number", number)


def _address(parent: Any, address: PostalAddress, deliver_to: str = "") -> None:
    country = clean_text(address.country)
    attrib = {"isoCountryCode": country}
    if address.address_id:
        attrib["addressID"] = clean_text(address.address_id)
    element = _SubElement(parent, "Address", attrib)
    _text(element, "Name", address.name, {XML_LANG: DEFAULT_LANG})
    postal = _SubElement(element, "PostalAddress")
    if deliver_to.strip():
        _text(postal, "DeliverTo", deliver_to)
    for street in address.street.splitlines() or [""]:
        _text(postal, "Street", street)
    _text(postal, "City", address.city)
    if address.postal_code:
        _text(postal, "PostalCode", address.postal_code)
    _text(postal, "Country", country, {"isoCountryCode": country})
    if address.email:
        _text(element, "Email", address.email)
    if address.phone:
        _phone(element, address.phone, country)


def _header_extrinsics(order: PurchaseOrderSnapshot) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, value in (
        ("CustomerNumber", order.customer_number),
        ("DebtorNumber", order.debtor_number),
        ("LocationCode", order.location_code),
        ("BuyerReference", order.reference),
    ):
        if value:
            pairs.append((name, value))
    seen = {name for name, _ in pairs}
    for name, value in order.extrinsics.items():
        if name not in seen:
            seen.add(name)
            pairs.append((name, value))
    return pairs


def _order_header(header: Any, order: PurchaseOrderSnapshot, order_version: int) -> None:
    header.set("orderID", clean_text(order.order_number))
    header.set("orderDate", iso_timestamp(order.order_date))
    header.set("type", "new")
    header.set("orderVersion", str(order_version))
    _text(_SubElement(header, "Total"), "Money", plain_decimal(order.total), {"currency": clean_text(order.currency)})
    _address(_SubElement(header, "ShipTo"), order.ship_to, deliver_to=order.buyer_name)
    _address(_SubElement(header, "BillTo"), order.bill_to)
    if order.buyer_name.strip() or order.buyer_email.strip():
        contact = _SubElement(header, "Contact", {"role": "buyer"})
        _text(contact, "Name", order.buyer_name.strip() or order.buyer_email, {XML_LANG: DEFAULT_LANG})
        if order.buyer_email:
            _text(contact, "Email", order.buyer_email)
    if order.notes.strip():
        _text(header, "Comments", order.notes, {XML_LANG: DEFAULT_LANG})
    for name, value in _header_extrinsics(order):
        _text(header, "Extrinsic", value, {"name": clean_text(name)})


def build_order_request(
    order: PurchaseOrderSnapshot,
    *,
    payload_id: str,
    timestamp: datetime,
    from_: CxmlIdentity,
    to: CxmlIdentity,
    sender: CxmlIdentity,
    shared_secret: str,
    user_agent: str = "ocilink",
    deployment_mode: str = "production",
    order_version: int = 1,
) -> bytes:
    """Return the UTF-8 bytes of a cXML ``OrderRequest`` for ``order``.

    ``payload_id`` must be the same for every retry of one dispatch (see :func:`new_payload_id`);
    ``timestamp`` and ``order.order_date`` must be timezone-aware. Raises ``ValueError`` for
    inputs no valid order can be made of (naive datetimes, NaN amounts, a price unit <= 0,
    an unknown deployment mode, an order without lines, an order version < 1).
    """
    if deployment_mode not in _DEPLOYMENT_MODES:
        raise ValueError(f"deployment_mode must be 'production' or 'test', not {deployment_mode!r}")
    if order_version < 1:
        raise ValueError(f"order_version starts at 1, not {order_version}")
    if not order.lines:
        raise ValueError(f"order {order.order_number} has no lines; cXML needs at least one ItemOut")
    items = items_markup(order.lines, order.currency)
    # The empty frame is constant markup (no order data); the header is set through lxml.
    frame_parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)  # parsers are per thread
    root = etree.fromstring(_FRAME, frame_parser)
    root.set("payloadID", clean_text(payload_id))
    root.set("timestamp", iso_timestamp(timestamp))
    root.set(XML_LANG, DEFAULT_LANG)
    header, request = root
    _credential(_SubElement(header, "From"), from_)
    _credential(_SubElement(header, "To"), to)
    sender_element = _SubElement(header, "Sender")
    _credential(sender_element, sender, shared_secret)
    _text(sender_element, "UserAgent", user_agent)
    request.set("deploymentMode", deployment_mode)
    order_request = request[0]
    _order_header(order_request[0], order, order_version)
    serialized: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
    return document_bytes(serialized.replace(_ITEMS, items, 1))
