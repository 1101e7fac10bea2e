"""THE step plans of the four scenarios for a new OCI connection: one place to read and change them.

Transcribed in order from the source document (``shared/mission/000_*.txt``, "Aanvraag nieuwe OCI koppeling"),
each step with its responsible party. ``source_step`` is the step's number in the document's table of that
scenario; a step ocilink adds has ``source_step=None`` and says why in ``why_added``.

A request copies its plan's steps into ``RequestStep`` rows when it is created, so changing a plan here changes
new requests only; the pages show the current (translated) title and description of a step whose key is still in
the plan.
"""

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


def _webshop_talk(*, source_step: int, during_implementation: bool, with_party: Party | None = None) -> StepSpec:
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


def _request_credentials(*, source_step: int, consultant_in_cc: bool) -> StepSpec:
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


def _deliver_credentials(*, source_step: int) -> StepSpec:
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


def _activate(
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


def _create_supplier(*, source_step: int, party: Party) -> StepSpec:
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


def _first_order(*, source_step: int, test_order: bool = False, with_supplier: bool = False) -> StepSpec:
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


def _troubleshoot(*, source_step: int, party: Party) -> StepSpec:
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


def _send_documentation(*, source_step: int, title: str | Promise) -> StepSpec:
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


SCENARIO_1 = Plan(
    scenario=1,
    title=_("In implementation, supplier with an existing connection"),
    summary=_(
        "The consultant gives best practices and tips, so that the customer can contact the supplier themselves."
    ),
    steps=(
        StepSpec(
            key="attention_points",
            title=_("Attention points before the OCI request"),
            description=_(
                "Give the customer the known attention points (a ledger translation table, OCI accounts per delivery "
                "address, invoices received as XML) and share best practices for each wanted connection. For a "
                "supplier that is entirely new to the customer, also share the supplier's contact details known to "
                "the platform."
            ),
            party=Party.CONSULTANT,
            due_days=5,
            source_step=1,
        ),
        _webshop_talk(source_step=2, during_implementation=True),
        _request_credentials(source_step=3, consultant_in_cc=True),
        _deliver_credentials(source_step=4),
        _activate(
            source_step=5,
            party=Party.CONSULTANT,
            description=_(
                "Activate and configure the OCI connection, and test it technically with a first roundtrip using the "
                "customer's login details."
            ),
        ),
        _create_supplier(source_step=6, party=Party.CONSULTANT),
        _first_order(source_step=7),
        _troubleshoot(source_step=8, party=Party.CONSULTANT),
    ),
)

SCENARIO_2 = Plan(
    scenario=2,
    title=_("In implementation, new supplier"),
    summary=_(
        "The supplier is not yet available in ocilink. It must be willing to build the connection from the "
        "documentation."
    ),
    steps=(
        StepSpec(
            key="announce_need",
            title=_("Tell the consultant about the new OCI supplier"),
            description=_("Let the consultant know that you want an OCI connection with this new supplier."),
            party=Party.CUSTOMER,
            due_days=3,
            source_step=1,
        ),
        StepSpec(
            key="check_price_tier",
            title=_("Check the price tier of OCI connections"),
            description=_(
                "The first 5 connections are free. If the customer already has more than 5 OCI connections, an extra "
                "charge applies; for questions, refer the customer to the agreement or the account manager."
            ),
            party=Party.CONSULTANT,
            due_days=3,
            source_step=2,
        ),
        _send_documentation(source_step=3, title=_("Send the OCI documentation requirements")),
        StepSpec(
            key="supplier_builds",
            title=_("The supplier builds the OCI connection or makes it available"),
            description=_(
                "Note: how long this takes depends on the supplier; if it takes long, another way of ordering may be "
                "the better option. Whether the supplier charges for the connection also depends on the supplier."
            ),
            party=Party.SUPPLIER,
            due_days=30,
            source_step=4,
        ),
        StepSpec(
            key="deliver_url_credentials",
            title=_("Deliver the URL and the login details"),
            description=_(
                "Give the consultant the webshop's login URL and the login details (in ocilink: enter them on this "
                "request). Also agree how and where the order is placed at the supplier: by e-mail with a PDF, as a "
                "cXML file over HTTPS or as a cXML file over SFTP."
            ),
            party=Party.CUSTOMER,
            due_days=5,
            source_step=5,
            requires=(Requirement.CREDENTIALS,),
        ),
        _activate(
            source_step=None,
            party=Party.CONSULTANT,
            description=_(
                "Activate and configure the OCI connection, and test it technically with a first roundtrip using the "
                "customer's login details."
            ),
            why_added=_(
                "Added by ocilink: the next step links the supplier to the connection, which must be active first "
                "(as in step 5 of scenario 1)."
            ),
        ),
        _create_supplier(source_step=6, party=Party.CONSULTANT),
        _first_order(source_step=7),
        _troubleshoot(source_step=8, party=Party.CONSULTANT),
    ),
)

SCENARIO_3 = Plan(
    scenario=3,
    title=_("Live, supplier with an existing connection, requested in ocilink"),
    summary=_(
        "The supplier is already available in ocilink. The customer first arranges things with the supplier, then "
        "requests the connection in ocilink."
    ),
    steps=(
        StepSpec(
            key=CHECK_CATALOGUE,
            title=_("Check that the connection exists"),
            description=_(
                "Check under Purchasing > Available webshops whether the supplier already has an OCI connection with "
                "ocilink. If not, request it through support (scenario 4)."
            ),
            party=Party.CUSTOMER,
            due_days=1,
            source_step=1,
        ),
        _webshop_talk(source_step=2, during_implementation=False),
        _request_credentials(source_step=3, consultant_in_cc=False),
        StepSpec(
            key="enter_credentials",
            title=_("Enter the login details"),
            description=_(
                "Enter the OCI login details (username and password) and, where needed, location codes per delivery "
                "address and customer numbers for this webshop."
            ),
            party=Party.CUSTOMER,
            due_days=10,
            source_step=4,
            requires=(Requirement.CREDENTIALS,),
        ),
        _activate(
            source_step=5,
            party=Party.SUPPORT,
            description=_(
                "Based on this request, platform support activates the OCI connection for the organization. The "
                "customer is told when it is ready; the connection can then be chosen as “external connection” of a "
                "supplier."
            ),
        ),
        _create_supplier(source_step=6, party=Party.CUSTOMER),
        _first_order(source_step=7),
        _troubleshoot(source_step=8, party=Party.SUPPORT),
    ),
)

SCENARIO_4 = Plan(
    scenario=4,
    title=_("Live, new supplier, requested through support"),
    summary=_(
        "The supplier is not available in ocilink. The customer first arranges things with the supplier, then "
        "requests the connection through support (in ocilink instead of by e-mail)."
    ),
    steps=(
        _send_documentation(source_step=1, title=_("Send the documentation to the supplier")),
        _webshop_talk(source_step=2, during_implementation=False, with_party=Party.SUPPLIER),
        _request_credentials(source_step=3, consultant_in_cc=False),
        _deliver_credentials(source_step=4),
        StepSpec(
            key="submit_to_support",
            title=_("Request the OCI connection for your environment"),
            description=_(
                "Ask platform support to set up the OCI connection with the supplier: on this request, with the "
                "webshop's login details, the login URL as the supplier gave it, and the other details gathered in "
                "steps 3 and 4 (instead of an e-mail to support)."
            ),
            party=Party.CUSTOMER,
            due_days=3,
            source_step=5,
            requires=(Requirement.CREDENTIALS,),
        ),
        _activate(
            source_step=6,
            party=Party.SUPPORT,
            description=_(
                "Based on the details of step 5, the OCI connection is activated for the organization. It can then be "
                "chosen as “external connection” of a supplier; the customer is told as soon as it can."
            ),
        ),
        _create_supplier(source_step=7, party=Party.CUSTOMER),
        _first_order(source_step=8, test_order=True, with_supplier=True),
        _troubleshoot(source_step=9, party=Party.SUPPORT),
    ),
)

PLANS: dict[int, Plan] = {plan.scenario: plan for plan in (SCENARIO_1, SCENARIO_2, SCENARIO_3, SCENARIO_4)}
