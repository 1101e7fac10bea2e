"""The hardened XML parser for everything cXML that comes from outside, and a minimal OrderRequest reader.

:func:`parse_document` is the only way this package turns foreign bytes into a tree:

* documents larger than :data:`MAX_DOCUMENT_BYTES` (5 MB) are refused before parsing;
* lxml runs with ``resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False``:
  no entity is ever expanded, no file or URL is read (the DOCTYPE's DTD URL is ignored);
* a document that declares any entity (the building block of XXE and "billion laughs" attacks)
  is refused outright, even though nothing would be expanded: first by a byte check for
  ``<!ENTITY`` (which also refuses the rare document quoting that string in CDATA), then,
  for encodings the byte check cannot see (UTF-16), by looking at the parsed internal subset;
* every failure is a :class:`CxmlParseError` (a ``ValueError``), never an lxml exception.

:func:`parse_order_request` reads the few values of an ``OrderRequest`` that the demo supplier
inbox and the tests need; it does not validate against the DTD.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from .build import CxmlIdentity

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "CxmlParseError",
    "ParsedLine",
    "ParsedOrder",
    "element_text",
    "parse_document",
    "parse_order_request",
]

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024

_local = threading.local()


class CxmlParseError(ValueError):
    """The bytes are not a cXML document this package is willing to read."""


def _parser() -> Any:
    """One parser per thread: lxml parser objects must not be shared between threads."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        _local.parser = parser
    return parser


def parse_document(document: bytes) -> Any:
    """Parse untrusted bytes into an lxml root element, or raise :class:`CxmlParseError`."""
    if len(document) > MAX_DOCUMENT_BYTES:
        raise CxmlParseError(f"the document has {len(document)} bytes, more than the limit of {MAX_DOCUMENT_BYTES}")
    if not document.strip():
        raise CxmlParseError("the document is empty")
    if b"<!ENTITY" in document:
        raise CxmlParseError("the document declares entities, which cXML never needs; it was not parsed")
    try:
        root = etree.fromstring(document, _parser())
    except (etree.LxmlError, ValueError) as error:
        raise CxmlParseError(f"not well-formed XML: {error}") from None
    if root is None:
        raise CxmlParseError("the document has no root element")
    internal = root.getroottree().docinfo.internalDTD
    if internal is not None and any(True for _ in internal.iterentities()):
        raise CxmlParseError("the document declares entities, which cXML never needs; it was not parsed")
    return root


def element_text(element: Any) -> str:
    """All text inside ``element`` (child text included), or "" for ``None``."""
    if element is None:
        return ""
    return "".join(element.itertext())


def _decimal(text: str | None, what: str) -> Decimal:
    try:
        value = Decimal((text or "").strip())
    except InvalidOperation:
        raise CxmlParseError(f"{what} is not a number: {text!r}") from None
    if not value.is_finite():
        raise CxmlParseError(f"{what} is not a finite number: {text!r}")
    return value


def _identity(element: Any) -> CxmlIdentity | None:
    if element is None:
        return None
    return CxmlIdentity(domain=element.get("domain", ""), identity=element_text(element.find("Identity")).strip())


@dataclass(frozen=True)
class ParsedLine:
    """One ``ItemOut`` as read back."""

    line_number: int | None
    quantity: Decimal
    supplier_part_id: str
    unit_price: Decimal  # per price_basis_quantity
    description: str  # ShortName when present, else the Description text
    unit: str = ""
    price_basis_quantity: Decimal = Decimal(1)
    supplier_part_auxiliary_id: str | None = None


@dataclass(frozen=True)
class ParsedOrder:
    """The values of an ``OrderRequest`` that a receiving inbox needs."""

    payload_id: str
    order_id: str
    order_date: str
    order_type: str
    order_version: int | None
    deployment_mode: str
    total: Decimal
    currency: str
    lines: tuple[ParsedLine, ...]
    ship_to_address_id: str | None
    extrinsics: dict[str, str] = field(default_factory=dict)
    from_: CxmlIdentity | None = None
    to: CxmlIdentity | None = None
    sender: CxmlIdentity | None = None
    shared_secret: str = field(default="", repr=False)


def _line(item: Any) -> ParsedLine:
    line_number_text = item.get("lineNumber")
    try:
        line_number = int(line_number_text) if line_number_text is not None else None
    except ValueError:
        raise CxmlParseError(f"ItemOut lineNumber is not a number: {line_number_text!r}") from None
    where = f"ItemOut {line_number_text or '?'}"
    detail = item.find("ItemDetail")
    if detail is None:
        raise CxmlParseError(f"{where} has no ItemDetail")
    description = detail.find("Description")
    short_name = description.find("ShortName") if description is not None else None
    if short_name is not None:
        description_text = element_text(short_name)
    elif description is not None:
        description_text = description.text or ""
    else:
        description_text = ""
    basis = detail.find("PriceBasisQuantity")
    auxiliary = item.find("ItemID/SupplierPartAuxiliaryID")
    return ParsedLine(
        line_number=line_number,
        quantity=_decimal(item.get("quantity"), f"{where} quantity"),
        supplier_part_id=element_text(item.find("ItemID/SupplierPartID")),
        unit_price=_decimal(detail.findtext("UnitPrice/Money"), f"{where} unit price"),
        description=description_text,
        unit=detail.findtext("UnitOfMeasure") or "",
        price_basis_quantity=(
            _decimal(basis.get("quantity"), f"{where} price basis quantity") if basis is not None else Decimal(1)
        ),
        supplier_part_auxiliary_id=element_text(auxiliary) if auxiliary is not None else None,
    )


def parse_order_request(document: bytes) -> ParsedOrder:
    """Read a cXML ``OrderRequest`` with the hardened parser; raise :class:`CxmlParseError` if it is not one."""
    root = parse_document(document)
    if root.tag != "cXML":
        raise CxmlParseError(f"the root element is <{root.tag}>, not <cXML>")
    request = root.find("Request")
    order_request = root.find("Request/OrderRequest")
    header = root.find("Request/OrderRequest/OrderRequestHeader")
    if request is None or order_request is None or header is None:
        raise CxmlParseError("the document is not a cXML OrderRequest")
    money = header.find("Total/Money")
    if money is None:
        raise CxmlParseError("the OrderRequestHeader has no Total/Money")
    version_text = header.get("orderVersion")
    try:
        order_version = int(version_text) if version_text is not None else None
    except ValueError:
        raise CxmlParseError(f"orderVersion is not a number: {version_text!r}") from None
    ship_to = header.find("ShipTo/Address")
    sender = root.find("Header/Sender/Credential")
    return ParsedOrder(
        payload_id=root.get("payloadID", ""),
        order_id=header.get("orderID", ""),
        order_date=header.get("orderDate", ""),
        order_type=header.get("type", "new"),
        order_version=order_version,
        deployment_mode=request.get("deploymentMode", "production"),
        total=_decimal(money.text, "the order total"),
        currency=money.get("currency", ""),
        lines=tuple(_line(item) for item in order_request.iterfind("ItemOut")),
        ship_to_address_id=ship_to.get("addressID") if ship_to is not None else None,
        extrinsics={element.get("name", ""): element_text(element) for element in header.iterfind("Extrinsic")},
        from_=_identity(root.find("Header/From/Credential")),
        to=_identity(root.find("Header/To/Credential")),
        sender=_identity(sender),
        shared_secret=element_text(sender.find("SharedSecret")) if sender is not None else "",
    )
