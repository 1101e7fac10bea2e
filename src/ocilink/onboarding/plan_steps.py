"""The parts the step plans are made of: the parties, what a step requires before it is done, the step and plan
types, and the steps that several scenarios share. The four plans themselves are in ``plans.py``."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Party(models.TextChoices):
    """Who is responsible for a step."""

    CUSTOMER = "customer", _("Customer")
    CONSULTANT = "consultant", _("Consultant")
    SUPPLIER = "supplier", _("Supplier")
    SUPPORT = "support", _("Support")


class Requirement(models.TextChoices):
    """What must be true before a step can be marked done (checked by the services, explained to the user)."""

    CREDENTIALS = "credentials", _("the OCI login details are entered")
    ACTIVE_CONNECTION = "active_connection", _("the connection is activated")
    ORDER_DELIVERED = "order_delivered", _("the first order through the connection reached the supplier")
    NOTE = "note", _("a note says what happened")


# Step keys with behaviour of their own on the request page.
ACTIVATE = "activate"  # the "Activate the connection" and roundtrip test actions live on this step
FIRST_ORDER = "first_order"  # hold-next-order, the first purchase order, and the supplier's confirmation
CHECK_CATALOGUE = "check_catalogue"  # done by picking a webshop from the catalogue (scenario 3)


@dataclass(frozen=True)
class StepSpec:
    """One step of a plan."""

    key: str
    title: str | Promise
    description: str | Promise
    party: Party
    # Days this step normally takes; due dates add them up from the day the request is made.
    due_days: int
    source_step: int | None
    with_party: Party | None = None  # who helps (shown, but does not decide who may tick the step)
    requires: tuple[Requirement, ...] = ()
    may_skip: bool = True
    # Only needed when something goes wrong: it does not hold the request back from going live.
    optional: bool = False
    why_added: str | Promise = ""


@dataclass(frozen=True)
class Plan:
    scenario: int
    title: str | Promise
    summary: str | Promise
    steps: tuple[StepSpec, ...] = field(default_factory=tuple)

    def step(self, key: str) -> StepSpec | None:
        return next((spec for spec in self.steps if spec.key == key), None)


# The same step appears in several scenarios with the same words; these builders keep one wording.


def webshop_talk_step(*, source_step: int, during_implementation: bool, with_party: Party | None = None) -> StepSpec:
    if during_implementation:
        description = _(
            "Talk with the supplier's account manager about what the webshop connection can and cannot do: the "
            "number of accounts, the scope of the assortment, discounts, order confirmations, a ledger translation "
            "table, extra costs, the invoice address and a preference for invoices as XML. The consultant can help."
        )
    else:
        description = _(
            "Talk with the supplier's account manager about what the webshop connection can and cannot do. The known "
            "attention points (a ledger translation table, OCI accounts per delivery address, invoices received as "
            "XML) were given to the customer during the implementation."
        )
    return StepSpec(
        key="webshop_talk",
        title=_("Talk about the webshop"),
        description=description,
        party=Party.CUSTOMER,
        with_party=with_party or (Party.CONSULTANT if during_implementation else None),
        due_days=10,
        source_step=source_step,
    )


def request_credentials_step(*, source_step: int, consultant_in_cc: bool) -> StepSpec:
    if consultant_in_cc:
        description = _(
            "Ask the supplier's contact, with the consultant in CC, for the login details of an OCI account (username "
            "and password) and, where needed, customer numbers or location codes. Also agree how and where the order "
            "is placed at the supplier: by e-mail with a PDF, as a cXML file over HTTPS or as a cXML file over SFTP. "
            "ocilink writes this e-mail for you (the credential request)."
        )
    else:
        description = _(
            "Ask the supplier's contact for the login details of an OCI account (username and password) and, where "
            "needed, customer numbers or location codes. Also agree how and where the order is placed at the "
            "supplier: by e-mail with a PDF, as a cXML file over HTTPS or as a cXML file over SFTP. ocilink writes "
            "this e-mail for you (the credential request)."
        )
    return StepSpec(
        key="request_credentials",
        title=_("Request the login details from the supplier's contact by e-mail"),
        description=description,
        party=Party.CUSTOMER,
        due_days=5,
        source_step=source_step,
    )


def deliver_credentials_step(*, source_step: int) -> StepSpec:
    return StepSpec(
        key="deliver_credentials",
        title=_("Deliver the login details by e-mail"),
        description=_(
            "The supplier sends the OCI login details (username and password) and, where needed, location codes per "
            "delivery address and customer numbers. Whoever receives the answer enters them in ocilink and marks "
            "this step done."
        ),
        party=Party.SUPPLIER,
        due_days=10,
        source_step=source_step,
        requires=(Requirement.CREDENTIALS,),
    )


def activate_step(
    *, source_step: int | None, party: Party, description: str | Promise, why_added: str | Promise = ""
) -> StepSpec:
    return StepSpec(
        key=ACTIVATE,
        title=_("Activate the OCI connection and test it with a first roundtrip")
        if party == Party.CONSULTANT
        else _("Activate the OCI connection"),
        description=description,
        party=party,
        due_days=5,
        source_step=source_step,
        requires=(Requirement.ACTIVE_CONNECTION,),
        may_skip=False,
        why_added=why_added,
    )


def create_supplier_step(*, source_step: int, party: Party) -> StepSpec:
    if party == Party.CONSULTANT:
        description = _(
            "Create the OCI supplier in ocilink with the right settings and link it to its supplier group, category, "
            "roles, rights and the external connection. The consultant explains this to the customer during the "
            "onboarding training."
        )
    else:
        description = _(
            "Create the OCI supplier in ocilink with the right settings and link it to its supplier group, category, "
            "roles, rights and the external connection (Suppliers, then choose this connection as its external "
            "connection)."
        )
    return StepSpec(
        key="create_supplier",
        title=_("Create the OCI supplier in ocilink"),
        description=description,
        party=party,
        due_days=5,
        source_step=source_step,
    )


def first_order_step(*, source_step: int, test_order: bool = False, with_supplier: bool = False) -> StepSpec:
    return StepSpec(
        key=FIRST_ORDER,
        title=_("Place the first (test) order together with the supplier")
        if test_order
        else _("Place the first order together with the supplier"),
        description=_(
            "Place the first order in agreement with the supplier's contact. It can be sent for real or held for "
            "inspection first (a test order). The goal is not only to reach the webshop, but to check with the "
            "supplier that the order arrived and was placed. Record the supplier's confirmation here."
        ),
        party=Party.CUSTOMER,
        with_party=Party.SUPPLIER if with_supplier else None,
        due_days=10,
        source_step=source_step,
        requires=(Requirement.ORDER_DELIVERED, Requirement.NOTE),
        may_skip=False,
    )


def troubleshoot_step(*, source_step: int, party: Party) -> StepSpec:
    return StepSpec(
        key="troubleshoot",
        title=_("Fix an error when placing the order"),
        description=_(
            "Only when needed: an error appears because an order could not be placed at the supplier, or ocilink "
            "says “to be received” while the supplier says it never got the order. The order's page shows each try "
            "and what the supplier's system answered."
        ),
        party=party,
        due_days=5,
        source_step=source_step,
        optional=True,
    )


def send_documentation_step(*, source_step: int, title: str | Promise) -> StepSpec:
    return StepSpec(
        key="send_documentation",
        title=title,
        description=_(
            "So that the supplier knows how the platform expects an OCI connection to be built, send the supplier's "
            "contact a link to the supplier integration guide."
        ),
        party=Party.CUSTOMER,
        due_days=5,
        source_step=source_step,
    )
