"""Order requests and their lines. The buyer's cart is their draft order request."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ocilink.accounts.models import DeliveryAddress, Organization
from ocilink.connections.models import Connection
from ocilink.core import money
from ocilink.core.models import TimeStampedModel
from ocilink.suppliers.models import Supplier

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

    class Meta:
        ordering = ["-created_at"]
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

    class Meta:
        ordering = ["order_request", "position"]
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
