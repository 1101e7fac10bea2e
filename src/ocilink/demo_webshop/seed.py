"""Seed the demo: an organization with a buyer, an approver and an administrator, two delivery addresses, the demo
supplier with its webshop connection, and the webshop accounts. Safe to run again: it updates what exists."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from ocilink.accounts.models import DeliveryAddress, Membership, Organization, Role
from ocilink.connections.models import Connection
from ocilink.connections.services import oci_credential_set
from ocilink.suppliers.models import OrderingRight, Supplier

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


@dataclass(frozen=True)
class DemoInbox:
    """Where the demo supplier inbox listens, for the three connections' ordering methods."""

    cxml_url: str
    ca_pem: str
    sftp_port: int
    sftp_username: str
    sftp_password: str
    sftp_fingerprint: str
    email_address: str = "orders@supplier.demo"


CXML_IDENTITIES = {
    "from_domain": "NetworkID",
    "from_identity": "DEMO-MUNICIPALITY",
    "to_domain": "NetworkID",
    "to_identity": "DEMO-OFFICE-SUPPLIES",
    "sender_domain": "NetworkID",
    "sender_identity": "DEMO-MUNICIPALITY",
    "deployment_mode": "test",
}
SHARED_SECRET = "demo-shared-secret"


def _ordering_connections(inbox: DemoInbox | None) -> list[tuple[str, str, str, dict, dict]]:
    """(supplier, connection, method, settings, secrets) for the three ordering methods."""
    if inbox is None:
        return [("Demo Office Supplies", "Demo Office Supplies webshop", "", {}, {})]
    return [
        (
            "Demo Office Supplies",
            "Demo Office Supplies webshop",
            "cxml_https",
            {**CXML_IDENTITIES, "order_url": inbox.cxml_url, "ca_bundle": inbox.ca_pem, "timeout_seconds": 30},
            {"shared_secret": SHARED_SECRET},
        ),
        (
            "Demo Facility Services",
            "Demo Facility Services webshop",
            "cxml_sftp",
            {
                **CXML_IDENTITIES,
                "to_identity": "DEMO-FACILITY",
                "host": "127.0.0.1",
                "port": inbox.sftp_port,
                "username": inbox.sftp_username,
                "remote_directory": "orders",
                "host_key_fingerprint": inbox.sftp_fingerprint,
                "timeout_seconds": 30,
            },
            {"password": inbox.sftp_password, "shared_secret": SHARED_SECRET},
        ),
        (
            "Demo Print Shop",
            "Demo Print Shop webshop",
            "email_pdf",
            {"recipients": [inbox.email_address]},
            {},
        ),
    ]


@transaction.atomic
def seed_demo(*, webshop_url: str, inbox: DemoInbox | None = None) -> DemoData:
    """Create or update the demo data; ``webshop_url`` is the demo webshop's OCI entry point.

    With ``inbox``, three suppliers share the demo webshop, each with one ordering method pointing at the inbox.
    """
    users = get_user_model()
    organization, _ = Organization.objects.update_or_create(
        slug="demo",
        defaults={
            "name": "Demo Municipality",
            "phase": Organization.Phase.LIVE,
            "invoice_name": "Demo Municipality, Accounts Payable",
            "invoice_street": "Postbus 100",
            "invoice_postal_code": "1234 ZZ",
            "invoice_city": "Demodorp",
            "invoice_email": "invoices@demo-municipality.example",
        },
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
        user, created = users.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last}
        )
        if created or not user.check_password(password) or not user.email:
            user.set_password(password)
            user.email = user.email or f"{username}@demo-municipality.example"
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

    # Everyone may order at every supplier; buyers up to 1,000 per order without approval.
    for role, limit in ((Role.BUYER, "1000.00"), (Role.APPROVER, "10000.00"), (Role.ADMINISTRATOR, "10000.00")):
        OrderingRight.objects.update_or_create(
            organization=organization,
            role=role,
            user=None,
            defaults={"may_order": True, "all_supplier_groups": True, "limit_without_approval": Decimal(limit)},
        )
    primary: DemoData | None = None
    for supplier_name, connection_name, method, ordering_settings, secrets in _ordering_connections(inbox):
        connection, _ = Connection.objects.update_or_create(
            organization=organization,
            name=connection_name,
            defaults={
                "url": webshop_url,
                "method": Connection.Method.POST,
                "is_active": True,
                "ordering_method": method,
                "ordering_settings": ordering_settings,
            },
        )
        connection.set_ordering_secrets(secrets)
        connection.save(update_fields=["ordering_secrets_encrypted"])
        supplier, _ = Supplier.objects.update_or_create(
            organization=organization, name=supplier_name, defaults={"external_connection": connection}
        )
        oci_credential_set(
            connection=connection,
            delivery_address=None,
            username=SHOP_ACCOUNTS[0][0],
            password=SHOP_ACCOUNTS[0][1],
            customer_number="C-10042",
            debtor_number="D-7781",
        )
        oci_credential_set(
            connection=connection,
            delivery_address=warehouse,
            username=SHOP_ACCOUNTS[1][0],
            password=SHOP_ACCOUNTS[1][1],
            customer_number="C-10042",
            location_code="LOC-DEPOT-12",
        )
        primary = primary or DemoData(organization=organization, supplier=supplier, connection=connection)
    for username, password in SHOP_ACCOUNTS:
        account, _ = ShopAccount.objects.get_or_create(username=username, defaults={"customer_name": organization.name})
        if not account.check_password(password):
            account.set_password(password)
            account.save()
    assert primary is not None
    return primary
