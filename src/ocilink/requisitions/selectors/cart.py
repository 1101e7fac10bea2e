"""Reads on a member's cart: the draft order request being filled, with its lines and totals; and an order request's
lines as the cart page and the request page show them (``PageLine``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef

from ocilink.accounts.models import CostCentre, Membership, Organization
from ocilink.core import money
from ocilink.core.money import totals_per_currency
from ocilink.requisitions.models import OrderRequest, OrderRequestEvent
from ocilink.requisitions.states import OrderRequestStatus
from ocilink.suppliers.models import LedgerAccount


@dataclass(slots=True)
class PageLine:
    """A line as the cart page and the request page show it: its own columns with the names of its supplier and
    connection, the reference of its cart return and its ledger account.

    Read as plain values in one query (``page_lines``), not as model instances with their related rows: a request
    may hold ``PUNCHOUT_MAX_LINES`` lines, and a line, its cart return, supplier, connection and account as objects
    (joined or prefetched) took about two and a half times as long to read. Never the return's raw body, errors and
    warnings (megabytes, growing with its lines) nor the line's OCI fields (kept for the order to the supplier, never
    shown).
    """

    # The account first: the line's own columns follow in the order ``page_lines`` reads them.
    ledger_account_id: int | None
    ledger_account: LedgerAccount | None
    pk: int
    position: int
    supplier_id: int
    supplier_name: str
    connection_id: int | None
    connection_name: str | None
    cart_return_id: int | None
    cart_return_reference: str | None
    cart_return_received_at: datetime | None
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal | None
    price_unit: Decimal
    currency: str
    vendormat: str
    longtext: str
    warnings: list[str]
    ledger_code: str

    @property
    def net_amount(self) -> Decimal | None:
        """Price x quantity / price unit, rounded to cents; None without a price (as ``OrderRequestLine``)."""
        if self.unit_price is None:
            return None
        return money.net_amount(unit_price=self.unit_price, quantity=self.quantity, price_unit=self.price_unit)


# The columns of a PageLine after its ledger account, in the order of its fields.
_PAGE_LINE_COLUMNS = (
    "pk",
    "position",
    "supplier_id",
    "supplier__name",
    "connection_id",
    "connection__name",
    "cart_return_id",
    "cart_return__reference",
    "cart_return__received_at",
    "description",
    "quantity",
    "unit",
    "unit_price",
    "price_unit",
    "currency",
    "vendormat",
    "longtext",
    "warnings",
    "ledger_code",
)
_ACCOUNT_COLUMNS = ("ledger_account_id", "ledger_account__code", "ledger_account__name", "ledger_account__is_active")
_ACCOUNT_FIELDS = ["id", "code", "name", "is_active"]


def page_lines(order_request: OrderRequest) -> list[PageLine]:
    """The request's lines in order, as pages show them: one query whatever the number of lines.

    The ledger accounts come with the lines (joined), each built once as a ``LedgerAccount`` with the columns a
    page shows (as ``only()`` builds it): a request's lines share a few accounts.
    """
    rows = order_request.lines.order_by("position").values_list(*_ACCOUNT_COLUMNS, *_PAGE_LINE_COLUMNS)
    accounts: dict[int, LedgerAccount] = {}
    lines = []
    for account_id, code, name, is_active, *shown in rows:
        account = None
        if account_id is not None:
            account = accounts.get(account_id)
            if account is None:
                account = accounts[account_id] = LedgerAccount.from_db(
                    rows.db, _ACCOUNT_FIELDS, [account_id, code, name, is_active]
                )
        lines.append(PageLine(account_id, account, *shown))
    return lines


@dataclass(frozen=True)
class CartView:
    order_request: OrderRequest | None
    lines: list[PageLine]
    totals: dict[str, Decimal]
    lines_without_price: int
    was_submitted: bool = False
    # Whether the organization has active cost centres to choose from when submitting.
    has_cost_centres: bool = False


def cart_request_for(*, organization: Organization, requester: Any) -> OrderRequest | None:
    """The requester's cart (their draft order request) without its lines, or None."""
    return OrderRequest.objects.filter(
        organization=organization, requester=requester, status=OrderRequestStatus.DRAFT
    ).first()


def cart_for(*, organization: Organization, requester: Any) -> CartView:
    """The requester's cart with its lines and totals per currency."""
    order_request = (
        OrderRequest.objects.filter(organization=organization, requester=requester, status=OrderRequestStatus.DRAFT)
        .select_related("delivery_address")
        .annotate(
            has_history=Exists(OrderRequestEvent.objects.filter(order_request=OuterRef("pk"))),
            has_cost_centres=Exists(
                CostCentre.objects.filter(organization_id=OuterRef("organization_id"), is_active=True)
            ),
        )
        .first()
    )
    if order_request is None:
        return CartView(None, [], {}, 0)
    lines = page_lines(order_request)
    totals = totals_per_currency((line.currency, line.net_amount) for line in lines)
    return CartView(
        order_request,
        lines,
        totals,
        sum(1 for line in lines if line.unit_price is None),
        was_submitted=order_request.has_history,
        has_cost_centres=order_request.has_cost_centres,
    )


def own_order_request_of_line(*, membership: Membership, line_id: int) -> OrderRequest | None:
    """The member's own order request (in any state) holding this line, else None."""
    return OrderRequest.objects.filter(
        organization_id=membership.organization_id, requester_id=membership.user_id, lines__pk=line_id
    ).first()
