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


class TestPunchout(models.Model):
    """A punchout that only checks what a webshop sends back: nothing is ever imported into a cart.

    Made by a consultant for the technical roundtrip test of a connection (with the organization's own account),
    or by a supplier on the public guide for a self-test of their webshop (no organization). It holds a snapshot of
    how to reach the webshop, so a later change of the connection does not change a test that is under way. The
    account is sealed with the key ring, bound to this row; the HOOK_URL token is kept as a SHA-256 hash for the
    lookup and sealed for rebuilding the start page. The id is a random UUID: whoever holds the report link may
    read the report (a supplier has no account here).
    """

    __test__ = False  # not a pytest test class, despite its name

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="test_punchouts"
    )
    connection = models.ForeignKey(
        Connection, on_delete=models.SET_NULL, null=True, blank=True, related_name="test_punchouts"
    )
    delivery_address = models.ForeignKey(
        DeliveryAddress, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    webshop_url = models.URLField(_("webshop (OCI) URL"), max_length=500)
    method = models.CharField(_("method"), max_length=4, default="POST")
    username_field = models.CharField(_("name of the username field"), max_length=60, blank=True)
    password_field = models.CharField(_("name of the password field"), max_length=60, blank=True)
    extra_params = models.JSONField(_("extra fixed parameters"), default=dict, blank=True)
    charset_override = models.CharField(max_length=40, blank=True)
    unit_map = models.JSONField(default=dict, blank=True)
    username_encrypted = models.TextField(editable=False)
    password_encrypted = models.TextField(editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_encrypted = models.TextField(editable=False)
    expires_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reference = models.CharField(_("reference"), max_length=100, db_index=True)
    client_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    outcome = models.CharField(_("outcome"), max_length=20, blank=True)
    return_content_type = models.CharField(max_length=255, blank=True)
    return_headers = models.JSONField(default=dict, blank=True)
    return_body = models.BinaryField(null=True, blank=True)
    return_size = models.PositiveIntegerField(default=0)
    report = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("test punchout")
        verbose_name_plural = _("test punchouts")

    def __str__(self) -> str:
        return f"{self.reference} {self.created_at:%Y-%m-%d %H:%M}"

    def __repr__(self) -> str:
        return f"<TestPunchout {self.pk} reference={self.reference!r}>"

    def _context(self, field: str) -> str:
        return f"test-punchout:{self.pk}:{self.organization_id or '-'}:{field}"

    def seal(self, field: str, value: str) -> str:
        from ocilink.core.crypto import encrypt_secret

        return encrypt_secret(value, context=self._context(field))

    def unseal(self, field: str) -> str:
        from ocilink.core.crypto import decrypt_secret

        return decrypt_secret(getattr(self, f"{field}_encrypted"), context=self._context(field))

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at
