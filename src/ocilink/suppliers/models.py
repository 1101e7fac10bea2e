"""Suppliers of an organization."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ocilink.accounts.models import Organization, Role
from ocilink.connections.models import Connection
from ocilink.core.models import TimeStampedModel

# The width of a cart line's ``ledger_code``: the category code that chose its account (requisitions uses it).
LEDGER_CODE_MAX_LENGTH = 60


class SupplierGroup(TimeStampedModel):
    """A group of suppliers; ordering rights are given per group."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="supplier_groups")
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = _("supplier group")
        verbose_name_plural = _("supplier groups")
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="supplier_group_name_per_org")]

    def __str__(self) -> str:
        return self.name


class SupplierCategory(TimeStampedModel):
    """What a supplier delivers (office supplies, facility services, ...), for finding and reporting."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="supplier_categories")
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = _("supplier category")
        verbose_name_plural = _("supplier categories")
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="supplier_category_name_per_org")]

    def __str__(self) -> str:
        return self.name


class Supplier(TimeStampedModel):
    """A supplier an organization buys from; with an external connection, buyers can shop in its webshop."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="suppliers")
    name = models.CharField(_("name"), max_length=200)
    external_connection = models.ForeignKey(
        Connection,
        verbose_name=_("external connection"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suppliers",
    )
    is_blocked = models.BooleanField(_("blocked"), default=False)
    group = models.ForeignKey(
        SupplierGroup,
        verbose_name=_("supplier group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suppliers",
    )
    category = models.ForeignKey(
        SupplierCategory,
        verbose_name=_("category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suppliers",
    )

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")

    def __str__(self) -> str:
        return self.name


class OrderingRight(TimeStampedModel):
    """Who may order at which supplier groups, and up to which amount per order without approval.

    A right is given to a role or to one user; a user's own right replaces the right of their role.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="ordering_rights")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="ordering_rights"
    )
    may_order = models.BooleanField(_("may order"), default=True)
    all_supplier_groups = models.BooleanField(_("at every supplier group"), default=False)
    supplier_groups = models.ManyToManyField(SupplierGroup, verbose_name=_("supplier groups"), blank=True)
    limit_without_approval = models.DecimalField(
        _("may order without approval up to"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text=_("Per order, in the organization's currency. Above it, the order needs approval."),
    )

    class Meta:
        verbose_name = _("ordering right")
        verbose_name_plural = _("ordering rights")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(role="") & models.Q(user__isnull=False))
                | (~models.Q(role="") & models.Q(user__isnull=True)),
                name="right_for_a_role_or_a_user",
            ),
            models.UniqueConstraint(
                fields=["organization", "role"], condition=~models.Q(role=""), name="one_right_per_role"
            ),
            models.UniqueConstraint(
                fields=["organization", "user"], condition=models.Q(user__isnull=False), name="one_right_per_user"
            ),
        ]

    def __str__(self) -> str:
        return str(self.user) if self.user_id else self.get_role_display()


class LedgerAccount(TimeStampedModel):
    """A general ledger account ("grootboekrekening") of an organization."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="ledger_accounts")
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["organization", "code"]
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="ledger_code_per_org")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class LedgerTable(TimeStampedModel):
    """The ledger translation table of an organization, or of one of its connections (which then wins).

    ``source_field`` says which OCI field carries the supplier's category code; with the UNSPSC scheme an 8-digit
    code falls back to its 6-, 4- and 2-digit families, other schemes match exactly.
    """

    class SourceField(models.TextChoices):
        MATGROUP = "MATGROUP", "MATGROUP"
        EXT_CATEGORY_ID = "EXT_CATEGORY_ID", "EXT_CATEGORY_ID"
        CUST_FIELD1 = "CUST_FIELD1", "CUST_FIELD1"
        CUST_FIELD2 = "CUST_FIELD2", "CUST_FIELD2"
        CUST_FIELD3 = "CUST_FIELD3", "CUST_FIELD3"
        CUST_FIELD4 = "CUST_FIELD4", "CUST_FIELD4"
        CUST_FIELD5 = "CUST_FIELD5", "CUST_FIELD5"

    class Scheme(models.TextChoices):
        UNSPSC = "unspsc", _("UNSPSC (falls back to the code's families)")
        EXACT = "exact", _("Other (NZI, the supplier's own groups): exact match")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="ledger_tables")
    connection = models.ForeignKey(
        Connection,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ledger_tables",
        help_text=_("Empty: the table for all suppliers."),
    )
    source_field = models.CharField(
        _("OCI field with the category code"), max_length=20, choices=SourceField.choices, default="MATGROUP"
    )
    scheme = models.CharField(_("code scheme"), max_length=10, choices=Scheme.choices, default=Scheme.UNSPSC)
    default_account = models.ForeignKey(
        LedgerAccount,
        verbose_name=_("default account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    buyer_may_change = models.BooleanField(_("buyers may change a line's account"), default=True)

    class Meta:
        verbose_name = _("ledger translation table")
        verbose_name_plural = _("ledger translation tables")
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=models.Q(connection__isnull=True), name="one_org_ledger_table"
            ),
            models.UniqueConstraint(
                fields=["organization", "connection"],
                condition=models.Q(connection__isnull=False),
                name="one_ledger_table_per_connection",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.connection or _('all suppliers')}"


class LedgerMapping(models.Model):
    """One row of a ledger translation table: a category code and the account it books to."""

    table = models.ForeignKey(LedgerTable, on_delete=models.CASCADE, related_name="mappings")
    code = models.CharField(_("category code"), max_length=60)
    account = models.ForeignKey(LedgerAccount, verbose_name=_("ledger account"), on_delete=models.PROTECT)

    class Meta:
        ordering = ["table", "code"]
        constraints = [models.UniqueConstraint(fields=["table", "code"], name="one_mapping_per_code")]

    def __str__(self) -> str:
        return f"{self.code} -> {self.account}"
