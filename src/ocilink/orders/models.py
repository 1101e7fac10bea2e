"""Purchase orders: one per supplier per approved order request, with a frozen snapshot of what was ordered."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ocilink.accounts.models import Organization
from ocilink.connections.models import Connection
from ocilink.suppliers.models import Supplier

from .states import TRANSITIONS, PurchaseOrderStatus


class OrderNumberSequence(models.Model):
    """The last order number handed out per organization and year (``PO-2026-000123``)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="one_sequence_per_org_year")]


class PurchaseOrder(models.Model):
    """An order placed at one supplier. ``snapshot`` is exactly what the supplier receives and never changes."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="purchase_orders")
    number = models.CharField(_("order number"), max_length=30)
    order_request = models.ForeignKey(
        "requisitions.OrderRequest", on_delete=models.PROTECT, related_name="purchase_orders"
    )
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="purchase_orders")
    connection = models.ForeignKey(
        Connection, on_delete=models.SET_NULL, null=True, blank=True, related_name="purchase_orders"
    )
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="purchase_orders")
    status = models.CharField(
        _("status"), max_length=20, choices=PurchaseOrderStatus.choices, default=PurchaseOrderStatus.SENDING
    )
    currency = models.CharField(max_length=3)
    total = models.DecimalField(max_digits=17, decimal_places=2, default=Decimal("0.00"))
    snapshot = models.JSONField(help_text=_("The order exactly as the supplier receives it."))
    status_note = models.TextField(_("what happened"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        constraints = [models.UniqueConstraint(fields=["organization", "number"], name="order_number_per_org")]

    def __str__(self) -> str:
        return self.number

    def available_transitions(self) -> set[str]:
        return set(TRANSITIONS.get(self.status, set()))


class PurchaseOrderEvent(models.Model):
    """The history of a purchase order: every state change and action, with who and when."""

    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.purchase_order} {self.action} at {self.at:%Y-%m-%d %H:%M}"
