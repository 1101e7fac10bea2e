"""Placing what was approved: an approved order request becomes one purchase order per supplier, each with the
dispatch that delivers it, in one transaction.

Approval (``requisitions``) only decides; this app registers :func:`order_request_place` with
``ocilink.requisitions.handoff`` when Django starts (``OrdersConfig.ready``), so the decision and the placing run in one
transaction without the lower app importing this one.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ocilink.accounts.models import DeliveryAddress, Organization
from ocilink.connections.selectors import credential_for
from ocilink.core.money import CENT
from ocilink.protocols.order import OrderLine, PostalAddress, PurchaseOrderSnapshot
from ocilink.requisitions.handoff import PlacingError
from ocilink.requisitions.models import OrderRequest, OrderRequestLine

from .dispatches import dispatch_create
from .models import PurchaseOrder
from .services import order_number_next, purchase_order_event
from .snapshots import snapshot_to_json


class OrderingError(PlacingError):
    """An order request cannot be turned into purchase orders; the message says what to change."""


def _address(address: DeliveryAddress | None, *, fallback_name: str, address_id: str | None) -> PostalAddress:
    if address is None:
        raise OrderingError(_("Choose a delivery address for this order request."))
    return PostalAddress(
        name=fallback_name,
        street=address.street,
        postal_code=address.postal_code,
        city=address.city,
        country=address.country,
        address_id=address_id or None,
    )


def _bill_to(organization: Organization) -> PostalAddress:
    return PostalAddress(
        name=organization.invoice_name or organization.name,
        street=organization.invoice_street or "-",
        postal_code=organization.invoice_postal_code or "-",
        city=organization.invoice_city or "-",
        country=organization.invoice_country or "NL",
        email=organization.invoice_email or None,
    )


def _order_line(number: int, line: OrderRequestLine) -> OrderLine:
    if line.unit_price is None or line.net_amount is None:
        raise OrderingError(
            _("Line “%(description)s” has no price. Ask the supplier for one, or remove the line.")
            % {"description": line.description}
        )
    return OrderLine(
        line_number=number,
        quantity=line.quantity,
        unit=line.unit or "H87",
        unit_price=line.unit_price,
        price_unit=line.price_unit,
        currency=line.currency,
        description=line.description,
        net_amount=line.net_amount,
        supplier_part_id=line.vendormat,
        supplier_part_auxiliary_id=line.oci_fields.get("EXT_PRODUCT_ID") or None,
        manufacturer_part_id=line.manufactmat or None,
        classification_domain=line.oci_fields.get("EXT_SCHEMA_TYPE") or ("UNSPSC" if line.matgroup else None),
        classification_code=line.matgroup or line.oci_fields.get("EXT_CATEGORY_ID") or None,
        leadtime_days=line.leadtime_days,
        longtext=line.longtext or None,
    )


@transaction.atomic
def order_request_place(*, order_request: OrderRequest, actor: AbstractBaseUser | None = None) -> list[PurchaseOrder]:
    """Place what was approved: one purchase order per supplier of the request, each with its dispatch, in one
    transaction (the caller's, when there is one).

    The dispatches' tasks are enqueued on commit, so a rolled-back order is never sent. Raises
    :class:`OrderingError`, and writes nothing, when a supplier has no ordering method or a line cannot be ordered.
    """
    lines = list(order_request.lines.select_related("supplier", "connection").order_by("position"))
    if not lines:
        raise OrderingError(_("The order request has no lines."))
    by_supplier: dict[int, list[OrderRequestLine]] = defaultdict(list)
    for line in lines:
        by_supplier[line.supplier_id].append(line)

    organization = order_request.organization
    requester = order_request.requester
    now = timezone.now()
    created = []
    for supplier_lines in by_supplier.values():
        supplier = supplier_lines[0].supplier
        connection = supplier.external_connection or supplier_lines[0].connection
        if connection is None or not connection.ordering_method:
            raise OrderingError(
                _("%(supplier)s has no ordering method: an administrator must say how orders reach this supplier.")
                % {"supplier": supplier.name}
            )
        currencies = {line.currency for line in supplier_lines}
        if len(currencies) != 1:
            raise OrderingError(
                _("The lines of %(supplier)s are in several currencies (%(currencies)s); one order needs one.")
                % {"supplier": supplier.name, "currencies": ", ".join(sorted(currencies))}
            )
        order_lines = tuple(_order_line(n, line) for n, line in enumerate(supplier_lines, start=1))
        credential = credential_for(connection=connection, delivery_address=order_request.delivery_address)
        number = order_number_next(organization=organization, year=now.year)
        total = sum((line.net_amount for line in order_lines), Decimal("0.00")).quantize(CENT)
        snapshot = PurchaseOrderSnapshot(
            order_number=number,
            order_date=now,
            currency=currencies.pop(),
            total=total,
            buyer_organization=organization.name,
            buyer_name=requester.get_full_name() or requester.get_username(),
            buyer_email=requester.email,
            supplier_name=supplier.name,
            supplier_id=str(supplier.pk),
            ship_to=_address(
                order_request.delivery_address,
                fallback_name=organization.name,
                address_id=(credential.location_code or credential.customer_number) if credential else None,
            ),
            bill_to=_bill_to(organization),
            lines=order_lines,
            reference=order_request.reference,
            customer_number=(credential.customer_number or None) if credential else None,
            debtor_number=(credential.debtor_number or None) if credential else None,
            location_code=(credential.location_code or None) if credential else None,
        )
        purchase_order = PurchaseOrder.objects.create(
            organization=organization,
            number=number,
            order_request=order_request,
            supplier=supplier,
            connection=connection,
            buyer=requester,
            currency=snapshot.currency,
            total=total,
            snapshot=snapshot_to_json(snapshot),
            created_at=now,
        )
        purchase_order_event(purchase_order=purchase_order, action="created", actor=actor)
        dispatch_create(purchase_order=purchase_order, connection=connection)
        created.append(purchase_order)
    return created
