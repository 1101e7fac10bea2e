"""THE step plans of the four scenarios for a new OCI connection: one place to read and change them.

Transcribed in order from the source document (``shared/mission/000_*.txt``, "Aanvraag nieuwe OCI koppeling"),
each step with its responsible party. ``source_step`` is the step's number in the document's table of that
scenario; a step ocilink adds has ``source_step=None`` and says why in ``why_added``.

A request copies its plan's steps into ``RequestStep`` rows when it is created, so changing a plan here changes
new requests only; the pages show the current (translated) title and description of a step whose key is still in
the plan.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .plan_steps import (
    ACTIVATE,
    CHECK_CATALOGUE,
    FIRST_ORDER,
    Party,
    Plan,
    Requirement,
    StepSpec,
    activate_step,
    create_supplier_step,
    deliver_credentials_step,
    first_order_step,
    request_credentials_step,
    send_documentation_step,
    troubleshoot_step,
    webshop_talk_step,
)

__all__ = ["ACTIVATE", "CHECK_CATALOGUE", "FIRST_ORDER", "Party", "Plan", "Requirement", "StepSpec", "PLANS"]

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
        webshop_talk_step(source_step=2, during_implementation=True),
        request_credentials_step(source_step=3, consultant_in_cc=True),
        deliver_credentials_step(source_step=4),
        activate_step(
            source_step=5,
            party=Party.CONSULTANT,
            description=_(
                "Activate and configure the OCI connection, and test it technically with a first roundtrip using the "
                "customer's login details."
            ),
        ),
        create_supplier_step(source_step=6, party=Party.CONSULTANT),
        first_order_step(source_step=7),
        troubleshoot_step(source_step=8, party=Party.CONSULTANT),
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
        send_documentation_step(source_step=3, title=_("Send the OCI documentation requirements")),
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
        activate_step(
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
        create_supplier_step(source_step=6, party=Party.CONSULTANT),
        first_order_step(source_step=7),
        troubleshoot_step(source_step=8, party=Party.CONSULTANT),
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
        webshop_talk_step(source_step=2, during_implementation=False),
        request_credentials_step(source_step=3, consultant_in_cc=False),
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
        activate_step(
            source_step=5,
            party=Party.SUPPORT,
            description=_(
                "Based on this request, platform support activates the OCI connection for the organization. The "
                "customer is told when it is ready; the connection can then be chosen as “external connection” of a "
                "supplier."
            ),
        ),
        create_supplier_step(source_step=6, party=Party.CUSTOMER),
        first_order_step(source_step=7),
        troubleshoot_step(source_step=8, party=Party.SUPPORT),
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
        send_documentation_step(source_step=1, title=_("Send the documentation to the supplier")),
        webshop_talk_step(source_step=2, during_implementation=False, with_party=Party.SUPPLIER),
        request_credentials_step(source_step=3, consultant_in_cc=False),
        deliver_credentials_step(source_step=4),
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
        activate_step(
            source_step=6,
            party=Party.SUPPORT,
            description=_(
                "Based on the details of step 5, the OCI connection is activated for the organization. It can then be "
                "chosen as “external connection” of a supplier; the customer is told as soon as it can."
            ),
        ),
        create_supplier_step(source_step=7, party=Party.CUSTOMER),
        first_order_step(source_step=8, test_order=True, with_supplier=True),
        troubleshoot_step(source_step=9, party=Party.SUPPORT),
    ),
)

PLANS: dict[int, Plan] = {plan.scenario: plan for plan in (SCENARIO_1, SCENARIO_2, SCENARIO_3, SCENARIO_4)}
