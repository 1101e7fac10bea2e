"""Seed the demo: an organization with a buyer, an approver and an administrator, two delivery addresses, the demo
supplier with its webshop connection, and the webshop accounts. Safe to run again: it updates what exists."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from ocilink.accounts.models import DeliveryAddress, Membership, Organization, Role
from ocilink.connections.models import Connection
from ocilink.connections.services import oci_credential_set
from ocilink.suppliers.models import Supplier

from .models import ShopAccount

DEMO_LOGINS = (
    ("buyer", "buyer-demo-2026", Role.BUYER, "Bea", "Buyer"),
    ("approver", "approver-demo-2026", Role.APPROVER, "Arno", "Approver"),
    ("admin", "admin-demo-2026", Role.ADMINISTRATOR, "Ada", "Administrator"),
)
CONSULTANT = ("consultant", "consultant-demo-2026")
# The webshop accounts the supplier handed out: one for the organization, one for the warehouse address.
SHOP_ACCOUNTS = (("demo-org", "shop-org-2026"), ("demo-warehouse", "shop-warehouse-2026"))


@dataclass(frozen=True)
class DemoData:
    organization: Organization
    supplier: Supplier
    connection: Connection


@transaction.atomic
def seed_demo(*, webshop_url: str) -> DemoData:
    """Create or update the demo data; ``webshop_url`` is the demo webshop's OCI entry point."""
    users = get_user_model()
    organization, _ = Organization.objects.update_or_create(
        slug="demo", defaults={"name": "Demo Municipality", "phase": Organization.Phase.LIVE}
    )
    office, _ = DeliveryAddress.objects.update_or_create(
        organization=organization,
        label="Town hall",
        defaults={"street": "Marktplein 1", "postal_code": "1234 AB", "city": "Demodorp", "is_default": True},
    )
    warehouse, _ = DeliveryAddress.objects.update_or_create(
        organization=organization,
        label="Public works depot",
        defaults={"street": "Industrieweg 12", "postal_code": "1234 CD", "city": "Demodorp"},
    )
    for username, password, role, first, last in DEMO_LOGINS:
        user, created = users.objects.get_or_create(username=username, defaults={"first_name": first, "last_name": last})
        if created or not user.check_password(password):
            user.set_password(password)
            user.save()
        Membership.objects.update_or_create(
            user=user, organization=organization, defaults={"role": role, "delivery_address": office}
        )
    consultant, created = users.objects.get_or_create(
        username=CONSULTANT[0], defaults={"first_name": "Cas", "last_name": "Consultant", "is_staff": True}
    )
    if created or not consultant.check_password(CONSULTANT[1]):
        consultant.set_password(CONSULTANT[1])
        consultant.is_staff = True
        consultant.is_superuser = True
        consultant.save()

    connection, _ = Connection.objects.update_or_create(
        organization=organization,
        name="Demo Office Supplies webshop",
        defaults={"url": webshop_url, "method": Connection.Method.POST, "is_active": True},
    )
    supplier, _ = Supplier.objects.update_or_create(
        organization=organization, name="Demo Office Supplies", defaults={"external_connection": connection}
    )
    oci_credential_set(connection=connection, delivery_address=None, username=SHOP_ACCOUNTS[0][0], password=SHOP_ACCOUNTS[0][1])
    oci_credential_set(
        connection=connection, delivery_address=warehouse, username=SHOP_ACCOUNTS[1][0], password=SHOP_ACCOUNTS[1][1]
    )
    for username, password in SHOP_ACCOUNTS:
        account, _ = ShopAccount.objects.get_or_create(username=username, defaults={"customer_name": organization.name})
        if not account.check_password(password):
            account.set_password(password)
            account.save()
    return DemoData(organization=organization, supplier=supplier, connection=connection)
