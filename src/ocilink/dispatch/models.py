"""Dispatch rows: the truth about an order on its way to the supplier. A task only wakes a worker."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ocilink.accounts.models import Organization

from .states import AttemptOutcome, DispatchStatus


class Dispatch(models.Model):
    """One purchase order to be delivered by one ordering method.

    ``payload_id``, ``timestamp``, ``file_name`` and ``message_id`` are fixed when the row is created, so every
    retry sends a recognisably identical document. ``lease_expires_at`` is set while a worker sends; a sweeper
    hands the dispatch to another worker when it passes.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="dispatches")
    purchase_order = models.OneToOneField("orders.PurchaseOrder", on_delete=models.CASCADE, related_name="dispatch")
    method = models.CharField(max_length=30)
    status = models.CharField(max_length=20, choices=DispatchStatus.choices, default=DispatchStatus.PENDING)
    payload_id = models.CharField(max_length=200, unique=True)
    timestamp = models.DateTimeField()
    file_name = models.CharField(max_length=255)
    message_id = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)
    give_up_at = models.DateTimeField(help_text=_("Transient failures are retried until then."))
    next_attempt_at = models.DateTimeField(default=timezone.now)
    attempt_count = models.PositiveIntegerField(default=0)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    worker_id = models.CharField(max_length=64, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["status", "lease_expires_at"]),
        ]

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
    request = models.BinaryField(default=b"")
    response = models.BinaryField(default=b"")
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
    content = models.BinaryField()
    built_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name
