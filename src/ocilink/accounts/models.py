"""Organizations (tenants), memberships with a role, delivery addresses."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ocilink.core.models import TimeStampedModel


class Organization(TimeStampedModel):
    """A buying organization: one tenant. Every business row belongs to exactly one."""

    class Phase(models.TextChoices):
        IMPLEMENTATION = "implementation", _("In implementation")
        LIVE = "live", _("Live")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, default=Phase.IMPLEMENTATION)
    invoice_name = models.CharField(_("invoice addressee"), max_length=200, blank=True)
    invoice_street = models.CharField(_("invoice street and number"), max_length=200, blank=True)
    invoice_postal_code = models.CharField(_("invoice postal code"), max_length=20, blank=True)
    invoice_city = models.CharField(_("invoice city"), max_length=100, blank=True)
    invoice_country = models.CharField(_("invoice country"), max_length=2, default="NL")
    invoice_email = models.EmailField(_("invoice e-mail address"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    APPROVER = "approver", _("Approver")
    ADMINISTRATOR = "administrator", _("Administrator")


class DeliveryAddress(TimeStampedModel):
    """A place where an organization receives goods; OCI accounts and customer numbers may differ per address."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="delivery_addresses")
    label = models.CharField(_("label"), max_length=100)
    street = models.CharField(_("street and number"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=20)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, default="NL", help_text=_("ISO 3166 code, e.g. NL"))
    is_default = models.BooleanField(_("default address"), default=False)

    class Meta:
        ordering = ["organization", "-is_default", "label"]
        verbose_name = _("delivery address")
        verbose_name_plural = _("delivery addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=models.Q(is_default=True), name="one_default_address_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.street}, {self.postal_code} {self.city}"


class Membership(TimeStampedModel):
    """A user's place in an organization, with the role that decides what they may do there."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.BUYER)
    delivery_address = models.ForeignKey(
        DeliveryAddress,
        verbose_name=_("usual delivery address"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["organization", "user"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_org")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.get_role_display()})"


class CostCentre(TimeStampedModel):
    """A cost centre of an organization; approval rules may depend on it."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="cost_centres")
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["organization", "code"]
        verbose_name = _("cost centre")
        verbose_name_plural = _("cost centres")
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="cost_centre_code_per_org")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PlatformRole(models.TextChoices):
    CONSULTANT = "consultant", _("Consultant")
    SUPPORT = "support", _("Support")


class PlatformStaff(TimeStampedModel):
    """A member of the platform's own staff: works across organizations (every action inside one is audited)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="platform_staff")
    role = models.CharField(_("role"), max_length=20, choices=PlatformRole.choices)

    class Meta:
        verbose_name = _("platform staff member")
        verbose_name_plural = _("platform staff")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class AuditEvent(models.Model):
    """Something a person did inside an organization: who, when, what, on which object."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=60, blank=True)
    summary = models.TextField(blank=True)
    by_platform_staff = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["organization", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"
