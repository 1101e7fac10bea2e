"""Purchase orders: one per supplier per approved order request, with a frozen snapshot of what was ordered, and
their dispatch records: the truth about an order on its way to the supplier (a task only wakes a worker)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ocilink.accounts.models import Organization
from ocilink.connections.models import Connection
from ocilink.core import raw_documents
from ocilink.suppliers.models import Supplier

from .states import AttemptOutcome, DispatchStatus, NoticeStatus, PurchaseOrderStatus


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
        # The orders list reads an organization's orders newest first, all or by status, and a buyer's own; these
        # let the database stop after one page instead of sorting every order (``selectors.order_list_page``).
        indexes = [
            models.Index(fields=["organization", "-created_at", "-id"], name="po_list_idx"),
            models.Index(fields=["organization", "status", "-created_at", "-id"], name="po_list_status_idx"),
            models.Index(fields=["buyer", "-created_at", "-id"], name="po_list_buyer_idx"),
            models.Index(fields=["buyer", "status", "-created_at", "-id"], name="po_list_buyer_status_idx"),
        ]

    def __str__(self) -> str:
        return self.number


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
        # "Sending since when": the orders list and its count in the navigation ask which orders went into sending
        # lately; this keeps that to the recent events instead of the whole history.
        indexes = [models.Index(fields=["to_status", "at"], name="po_event_to_status_at_idx")]

    def __str__(self) -> str:
        return f"{self.purchase_order} {self.action} at {self.at:%Y-%m-%d %H:%M}"


class Delivery(models.Model):
    """What a row sent by a worker keeps about its sending (a dispatch, a notice): when it is due, how many tries,
    the lease of the worker sending it (renewed by its heartbeat), and the task that last woke a worker for it
    (``woken_at``: the sweeper wakes a due row again when that is longer ago than the lease). Each subclass has its
    own ``status``, which these indexes serve."""

    next_attempt_at = models.DateTimeField(default=timezone.now)
    attempt_count = models.PositiveIntegerField(default=0)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    worker_id = models.CharField(max_length=64, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    woken_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["status", "lease_expires_at"]),
        ]


class Dispatch(Delivery):
    """One purchase order to be delivered by one ordering method.

    ``payload_id``, ``timestamp``, ``file_name`` and ``message_id`` are fixed when the row is created, so every
    retry sends a recognisably identical document. ``lease_expires_at`` is set while a worker sends (and renewed
    by its heartbeat); a sweeper hands the dispatch to another worker when it passes. ``woken_at`` is when a task
    last woke (or will wake) a worker for it: a sendable dispatch that was due and not woken for longer than the
    lease is woken again, whatever the task queue says about its task.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="dispatches")
    purchase_order = models.OneToOneField(PurchaseOrder, on_delete=models.CASCADE, related_name="dispatch")
    method = models.CharField(max_length=30)
    status = models.CharField(max_length=20, choices=DispatchStatus.choices, default=DispatchStatus.PENDING)
    payload_id = models.CharField(max_length=200, unique=True)
    timestamp = models.DateTimeField()
    file_name = models.CharField(max_length=255)
    message_id = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)
    give_up_at = models.DateTimeField(help_text=_("Transient failures are retried until then."))
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta(Delivery.Meta):
        ordering = ["-created_at"]
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")

    def __str__(self) -> str:
        return f"{self.purchase_order} via {self.method} ({self.status})"


class DispatchAttempt(models.Model):
    """One try to deliver a dispatch: when, how long, what was sent (secrets redacted) and what came back."""

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    worker_id = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=AttemptOutcome.choices, default=AttemptOutcome.SENDING)
    error_class = models.CharField(max_length=200, blank=True)
    message = models.TextField(blank=True)
    # What was sent (secrets redacted) and what came back (its start), in the storage of raw documents
    # (``core.raw_documents``); empty when nothing was sent or nothing came back.
    request = models.FileField(storage=raw_documents.storage, max_length=255, blank=True)
    response = models.FileField(storage=raw_documents.storage, max_length=255, blank=True)
    evidence = models.JSONField(default=dict)

    class Meta:
        ordering = ["dispatch", "number"]
        constraints = [models.UniqueConstraint(fields=["dispatch", "number"], name="attempt_number_per_dispatch")]

    def __str__(self) -> str:
        return f"{self.dispatch} try {self.number}: {self.outcome}"


class DispatchDocument(models.Model):
    """The exact document the supplier receives (or, when held, would receive), secrets redacted, to download."""

    dispatch = models.OneToOneField(Dispatch, on_delete=models.CASCADE, related_name="document")
    name = models.CharField(max_length=255)
    # The document's bytes, in the storage of raw documents (``core.raw_documents``); ``name`` is what it is called
    # when downloaded or sent.
    content = models.FileField(storage=raw_documents.storage, max_length=255)
    built_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class Notice(Delivery):
    """An e-mail that tells people about an order (so far: that it could not be placed).

    It is written in the same transaction as the failure it reports, and sent by a worker like a dispatch: claimed
    with a lease, retried with backoff while the mail server is away, woken again by the sweeper. ``message_id``
    is fixed when the row is written, so a repeat is recognisably the same e-mail. ``reason`` is the order's
    explanation at the time of the failure; the e-mail's words are made when it is sent.
    """

    class Kind(models.TextChoices):
        DISPATCH_FAILED = "dispatch_failed", _("The order could not be placed")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="notices")
    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("about"), max_length=40, choices=Kind.choices)
    reason = models.TextField(blank=True)
    recipients = models.JSONField(default=list)
    message_id = models.CharField(max_length=255, unique=True)
    status = models.CharField(_("status"), max_length=20, choices=NoticeStatus.choices, default=NoticeStatus.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    give_up_at = models.DateTimeField(help_text=_("Failures are retried until then."))
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta(Delivery.Meta):
        ordering = ["-created_at"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        return f"{self.purchase_order} {self.kind} ({self.status})"
