"""Punchout sessions (one per trip to a webshop) and the raw cart returns they receive."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ocilink.accounts.models import DeliveryAddress, Organization
from ocilink.connections.models import Connection
from ocilink.suppliers.models import Supplier

from .states import ReturnOutcome, SessionStatus


class PunchoutSession(models.Model):
    """One trip of a buyer to a webshop. Its HOOK_URL token is stored only as a SHA-256 hash.

    The token is single use (``used_at`` is set atomically by the first return) and expires at ``expires_at``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="punchout_sessions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="punchout_sessions")
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="punchout_sessions")
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="punchout_sessions")
    delivery_address = models.ForeignKey(
        DeliveryAddress, on_delete=models.SET_NULL, null=True, blank=True, related_name="punchout_sessions"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(max_length=20, choices=SessionStatus.choices, default=SessionStatus.STARTED)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("punchout session")
        verbose_name_plural = _("punchout sessions")

    def __str__(self) -> str:
        return f"{self.supplier} by {self.user} at {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class CartReturn(models.Model):
    """What a webshop posted to HOOK_URL, stored byte for byte before parsing, so nothing is ever lost."""

    session = models.ForeignKey(PunchoutSession, on_delete=models.CASCADE, related_name="returns")
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    received_at = models.DateTimeField(default=timezone.now)
    http_method = models.CharField(max_length=8)
    content_type = models.CharField(max_length=255, blank=True)
    headers = models.JSONField(default=dict)
    body = models.BinaryField()
    body_size = models.PositiveIntegerField(default=0)
    body_truncated = models.BooleanField(default=False, help_text=_("Only the start of an over-size body is kept."))
    outcome = models.CharField(max_length=20, choices=ReturnOutcome.choices, blank=True)
    charset = models.CharField(max_length=40, blank=True)
    line_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)
    warnings = models.JSONField(default=list)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("cart return")
        verbose_name_plural = _("cart returns")

    def __str__(self) -> str:
        return self.reference
