"""The OCI NEW_ITEM field table (OCI 4.0 set plus the OCI 5 hierarchy fields).

This is the single source of truth for field names, maximum lengths and
meanings. It is used by the parser (length warnings, attribute names), by the
encoder, and to generate the supplier integration guide, so it is a plain,
public, immutable data structure.

Lengths follow the OCI 5 excerpt (oci.md §2.2, source E); where sources
conflict the note says so. ``max_length`` is None when the length is
unlimited (LONGTEXT) or unknown (ITEM_TYPE, PARENT_ID).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["FIELDS", "FIELDS_BY_NAME", "OciField", "wire_name"]


@dataclass(frozen=True, slots=True)
class OciField:
    """One NEW_ITEM field of the OCI cart.

    Attributes:
        name: the field name without prefix and index, e.g. ``"DESCRIPTION"``.
        max_length: maximum length in characters, None when unlimited/unknown.
        numeric: the value is a number written as a string (dot decimals).
        description: one-line English description, for the supplier guide.
        required: when the field is required (English, for the guide).
        since: the OCI version that introduced the field ("4.0" or "5.0").
        attribute: the name of the matching attribute on ``OciLine``.
        note: source conflicts or remarks (empty when none).
    """

    name: str
    max_length: int | None
    numeric: bool
    description: str
    required: str = "optional"
    since: str = "4.0"
    attribute: str = ""
    note: str = ""

    def wire_name(self, index: int) -> str:
        """The form field name a webshop posts for line ``index``."""
        return wire_name(self.name, index)


def wire_name(name: str, index: int) -> str:
    """Return the posted field name for ``name`` on line ``index``.

    ``wire_name("PRICE", 1) == "NEW_ITEM-PRICE[1]"``; LONGTEXT uses SAP's
    ``NEW_ITEM-LONGTEXT_1:132[]`` convention (oci.md §2.5).
    """
    if name == "LONGTEXT":
        return f"NEW_ITEM-LONGTEXT_{index}:132[]"
    return f"NEW_ITEM-{name}[{index}]"


def _f(
    name: str,
    max_length: int | None,
    description: str,
    *,
    numeric: bool = False,
    required: str = "optional",
    since: str = "4.0",
    attribute: str = "",
    note: str = "",
) -> OciField:
    return OciField(
        name=name,
        max_length=max_length,
        numeric=numeric,
        description=description,
        required=required,
        since=since,
        attribute=attribute or name.lower(),
        note=note,
    )


FIELDS: tuple[OciField, ...] = (
    _f(
        "DESCRIPTION",
        40,
        "Short text of the item.",
        required="required if MATNR is empty",
        note="SAP truncates it to 40 characters.",
    ),
    _f(
        "MATNR",
        40,
        "The buyer's (SAP) material number of the item.",
        required="required if DESCRIPTION is empty",
        note="40 in OCI 5; 18 in older SAP releases.",
    ),
    _f(
        "QUANTITY",
        15,
        "Quantity ordered, at most 11 digits before and 3 after the decimal point.",
        numeric=True,
        required="required",
    ),
    _f(
        "UNIT",
        3,
        "Unit of measure as an ISO / UN/ECE Recommendation 20 code (e.g. H87 for piece).",
        required="required (SAP: when MATNR is empty)",
    ),
    _f(
        "PRICE",
        15,
        "Net price per price unit, dot as decimal separator, no thousands separator.",
        numeric=True,
        required="optional; CURRENCY is required when it is sent",
        attribute="unit_price",
    ),
    _f("CURRENCY", 5, "ISO 4217 currency code of the price (e.g. EUR).", required="required when PRICE is sent"),
    _f(
        "PRICEUNIT",
        5,
        "Number of units the price refers to; empty means 1.",
        numeric=True,
        attribute="price_unit",
        note="5 in OCI 5; 9 in some supplier layouts.",
    ),
    _f("LEADTIME", 5, "Delivery time in days.", numeric=True, attribute="leadtime_days"),
    _f("LONGTEXT", None, "Long text of the item (e.g. a configuration); unlimited length.", attribute="longtext"),
    _f("VENDOR", 10, "The buyer's vendor (business partner) number for the supplier."),
    _f("VENDORMAT", 40, "The supplier's article number."),
    _f("MANUFACTCODE", 10, "The buyer's manufacturer number."),
    _f("MANUFACTMAT", 40, "The manufacturer's part number."),
    _f("MATGROUP", 10, "The buyer's material group; often an 8-digit UNSPSC code.", note="9 in some sources."),
    _f("SERVICE", 1, "Service flag: X marks the item as a service.", attribute="service"),
    _f("CONTRACT", 10, "The buyer's contract number."),
    _f("CONTRACT_ITEM", 5, "Item of the contract; requires CONTRACT."),
    _f("EXT_QUOTE_ID", 35, "The supplier's quotation number."),
    _f("EXT_QUOTE_ITEM", 10, "Item of the quotation; requires EXT_QUOTE_ID."),
    _f("EXT_PRODUCT_ID", 40, "Unique key of the item in the supplier's catalog."),
    _f("ATTACHMENT", 255, "URL of a downloadable attachment."),
    _f("ATTACHMENT_TITLE", 255, "Title of the attachment; defaults to the file name of the URL."),
    _f("ATTACHMENT_PURPOSE", 1, "Purpose of the attachment (C = configuration)."),
    _f(
        "EXT_SCHEMA_TYPE",
        10,
        "Name of the classification schema (e.g. UNSPSC, ECLASS).",
        required="required when EXT_CATEGORY_ID or EXT_CATEGORY is sent",
    ),
    _f("EXT_CATEGORY_ID", 60, "Category key within the classification schema."),
    _f("EXT_CATEGORY", 40, "Category description within the classification schema."),
    _f("SLD_SYS_NAME", 60, "System (SAP System Landscape Directory) name of the catalog."),
    _f("CUST_FIELD1", 10, "Customer-defined field 1."),
    _f("CUST_FIELD2", 10, "Customer-defined field 2."),
    _f("CUST_FIELD3", 10, "Customer-defined field 3."),
    _f("CUST_FIELD4", 20, "Customer-defined field 4."),
    _f("CUST_FIELD5", 50, "Customer-defined field 5."),
    _f(
        "ITEM_TYPE",
        None,
        "OCI 5 item type for item hierarchies (outline or normal item).",
        since="5.0",
        note="Length and values are not known from the public sources.",
    ),
    _f(
        "PARENT_ID",
        None,
        "OCI 5 reference to the parent item (bundles, configurations).",
        since="5.0",
        note="Length and values are not known from the public sources.",
    ),
)

FIELDS_BY_NAME: Mapping[str, OciField] = MappingProxyType({f.name: f for f in FIELDS})
"""The field table keyed by field name (upper case, without prefix/index)."""
