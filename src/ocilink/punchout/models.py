"""Punchout sessions (one per trip to a webshop) and the raw cart returns they receive."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ocilink.accounts.models import DeliveryAddress, Organization
from ocilink.connections.models import Connection
from ocilink.core import raw_documents
from ocilink.core.crypto import decrypt_secret, encrypt_secret
from ocilink.suppliers.models import Supplier

from .states import ReturnOutcome, SessionPurpose, SessionStatus


class PunchoutSessionQuerySet(models.QuerySet["PunchoutSession"]):
    def orders(self) -> PunchoutSessionQuerySet:
        return self.filter(purpose=SessionPurpose.ORDER)

    def trials(self) -> PunchoutSessionQuerySet:
        """The sessions that only check what comes back: roundtrip tests and supplier self-tests."""
        return self.exclude(purpose=SessionPurpose.ORDER)


class PunchoutSession(models.Model):
    """One trip to a webshop and back. Its HOOK_URL token is stored only as a SHA-256 hash.

    The token is single use (``used_at`` is set atomically) and expires at ``expires_at``. What comes back is kept
    as a :class:`CartReturn`; the ``purpose`` says what happens to it then. A buyer's punchout (``order``) imports
    the cart into the buyer's cart. A trial, the roundtrip test of a connection or a supplier's self-test of their
    webshop, only checks it and imports nothing; a self-test has no organization, supplier or connection.

    A trial is made first and started later from its own page, so it keeps a copy of how to reach the webshop (a
    later change of the connection does not change a test under way), the account sealed with the key ring bound to
    this row, and the token sealed as well, to rebuild that page. Those fields stay empty for an order, whose start
    page is answered at once from the connection.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(max_length=20, choices=SessionPurpose.choices, default=SessionPurpose.ORDER)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="punchout_sessions"
    )
    # Who punched out (a trial: who made it; none for a self-test made without a login).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="punchout_sessions"
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, null=True, blank=True, related_name="punchout_sessions"
    )
    connection = models.ForeignKey(
        Connection, on_delete=models.SET_NULL, null=True, blank=True, related_name="punchout_sessions"
    )
    delivery_address = models.ForeignKey(
        DeliveryAddress, on_delete=models.SET_NULL, null=True, blank=True, related_name="punchout_sessions"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(max_length=20, choices=SessionStatus.choices, default=SessionStatus.STARTED)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    # A trial only: what it was made for (e.g. "onboarding-step:12"), and a keyed hash of the address of the client
    # that made a self-test (to cap self-tests per client without keeping the address).
    reference = models.CharField(_("reference"), max_length=100, blank=True, db_index=True)
    client_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    # A trial only: its copy of how to reach the webshop, and its sealed account and token.
    webshop_url = models.URLField(_("webshop (OCI) URL"), max_length=500, blank=True)
    method = models.CharField(_("method"), max_length=4, blank=True)
    username_field = models.CharField(_("name of the username field"), max_length=60, blank=True)
    password_field = models.CharField(_("name of the password field"), max_length=60, blank=True)
    extra_params = models.JSONField(_("extra fixed parameters"), default=dict, blank=True)
    charset_override = models.CharField(max_length=40, blank=True)
    unit_map = models.JSONField(default=dict, blank=True)
    username_encrypted = models.TextField(blank=True, editable=False)
    password_encrypted = models.TextField(blank=True, editable=False)
    token_encrypted = models.TextField(blank=True, editable=False)

    objects = PunchoutSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("punchout session")
        verbose_name_plural = _("punchout sessions")

    def __str__(self) -> str:
        if self.is_trial:
            return f"{self.get_purpose_display()} {self.reference} {self.created_at:%Y-%m-%d %H:%M}"
        return f"{self.supplier} by {self.user} at {self.created_at:%Y-%m-%d %H:%M}"

    def __repr__(self) -> str:
        return f"<PunchoutSession {self.pk} purpose={self.purpose!r}>"

    @property
    def is_trial(self) -> bool:
        """Whether this session only checks what comes back (a roundtrip test or a supplier self-test)."""
        return self.purpose != SessionPurpose.ORDER

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def cart_return(self) -> CartReturn | None:
        """The return that counts: the first one that was not a duplicate (a query each time it is read)."""
        return self.returns.exclude(outcome=ReturnOutcome.DUPLICATE).order_by("received_at", "pk").first()

    def cart_options(self) -> dict[str, Any]:
        """How to read a return: a trial's own charset override and unit map, an order's those of its connection."""
        source: Any = self if self.is_trial else self.connection
        if source is None:
            return {"charset_override": None, "unit_map": {}}
        return {
            "charset_override": source.charset_override or None,
            "unit_map": {str(k): str(v) for k, v in (source.unit_map or {}).items()},
        }

    def _context(self, field: str) -> str:
        # The label predates the merge of the trials into this model: values sealed before it must still open.
        return f"test-punchout:{self.pk}:{self.organization_id or '-'}:{field}"

    def seal(self, field: str, value: str) -> str:
        """Seal a trial's ``username``, ``password`` or ``token`` for this row."""
        return encrypt_secret(value, context=self._context(field))

    def unseal(self, field: str) -> str:
        return decrypt_secret(getattr(self, f"{field}_encrypted"), context=self._context(field))


class CartReturn(models.Model):
    """What a webshop posted to HOOK_URL, stored before parsing, so what a valid punchout sent is never lost.

    The whole body is kept only for a valid token (known, not expired, not yet used) within the storage quota of its
    organization or self-test client; otherwise only its start (``body_truncated``), with its full ``body_size``.
    An order keeps a few returns, also a second one with a used token (its start only). A trial keeps only its
    first: anyone may post to a self-test's HOOK_URL. A trial's return also keeps its check ``report``.

    After the retention period the raw body and headers are emptied (``purged_at``); the outcome, reference, size,
    errors, warnings and report stay.
    """

    session = models.ForeignKey(PunchoutSession, on_delete=models.CASCADE, related_name="returns")
    # The session's organization, copied so that its storage quota adds up an index range, not its whole history
    # of sessions; none for a supplier self-test (the only kind of session without one).
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_index=False
    )
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    received_at = models.DateTimeField(default=timezone.now)
    http_method = models.CharField(max_length=8)
    content_type = models.CharField(max_length=255, blank=True)
    headers = models.JSONField(default=dict)
    # The raw body as received (or only its start), in the storage of raw documents (``core.raw_documents``); the
    # row keeps its name only. Empty once purged.
    body = models.FileField(storage=raw_documents.storage, max_length=255, blank=True)
    body_size = models.PositiveIntegerField(default=0)
    body_truncated = models.BooleanField(default=False, help_text=_("Only the start of the body is kept."))
    # The bytes of ``body`` actually stored (0 once purged): what the storage quotas add up.
    stored_bytes = models.PositiveIntegerField(default=0)
    purged_at = models.DateTimeField(_("raw body removed at"), null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=ReturnOutcome.choices, blank=True)
    charset = models.CharField(max_length=40, blank=True)
    line_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)
    warnings = models.JSONField(default=list)
    # A trial's return: the check report of the body, as ``ocilink check-cart --json`` gives it (an order's lines
    # are in the buyer's cart instead).
    report = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            # The storage quotas add up the returns of an organization (or of all self-tests: none) of the last day,
            # from the index alone (a row's large body is never touched).
            models.Index(fields=["organization", "received_at", "stored_bytes"], name="cartreturn_org_received"),
            # The retention purge walks the returns whose body is still there, oldest first.
            models.Index(
                fields=["received_at"], name="cartreturn_unpurged", condition=models.Q(purged_at__isnull=True)
            ),
        ]
        verbose_name = _("cart return")
        verbose_name_plural = _("cart returns")

    def __str__(self) -> str:
        return self.reference

    def read_body(self, limit: int | None = None) -> bytes:
        """The kept bytes of the body, at most ``limit`` (by default all that was kept, which the body limits
        bound); ``b""`` once purged. Raises ``RawDocumentMissing`` when the storage lost it."""
        return raw_documents.read(self.body.name or "", limit=self.stored_bytes if limit is None else limit)
