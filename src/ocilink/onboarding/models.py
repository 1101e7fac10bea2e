"""Connection requests: an organization's way from wanting a supplier's webshop to a live OCI connection."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ocilink.accounts.models import Organization
from ocilink.connections.models import CatalogueEntry, Connection
from ocilink.core.models import TimeStampedModel
from ocilink.dispatch.choices import channel_choices

from .plans import PLANS, Party, Plan, StepSpec
from .states import RequestStatus, StepStatus


class Scenario(models.IntegerChoices):
    """The four scenarios of the source document: the organization's phase × whether the supplier is known."""

    IMPLEMENTATION_EXISTING = 1, _("1 · In implementation, supplier with an existing connection")
    IMPLEMENTATION_NEW = 2, _("2 · In implementation, new supplier")
    LIVE_EXISTING = 3, _("3 · Live, supplier with an existing connection")
    LIVE_NEW = 4, _("4 · Live, new supplier (through support)")


class ConnectionRequest(TimeStampedModel):
    """An organization's request for a connection to one supplier's webshop, worked through its scenario's steps.

    For a supplier that is not in the catalogue (scenarios 2 and 4) it holds what support needs to add the webshop
    to the catalogue: login URL, method, field names, the supplier's contact and how it takes orders. Secrets are
    never stored here: the OCI account and the ordering password are sealed on the organization's ``connection``.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="connection_requests")
    supplier_name = models.CharField(_("supplier"), max_length=200)
    catalogue_entry = models.ForeignKey(
        CatalogueEntry,
        verbose_name=_("catalogue webshop"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="connection_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    scenario = models.PositiveSmallIntegerField(_("scenario"), choices=Scenario.choices)
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    connection = models.ForeignKey(
        Connection, on_delete=models.SET_NULL, null=True, blank=True, related_name="onboarding_requests"
    )
    charge_acknowledged = models.BooleanField(
        _("the requester confirmed that this connection is charged"), default=False
    )
    # New-supplier details (scenarios 2 and 4); for a catalogue webshop they come from the catalogue.
    contact_name = models.CharField(_("supplier's contact"), max_length=200, blank=True)
    contact_email = models.EmailField(_("supplier's contact e-mail"), blank=True)
    login_url = models.URLField(_("webshop login (OCI) URL"), max_length=500, blank=True)
    method = models.CharField(_("method"), max_length=4, choices=Connection.Method.choices, default="POST")
    username_field = models.CharField(_("name of the username field"), max_length=60, default="USERNAME")
    password_field = models.CharField(_("name of the password field"), max_length=60, default="PASSWORD")
    ordering_method = models.CharField(_("ordering method"), max_length=30, choices=channel_choices, blank=True)
    ordering_address = models.CharField(
        _("order address"),
        max_length=500,
        blank=True,
        help_text=_("The e-mail address for orders, the order URL (not the login URL) or the SFTP server."),
    )
    ordering_username = models.CharField(_("user name for placing orders"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("connection request")
        verbose_name_plural = _("connection requests")
        indexes = [models.Index(fields=["organization", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "catalogue_entry"],
                condition=models.Q(status="open", catalogue_entry__isnull=False),
                name="one_open_request_per_catalogue_webshop",
            )
        ]

    def __str__(self) -> str:
        return f"{self.supplier_name} ({self.organization})"

    @property
    def plan(self) -> Plan:
        return PLANS[self.scenario]

    @property
    def is_new_supplier(self) -> bool:
        return self.scenario in (Scenario.IMPLEMENTATION_NEW, Scenario.LIVE_NEW)


class RequestStep(models.Model):
    """One step of a request's plan: who must do it, whether it was done (or skipped, and why), by whom and when."""

    request = models.ForeignKey(ConnectionRequest, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    key = models.CharField(max_length=40)
    title = models.CharField(_("step"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    party = models.CharField(_("responsible"), max_length=20, choices=Party.choices)
    with_party = models.CharField(_("helped by"), max_length=20, choices=Party.choices, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=StepStatus.choices, default=StepStatus.OPEN)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(_("when"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    due_date = models.DateField(_("due"), null=True, blank=True)
    # Copied from the plan so that a later change of the plan does not change an existing request.
    requires = models.JSONField(default=list, blank=True)
    may_skip = models.BooleanField(default=True)
    optional = models.BooleanField(default=False)
    report = models.JSONField(
        _("report"),
        default=dict,
        blank=True,
        help_text=_("Results recorded on the step, e.g. a roundtrip test report."),
    )

    class Meta:
        ordering = ["request", "position"]
        verbose_name = _("request step")
        verbose_name_plural = _("request steps")
        constraints = [
            models.UniqueConstraint(fields=["request", "position"], name="one_step_per_position"),
            models.UniqueConstraint(fields=["request", "key"], name="one_step_per_key"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"

    @property
    def spec(self) -> StepSpec | None:
        """The step as the current plan describes it (translated), if the plan still has it."""
        plan = PLANS.get(self.request.scenario)
        return plan.step(self.key) if plan else None

    @property
    def display_title(self) -> str:
        spec = self.spec
        return str(spec.title) if spec else self.title

    @property
    def display_description(self) -> str:
        spec = self.spec
        return str(spec.description) if spec else self.description

    @property
    def is_closed(self) -> bool:
        return self.status in (StepStatus.DONE, StepStatus.SKIPPED)

    @property
    def is_overdue(self) -> bool:
        return self.status == StepStatus.OPEN and self.due_date is not None and self.due_date < timezone.localdate()


class RequestEvent(models.Model):
    """The history of a request: every step ticked, skipped or reopened and every action, with who and when."""

    class Action(models.TextChoices):
        CREATED = "created", _("requested")
        STEP_DONE = "step_done", _("marked a step done")
        STEP_SKIPPED = "step_skipped", _("skipped a step")
        STEP_REOPENED = "step_reopened", _("reopened a step")
        DETAILS_UPDATED = "details_updated", _("updated the details")
        ACTIVATED = "activated", _("activated the connection")
        HOLD_SET = "hold_set", _("set the next order to be held for inspection")
        HOLD_CLEARED = "hold_cleared", _("let the next order be sent normally")
        ROUNDTRIP_STARTED = "roundtrip_started", _("started a roundtrip test")
        REPORT_RECORDED = "report_recorded", _("recorded a roundtrip report on a step")
        ADDED_TO_CATALOGUE = "added_to_catalogue", _("added the webshop to the catalogue")
        WENT_LIVE = "went_live", _("the request went live")
        CANCELLED = "cancelled", _("cancelled the request")

    request = models.ForeignKey(ConnectionRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=30, choices=Action.choices)
    step = models.ForeignKey(RequestStep, on_delete=models.SET_NULL, null=True, blank=True, related_name="events")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("request event")
        verbose_name_plural = _("request history")

    def __str__(self) -> str:
        return f"{self.request} {self.action} at {self.at:%Y-%m-%d %H:%M}"
