"""The supplier integration guide, generated from the code so that it never drifts from what ocilink does.

Every table of the guide is read from the code at request time:

* the punchout parameters: what ``protocols.oci.build_punchout_fields`` returns for placeholder values;
* the cart fields: the codec's field table ``protocols.oci.FIELDS`` (names, lengths, descriptions);
* units and currencies: ``DEFAULT_UNIT_ALIASES``, ``REC20_UNITS`` and ``ISO_4217_CODES``;
* the PRICEUNIT example: a sample cart parsed by ``parse_cart``, so the amount shown is the one ocilink computes;
* the return form: ``encode_cart_fields`` of sample lines;
* the ordering methods: ``dispatch.registry.channel_classes()`` with their configuration fields, and a sample
  ``OrderRequest`` built by ``protocols.cxml.build_order_request``.

Only the explanations around them are prose (translatable).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from ocilink.dispatch.choices import channel_label
from ocilink.dispatch.registry import channel_classes
from ocilink.protocols.cxml import CXML_VERSION, CxmlIdentity, build_order_request, new_payload_id
from ocilink.protocols.oci import (
    DEFAULT_UNIT_ALIASES,
    FIELDS,
    ISO_4217_CODES,
    REC20_UNITS,
    build_punchout_fields,
    encode_cart_body,
    encode_cart_fields,
    parse_cart,
)
from ocilink.protocols.order import OrderLine, PostalAddress, PurchaseOrderSnapshot

SAMPLE_USERNAME = "<username>"
SAMPLE_PASSWORD = "<password>"
SAMPLE_EXTRA_PARAMS = {"LANGU": "NL"}

# What each parameter ocilink sends means. Names that are not here (the per-connection credential field names and
# extra parameters) are explained by where they come from, see ``punchout_parameters``.
PARAMETER_MEANINGS: dict[str, Promise] = {
    "HOOK_URL": _(
        "Where the webshop must send the cart back: a one-time address, for one cart only, valid for %(ttl)s."
    ),
    "~OkCode": _("SAP's code for 'add to cart'; always ADDI."),
    "~TARGET": _("The frame the cart must be posted into: _top, the whole browser window."),
    "~CALLER": _("SAP's caller code for a catalogue call; always CTLG."),
    "returntarget": _("The same target as ~TARGET, for webshops that read this name."),
    "OCI_VERSION": _("The OCI version ocilink speaks."),
    "http_content_charset": _("The character set the webshop must use for the cart: UTF-8."),
}


@dataclass(frozen=True)
class Parameter:
    name: str
    example: str
    meaning: str


@dataclass(frozen=True)
class CartField:
    name: str
    wire_name: str
    max_length: int | None
    numeric: bool
    required: str
    since: str
    description: str
    note: str


@dataclass(frozen=True)
class UnitAliases:
    code: str
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class MethodField:
    name: str
    label: str
    required: bool
    secret: bool
    help_text: str


@dataclass(frozen=True)
class OrderingMethod:
    key: str
    label: str
    description: str
    fields: tuple[MethodField, ...]
    sends_cxml: bool


def punchout_parameters(*, hook_url: str) -> list[Parameter]:
    """The parameters of the punchout call, in the order ocilink sends them, with placeholder credentials."""
    fields = build_punchout_fields(
        hook_url=hook_url, username=SAMPLE_USERNAME, password=SAMPLE_PASSWORD, extra_params=SAMPLE_EXTRA_PARAMS
    )
    credential_meanings: dict[str, Promise] = {
        SAMPLE_USERNAME: _(
            "The username of the OCI account; the field name is agreed per connection (default USERNAME)."
        ),
        SAMPLE_PASSWORD: _(
            "The password of the OCI account; the field name is agreed per connection (default PASSWORD)."
        ),
    }
    result = []
    for name, value in fields:
        meaning: Promise
        if value in credential_meanings:
            meaning = credential_meanings[value]
        elif name in PARAMETER_MEANINGS:
            meaning = PARAMETER_MEANINGS[name]
        else:
            meaning = _("An extra fixed parameter agreed per connection (this one is an example).")
        text = str(meaning) % {"ttl": token_lifetime()} if name == "HOOK_URL" else str(meaning)
        result.append(Parameter(name=name, example=value, meaning=text))
    return result


def token_lifetime() -> str:
    """How long a HOOK_URL stays valid, from the platform's setting, in words."""
    minutes = max(1, int(settings.PUNCHOUT_TOKEN_TTL_SECONDS) // 60)
    if minutes % 60 == 0:
        return ngettext("%(count)d hour", "%(count)d hours", minutes // 60) % {"count": minutes // 60}
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def cart_fields() -> list[CartField]:
    """Every NEW_ITEM field of the codec's table, with its wire name for line 1."""
    return [
        CartField(
            name=field.name,
            wire_name=field.wire_name(1),
            max_length=field.max_length,
            numeric=field.numeric,
            required=field.required,
            since=field.since,
            description=field.description,
            note=field.note,
        )
        for field in FIELDS
    ]


def unit_aliases() -> list[UnitAliases]:
    """The alias table grouped by the UN/ECE Rec 20 code each alias stands for."""
    grouped: dict[str, list[str]] = {}
    for alias, code in DEFAULT_UNIT_ALIASES.items():
        grouped.setdefault(code, []).append(alias)
    return [
        UnitAliases(code=code, name=REC20_UNITS.get(code, ""), aliases=tuple(sorted(aliases)))
        for code, aliases in sorted(grouped.items())
    ]


def rec20_units() -> list[tuple[str, str]]:
    return sorted(REC20_UNITS.items())


def currency_codes() -> list[str]:
    return sorted(ISO_4217_CODES)


PRICEUNIT_SAMPLE = {
    "DESCRIPTION": "Copy paper A4 80 g/m2",
    "QUANTITY": "500",
    "UNIT": "H87",
    "PRICE": "4.50",
    "PRICEUNIT": "100",
    "CURRENCY": "EUR",
    "VENDORMAT": "CP-A4-80",
}


def priceunit_example() -> dict[str, str]:
    """A line priced per 100 pieces, and the net amount ocilink's parser computes for it."""
    cart = parse_cart(encode_cart_body([PRICEUNIT_SAMPLE]), "application/x-www-form-urlencoded; charset=utf-8")
    line = cart.lines[0]
    return {**PRICEUNIT_SAMPLE, "NET_AMOUNT": format(line.net_amount, "f") if line.net_amount is not None else ""}


RETURN_SAMPLE_LINES = (
    {
        "DESCRIPTION": "Büroklammern 26/6 (Größe M)",
        "QUANTITY": "3",
        "UNIT": "BX",
        "PRICE": "1.95",
        "CURRENCY": "EUR",
        "VENDORMAT": "OF-1001",
        "MATGROUP": "44122104",
        "LEADTIME": "2",
    },
    PRICEUNIT_SAMPLE,
)


def return_form_html(*, hook_url: str) -> str:
    """The HTML form a webshop sends back for two sample lines (to be shown as text)."""
    inputs = "\n".join(
        f'  <input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'
        for name, value in encode_cart_fields(list(RETURN_SAMPLE_LINES))
    )
    return (
        f'<form method="post" action="{html.escape(hook_url)}" target="_top" accept-charset="UTF-8">\n'
        f"{inputs}\n</form>\n<script>document.forms[0].submit();</script>"
    )


def ordering_methods() -> list[OrderingMethod]:
    """Every ordering method of the dispatch registry with the settings a supplier must give for it."""
    methods = []
    for key, channel in sorted(channel_classes().items()):
        fields = tuple(
            MethodField(name=f.name, label=f.label, required=f.required, secret=secret, help_text=f.help_text)
            for secret, group in ((False, channel.config_fields), (True, channel.sensitive_fields))
            for f in group
        )
        methods.append(
            OrderingMethod(
                key=key,
                label=str(channel_label(key)),
                description=(channel.__doc__ or "").strip().splitlines()[0] if channel.__doc__ else "",
                fields=fields,
                sends_cxml=channel.sends_cxml,
            )
        )
    return methods


def sample_order() -> PurchaseOrderSnapshot:
    """A purchase order as a buyer would send it: two lines, one priced per 100 pieces."""
    lines = (
        OrderLine(
            line_number=1,
            quantity=Decimal("3"),
            unit="BX",
            unit_price=Decimal("1.95"),
            price_unit=Decimal("1"),
            currency="EUR",
            description="Büroklammern 26/6 (Größe M)",
            net_amount=Decimal("5.85"),
            supplier_part_id="OF-1001",
            supplier_part_auxiliary_id="OF-1001",
            manufacturer_part_id="BK-266-M",
            classification_domain="UNSPSC",
            classification_code="44122104",
            leadtime_days=2,
        ),
        OrderLine(
            line_number=2,
            quantity=Decimal("500"),
            unit="H87",
            unit_price=Decimal("4.50"),
            price_unit=Decimal("100"),
            currency="EUR",
            description="Copy paper A4 80 g/m2",
            net_amount=Decimal("22.50"),
            supplier_part_id="CP-A4-80",
            classification_domain="UNSPSC",
            classification_code="14111507",
        ),
    )
    ship_to = PostalAddress(
        name="Example Municipality, Town hall",
        street="Marktplein 1",
        postal_code="1234 AB",
        city="Exampletown",
        country="NL",
        address_id="LOC-0042",
    )
    bill_to = PostalAddress(
        name="Example Municipality, Accounts Payable",
        street="Postbus 100",
        postal_code="1234 ZZ",
        city="Exampletown",
        country="NL",
        email="invoices@municipality.example",
    )
    return PurchaseOrderSnapshot(
        order_number="PO-2026-000123",
        order_date=datetime(2026, 1, 15, 9, 30, tzinfo=UTC),
        currency="EUR",
        total=sum((line.net_amount for line in lines), Decimal(0)),
        buyer_organization="Example Municipality",
        buyer_name="Bea Buyer",
        buyer_email="bea.buyer@municipality.example",
        supplier_name="Example Office Supplies",
        ship_to=ship_to,
        bill_to=bill_to,
        lines=lines,
        reference="PROJECT-7",
        customer_number="C-10042",
        debtor_number="D-7781",
        location_code="LOC-0042",
    )


def sample_order_request() -> str:
    """The sample order as the cXML ``OrderRequest`` ocilink sends (HTTPS or SFTP), as text."""
    buyer = CxmlIdentity(domain="NetworkID", identity="EXAMPLE-MUNICIPALITY")
    document = build_order_request(
        sample_order(),
        payload_id=new_payload_id(unique="sample-dispatch-1", host="ocilink.example"),
        timestamp=datetime(2026, 1, 15, 9, 31, tzinfo=UTC),
        from_=buyer,
        to=CxmlIdentity(domain="NetworkID", identity="EXAMPLE-OFFICE-SUPPLIES"),
        sender=buyer,
        shared_secret="agreed-shared-secret",
        deployment_mode="test",
    )
    # Indented for reading; the whitespace between elements is ignorable, the document stays valid.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True)
    tree = etree.fromstring(document, parser).getroottree()
    return etree.tostring(tree, pretty_print=True, xml_declaration=True, encoding="UTF-8").decode("utf-8")


def guide_context(*, hook_url: str) -> dict[str, object]:
    """Everything the guide page shows, from the code."""
    methods = ordering_methods()
    return {
        "parameters": punchout_parameters(hook_url=hook_url),
        "fields": cart_fields(),
        "unit_aliases": unit_aliases(),
        "rec20_units": rec20_units(),
        "currencies": currency_codes(),
        "priceunit": priceunit_example(),
        "return_form": return_form_html(hook_url=hook_url),
        "methods": methods,
        "order_request": sample_order_request() if any(m.sends_cxml for m in methods) else "",
        "hook_url": hook_url,
        "token_lifetime": token_lifetime(),
        "cxml_version": CXML_VERSION,
    }
