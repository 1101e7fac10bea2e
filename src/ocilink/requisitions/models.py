"""Order requests and their lines. The buyer's cart is their draft order request."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ocilink.accounts.models import CostCentre, DeliveryAddress, Organization, Role
from ocilink.connections.models import Connection
from ocilink.core import money
from ocilink.core.models import TimeStampedModel
from ocilink.suppliers.models import LEDGER_CODE_MAX_LENGTH, LedgerAccount, Supplier

from .states import OrderRequestStatus


class OrderRequest(TimeStampedModel):
    """A request to buy: lines from one or more punchouts (and later manual lines), then approval."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="order_requests")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="order_requests")
    status = models.CharField(
        _("status"), max_length=20, choices=OrderRequestStatus.choices, default=OrderRequestStatus.DRAFT
    )
    delivery_address = models.ForeignKey(
        DeliveryAddress, on_delete=models.SET_NULL, null=True, blank=True, related_name="order_requests"
    )
    reference = models.CharField(_("your reference"), max_length=100, blank=True)
    cost_centre = models.ForeignKey(
        CostCentre,
        verbose_name=_("cost centre"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="order_requests",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        # The list of requests reads one range of one of these and stops after a page (``selectors.request_lists``):
        # an organization's requests newest first, all or of one status; a member's own, all or of one status.
        indexes = [
            models.Index(fields=["organization", "-created_at", "-id"], name="request_list_idx"),
            models.Index(fields=["organization", "status", "-created_at", "-id"], name="request_list_status_idx"),
            models.Index(fields=["organization", "requester", "-created_at", "-id"], name="request_list_mine_idx"),
            models.Index(
                fields=["organization", "requester", "status", "-created_at", "-id"], name="request_list_mine_st_idx"
            ),
        ]
        verbose_name = _("order request")
        verbose_name_plural = _("order requests")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "requester"],
                condition=models.Q(status="draft"),
                name="one_cart_per_requester",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.requester} ({self.get_status_display()})"


class OrderRequestLine(models.Model):
    """One line of an order request. Punchout lines keep the OCI fields exactly as the webshop sent them."""

    order_request = models.ForeignKey(OrderRequest, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="order_request_lines")
    connection = models.ForeignKey(
        Connection, on_delete=models.SET_NULL, null=True, blank=True, related_name="order_request_lines"
    )
    cart_return = models.ForeignKey(
        "punchout.CartReturn", on_delete=models.SET_NULL, null=True, blank=True, related_name="lines"
    )
    oci_index = models.IntegerField(null=True, blank=True)
    description = models.CharField(_("description"), max_length=1000)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    unit_price = models.DecimalField(_("price"), max_digits=17, decimal_places=4, null=True, blank=True)
    price_unit = models.DecimalField(_("price unit"), max_digits=12, decimal_places=3, default=Decimal(1))
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    vendormat = models.CharField(_("supplier article number"), max_length=200, blank=True)
    manufactmat = models.CharField(_("manufacturer part number"), max_length=200, blank=True)
    matgroup = models.CharField(_("product group"), max_length=200, blank=True)
    leadtime_days = models.PositiveIntegerField(_("lead time (days)"), null=True, blank=True)
    longtext = models.TextField(_("long text"), blank=True)
    oci_fields = models.JSONField(default=dict, blank=True)
    oci_extra = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    ledger_account = models.ForeignKey(
        LedgerAccount,
        verbose_name=_("ledger account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ledger_code = models.CharField(
        _("category code used for the ledger"),
        max_length=LEDGER_CODE_MAX_LENGTH,
        blank=True,
        help_text=_("The code that chose the account, as read from the connection's source field."),
    )

    class Meta:
        ordering = ["order_request", "position"]
        # The approver's page compares a line's price with the last approved order of the same article.
        indexes = [models.Index(fields=["supplier", "vendormat"])]
        verbose_name = _("order request line")
        verbose_name_plural = _("order request lines")

    def __str__(self) -> str:
        return f"{self.quantity} x {self.description}"

    @property
    def net_amount(self) -> Decimal | None:
        """Price x quantity / price unit, rounded to cents; None without a price."""
        if self.unit_price is None:
            return None
        return money.net_amount(unit_price=self.unit_price, quantity=self.quantity, price_unit=self.price_unit)


class ApprovalRule(TimeStampedModel):
    """Who approves: from an order amount (and optionally for one cost centre), at a level.

    Example: from 0 the manager approves at level 1; from 10,000 finance approves at level 2 as well.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="approval_rules")
    name = models.CharField(_("name"), max_length=200)
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    min_amount = models.DecimalField(_("from amount"), max_digits=14, decimal_places=2, default=Decimal("0.00"))
    cost_centre = models.ForeignKey(
        CostCentre,
        verbose_name=_("only for cost centre"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="approval_rules",
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approver"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    approver_role = models.CharField(_("or any member with role"), max_length=20, choices=Role.choices, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["organization", "level", "min_amount"]
        verbose_name = _("approval rule")
        verbose_name_plural = _("approval rules")

    def __str__(self) -> str:
        return self.name


class ApprovalStep(models.Model):
    """One approval a submitted order request needs; steps of a lower level are decided first.

    ``organization`` and ``waiting_since`` (when the request was submitted) are copies of the request's, made with
    the step: "waiting for my approval" then reads a member's pending steps, by name and by role, oldest first, as
    one range of an index each, however many requests the organization has.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        VOID = "void", _("Void (the request was changed)")

    order_request = models.ForeignKey(OrderRequest, on_delete=models.CASCADE, related_name="approval_steps")
    # Its own index would repeat the start of the two below.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    waiting_since = models.DateTimeField()
    rule = models.ForeignKey(ApprovalRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    level = models.PositiveSmallIntegerField()
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="approval_steps"
    )
    approver_role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order_request", "level", "pk"]
        indexes = [
            models.Index(fields=["approver", "status"]),
            models.Index(fields=["approver_role", "status"]),
            # What waits for a member's approval (``selectors.request_lists``), oldest first: by name, and by role.
            models.Index(
                fields=["organization", "approver", "status", "waiting_since", "order_request"],
                name="step_waiting_approver_idx",
            ),
            models.Index(
                fields=["organization", "approver_role", "status", "waiting_since", "order_request"],
                name="step_waiting_role_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_request} level {self.level}: {self.status}"


class OrderRequestEvent(models.Model):
    """The history of an order request: submitted, approved, rejected, changed, with who, when and a comment."""

    order_request = models.ForeignKey(OrderRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=40)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.order_request} {self.action}"
