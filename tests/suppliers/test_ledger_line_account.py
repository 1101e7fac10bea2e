"""The buyer changes the ledger account of a line in their cart, where the translation table allows it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ocilink.accounts.models import AuditEvent
from ocilink.requisitions.cart import ledger_line_set_account
from ocilink.requisitions.models import OrderRequest, OrderRequestLine
from ocilink.requisitions.states import OrderRequestStatus
from ocilink.suppliers.ledger import LedgerError, ledger_line_options
from ocilink.suppliers.models import LedgerAccount, LedgerTable
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cart_line(shop):  # type: ignore[no-untyped-def]
    """A line of the shop buyer's cart, booked to 4000 by the organization's table (buyers may change it)."""
    office = LedgerAccount.objects.create(organization=shop.organization, code="4000", name="Office")
    LedgerTable.objects.create(organization=shop.organization, default_account=office)
    order_request = OrderRequest.objects.create(organization=shop.organization, requester=shop.user)
    return OrderRequestLine.objects.create(
        order_request=order_request,
        position=1,
        supplier=shop.supplier,
        connection=shop.connection,
        description="Paper",
        quantity=Decimal(1),
        ledger_account=office,
        ledger_code="14111507",
    )


@pytest.fixture
def ict(shop):  # type: ignore[no-untyped-def]
    return LedgerAccount.objects.create(organization=shop.organization, code="4100", name="ICT")


def test_the_buyer_books_a_line_to_another_account(shop, cart_line, ict):
    ledger_line_set_account(line=cart_line, account=ict, actor=shop.user)

    cart_line.refresh_from_db()
    assert (cart_line.ledger_account, cart_line.ledger_code) == (ict, "14111507")
    event = AuditEvent.objects.get(action="order_request_line.ledger_account_changed")
    assert event.summary == (
        f"Order request #{cart_line.order_request_id}, line 1 (Paper): ledger account 4000 Office → 4100 ICT"
    )


def test_a_table_that_forbids_it_keeps_the_account(shop, cart_line, ict):
    LedgerTable.objects.filter(organization=shop.organization).update(buyer_may_change=False)

    with pytest.raises(LedgerError) as refused:
        ledger_line_set_account(line=cart_line, account=ict, actor=shop.user)

    assert str(refused.value) == (
        "The ledger translation table decides the account of this line; buyers may not change it. Ask an "
        "administrator if it is wrong."
    )
    cart_line.refresh_from_db()
    assert cart_line.ledger_account.code == "4000"


def test_the_connections_table_decides_whether_the_buyer_may_change(shop, cart_line, ict):
    LedgerTable.objects.create(organization=shop.organization, connection=shop.connection, buyer_may_change=False)

    with pytest.raises(LedgerError):
        ledger_line_set_account(line=cart_line, account=ict, actor=shop.user)

    cart_line.refresh_from_db()
    assert cart_line.ledger_account.code == "4000"


def test_the_cart_offers_a_choice_where_the_lines_own_table_allows_it(shop, cart_line, ict):
    not_from_a_punchout = OrderRequestLine.objects.create(
        order_request=cart_line.order_request, position=2, supplier=shop.supplier, description="Pens", quantity=1
    )
    lines = [cart_line, not_from_a_punchout]
    own = LedgerTable.objects.create(organization=shop.organization, connection=shop.connection, buyer_may_change=False)
    organizations = LedgerTable.objects.filter(organization=shop.organization, connection=None)

    connection_forbids = ledger_line_options(organization=shop.organization, lines=lines)
    organizations.update(buyer_may_change=False)
    LedgerTable.objects.filter(pk=own.pk).update(buyer_may_change=True)
    organization_forbids = ledger_line_options(organization=shop.organization, lines=lines)
    LedgerTable.objects.all().delete()
    no_table = ledger_line_options(organization=shop.organization, lines=lines)

    assert connection_forbids.changeable_line_ids == {not_from_a_punchout.pk}
    assert organization_forbids.changeable_line_ids == {cart_line.pk}
    assert no_table.changeable_line_ids == {cart_line.pk, not_from_a_punchout.pk}
    assert [str(account) for account in no_table.accounts] == ["4000 Office", "4100 ICT"]


def test_an_account_of_another_organization_is_refused(shop, other_shop, cart_line):
    foreign = LedgerAccount.objects.create(organization=other_shop.organization, code="4100", name="Elsewhere")

    with pytest.raises(LedgerError) as refused:
        ledger_line_set_account(line=cart_line, account=foreign, actor=shop.user)

    assert str(refused.value) == "Choose one of your organization's ledger accounts."
    cart_line.refresh_from_db()
    assert cart_line.ledger_account.code == "4000"


def test_a_deactivated_account_is_refused(shop, cart_line, ict):
    ict.is_active = False
    ict.save()

    with pytest.raises(LedgerError) as refused:
        ledger_line_set_account(line=cart_line, account=ict, actor=shop.user)

    assert str(refused.value) == "The ledger account 4100 ICT is deactivated; choose another."


def test_only_the_requester_may_change_their_cart(shop, cart_line, ict):
    with pytest.raises(LedgerError) as refused:
        ledger_line_set_account(line=cart_line, account=ict, actor=UserFactory())

    assert str(refused.value) == "Only the requester can change the accounts of the lines in their cart."


def test_a_submitted_request_keeps_its_accounts(shop, cart_line, ict):
    OrderRequest.objects.filter(pk=cart_line.order_request_id).update(status=OrderRequestStatus.SUBMITTED)

    with pytest.raises(LedgerError) as refused:
        ledger_line_set_account(line=cart_line, account=ict, actor=shop.user)

    assert str(refused.value) == "This order request was submitted; the accounts of its lines can no longer change."
    cart_line.refresh_from_db()
    assert cart_line.ledger_account.code == "4000"
