"""A purchase order as the documents see it: a frozen snapshot, taken once from the database.

The cXML builder (``protocols.cxml``), the PDF renderer (``documents``) and the dispatch channels all read this
and nothing else, so what is sent never changes between retries and nothing below the service layer sees a model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class PostalAddress:
    """An address on an order (ship-to or bill-to)."""

    name: str
    street: str
    postal_code: str
    city: str
    country: str  # ISO 3166-1 alpha-2, e.g. "NL"
    address_id: str | None = None  # the supplier's code for this address (customer number / location code)
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class OrderLine:
    """One line of a purchase order."""

    line_number: int
    quantity: Decimal
    unit: str  # UN/ECE Rec 20
    unit_price: Decimal  # price per price unit
    price_unit: Decimal
    currency: str  # ISO 4217
    description: str
    net_amount: Decimal
    supplier_part_id: str = ""  # OCI VENDORMAT
    supplier_part_auxiliary_id: str | None = None  # OCI EXT_PRODUCT_ID
    manufacturer_part_id: str | None = None  # OCI MANUFACTMAT
    manufacturer_name: str | None = None
    classification_domain: str | None = None  # e.g. "UNSPSC"
    classification_code: str | None = None  # OCI MATGROUP or EXT_CATEGORY_ID
    leadtime_days: int | None = None
    longtext: str | None = None
    ledger_account: str | None = None


@dataclass(frozen=True)
class PurchaseOrderSnapshot:
    """Everything a supplier receives about one purchase order."""

    order_number: str  # e.g. "PO-2026-000123"
    order_date: datetime  # timezone-aware
    currency: str  # one currency per purchase order
    total: Decimal  # sum of the lines' net amounts
    buyer_organization: str
    buyer_name: str
    buyer_email: str
    supplier_name: str
    ship_to: PostalAddress
    bill_to: PostalAddress
    lines: tuple[OrderLine, ...]
    reference: str = ""  # the buyer's own reference
    notes: str = ""
    supplier_id: str | None = None  # the supplier's id in the buyer's system
    customer_number: str | None = None  # the buyer's customer number at the supplier (per delivery address)
    debtor_number: str | None = None
    location_code: str | None = None
    extrinsics: dict[str, str] = field(default_factory=dict)  # further name/value pairs for the supplier
