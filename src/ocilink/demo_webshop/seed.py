"""Seed the demo: an organization with a buyer, an approver and an administrator, two delivery addresses, the demo
supplier with its webshop connection, and the webshop accounts. Safe to run again: it updates what exists."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ocilink.accounts.models import (
    CostCentre,
    DeliveryAddress,
    Membership,
    Organization,
    PlatformRole,
    PlatformStaff,
    Role,
)
from ocilink.connections.models import CatalogueEntry, Connection
from ocilink.connections.services import oci_credential_set
from ocilink.requisitions.models import ApprovalRule
from ocilink.suppliers.models import (
    LedgerAccount,
    LedgerMapping,
    LedgerTable,
    OrderingRight,
    Supplier,
    SupplierCategory,
    SupplierGroup,
)

from .models import ShopAccount

DEMO_LOGINS = (
    ("buyer", "buyer-demo-2026", Role.BUYER, "Bea", "Buyer"),
    ("approver", "approver-demo-2026", Role.APPROVER, "Arno", "Approver"),
    ("admin", "admin-demo-2026", Role.ADMINISTRATOR, "Ada", "Administrator"),
)
CONSULTANT = ("consultant", "consultant-demo-2026")
SUPPORT = ("support", "support-demo-2026")
# The demo's ledger translation table: UNSPSC segments of the demo webshop's products to ledger accounts.
LEDGER_ACCOUNTS = (
    ("4100", "Office supplies"),
    ("4200", "Facility services and cleaning"),
    ("4300", "Furniture and equipment"),
    ("4999", "Other purchases"),
)
LEDGER_MAPPINGS = (
    ("44000000", "4100"),  # office equipment, accessories and supplies
    ("14000000", "4100"),  # paper materials
    ("47000000", "4200"),  # cleaning equipment and supplies
    ("50000000", "4200"),  # food and beverage (pantry)
    ("53000000", "4200"),  # personal care (hand soap)
    ("56000000", "4300"),  # furniture
    ("43000000", "4300"),  # IT equipment
)
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
    for (username, password), staff_role, first in (
        (CONSULTANT, PlatformRole.CONSULTANT, "Cas"),
        (SUPPORT, PlatformRole.SUPPORT, "Sam"),
    ):
        staff, created = users.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": staff_role.label, "is_staff": True}
        )
        if created or not staff.check_password(password) or not staff.email:
            staff.set_password(password)
            staff.is_staff = True
            staff.is_superuser = staff_role == PlatformRole.CONSULTANT  # the consultant also administers the platform
            staff.email = f"{username}@ocilink-platform.example"
            staff.save()
        PlatformStaff.objects.update_or_create(user=staff, defaults={"role": staff_role})
    group, _ = SupplierGroup.objects.get_or_create(organization=organization, name="Office and facilities")
    category, _ = SupplierCategory.objects.get_or_create(organization=organization, name="Office supplies")
    for code, name in (("100", "Town hall"), ("200", "Public works")):
        CostCentre.objects.update_or_create(organization=organization, code=code, defaults={"name": name})
    _seed_approval_and_ledger(organization)

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
            organization=organization,
            name=supplier_name,
            defaults={"external_connection": connection, "group": group, "category": category},
        )
        if connection.catalogue_entry_id is None or connection.activated_at is None:
            connection.catalogue_entry = _catalogue_entry(supplier_name, webshop_url, method)
            connection.activated_at = connection.activated_at or timezone.now()
            connection.save(update_fields=["catalogue_entry", "activated_at"])
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
    _catalogue_entry("Demo Garden Centre", webshop_url, "email_pdf")  # in the catalogue, not yet connected
    for username, password in SHOP_ACCOUNTS:
        account, _ = ShopAccount.objects.get_or_create(username=username, defaults={"customer_name": organization.name})
        if not account.check_password(password):
            account.set_password(password)
            account.save()
    assert primary is not None
    return primary


def _seed_approval_and_ledger(organization: Organization) -> None:
    """Approval: the approver from any amount above a buyer's limit, the administrator too from 10,000.
    Ledger: an organization-wide UNSPSC table with a default account."""
    users = get_user_model()
    ApprovalRule.objects.update_or_create(
        organization=organization,
        name="Manager",
        defaults={"level": 1, "min_amount": Decimal("0.00"), "approver": users.objects.get(username="approver")},
    )
    ApprovalRule.objects.update_or_create(
        organization=organization,
        name="Finance",
        defaults={"level": 2, "min_amount": Decimal("10000.00"), "approver": users.objects.get(username="admin")},
    )
    accounts = {
        code: LedgerAccount.objects.update_or_create(organization=organization, code=code, defaults={"name": name})[0]
        for code, name in LEDGER_ACCOUNTS
    }
    table, _ = LedgerTable.objects.update_or_create(
        organization=organization,
        connection=None,
        defaults={"source_field": "MATGROUP", "scheme": "unspsc", "default_account": accounts["4999"]},
    )
    for code, account in LEDGER_MAPPINGS:
        LedgerMapping.objects.update_or_create(table=table, code=code, defaults={"account": accounts[account]})


def _catalogue_entry(supplier_name: str, webshop_url: str, method: str) -> CatalogueEntry:
    entry, _ = CatalogueEntry.objects.update_or_create(
        supplier_name=supplier_name,
        defaults={
            "webshop_url": webshop_url,
            "ordering_methods": [method] if method else [],
            "ledger_translation": True,
            "accounts_per_address": True,
            "assortment": "Office supplies, paper, pantry, cleaning, small furniture.",
            "order_confirmations": "By e-mail to the buyer within one working day.",
            "extra_costs": "Delivery free above EUR 50; below it EUR 6.95.",
            "contact_email": "oci@supplier.demo",
            "notes": "The reference webshop of the ocilink demo.",
        },
    )
    return entry
