"""The isolation walk: every URL of the platform that names an object refuses a user of another organization.

The walk discovers the URL patterns itself (``get_resolver().url_patterns``, recursively), so a new view is covered
as soon as its URL is included. For each URL that takes arguments it fills them from the objects of organization
A (``World`` below), logs in as an *administrator* of organization B (the most rights a member can have), and
proves that GET and POST answer 404 or 403 and change no row anywhere. As a positive control, the owner in
organization A does not get 404/403 for the same URL, so the walk never passes because of a wrong id.

ADDING A URL: when the walk meets a URL it cannot fill, it fails and names the URL. Add an entry to ``TARGETS``
right below: a function that picks organization A's object(s) from the ``World`` (build a missing object in
``build_world``), and who in organization A owns it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from ocilink.accounts.audit import audit_log
from ocilink.accounts.models import Role
from ocilink.connections.models import CatalogueEntry
from ocilink.connections.services import oci_credential_set
from ocilink.onboarding.services import connection_request_create
from ocilink.orders.models import DispatchAttempt, DispatchDocument
from ocilink.orders.placing import order_request_place
from ocilink.protocols.oci import encode_cart_body
from ocilink.punchout import trials
from ocilink.punchout.services import punchout_find_session, punchout_receive, punchout_start
from ocilink.requisitions.models import ApprovalRule, ApprovalStep, OrderRequest, OrderRequestLine
from ocilink.requisitions.states import OrderRequestStatus
from ocilink.suppliers.models import LedgerAccount, LedgerMapping, LedgerTable, OrderingRight
from tests.raw_files import keep

from .factories import (
    CostCentreFactory,
    DeliveryAddressFactory,
    MembershipFactory,
    OrderingRightFactory,
    OrganizationFactory,
    SupplierCategoryFactory,
    SupplierFactory,
    SupplierGroupFactory,
    UserFactory,
)


@dataclass(frozen=True)
class Target:
    """How to fill one URL with organization A's objects, and who in A may open it (for the positive control):
    ``"admin"``, ``"buyer"``, ``"approver"`` or ``"staff"`` (platform staff)."""

    kwargs: Callable[[World], dict[str, Any]]
    owner: str = "admin"
    post: dict[str, Any] = field(default_factory=dict)


# ---- THE TABLE TO EXTEND: URL name -> how to fill it from organization A's objects ---------------------------------
TARGETS: dict[str, Target] = {
    # accounts
    "accounts:member_edit": Target(lambda a: {"pk": a.buyer.pk}),
    "accounts:cost_centre_edit": Target(lambda a: {"pk": a.cost_centre.pk}),
    "accounts:cost_centre_deactivate": Target(lambda a: {"pk": a.cost_centre.pk}),
    # suppliers
    "suppliers:admin_edit": Target(lambda a: {"pk": a.supplier.pk}),
    "suppliers:group_edit": Target(lambda a: {"pk": a.group.pk}),
    "suppliers:group_delete": Target(lambda a: {"pk": a.group.pk}),
    "suppliers:category_edit": Target(lambda a: {"pk": a.category.pk}),
    "suppliers:category_delete": Target(lambda a: {"pk": a.category.pk}),
    "suppliers:right_edit": Target(lambda a: {"pk": a.role_right.pk}),
    "suppliers:right_delete": Target(lambda a: {"pk": a.user_right.pk}),
    # punchout
    "punchout:start": Target(lambda a: {"supplier_id": a.supplier.pk}, owner="buyer"),
    "punchout:result": Target(lambda a: {"session_id": a.punchout_session.pk}, owner="buyer"),
    "punchout:return_detail": Target(lambda a: {"reference": a.cart_return.reference}, owner="staff"),
    # requisitions
    "requisitions:line_update": Target(lambda a: {"line_id": a.cart_line.pk}, owner="buyer", post={"quantity": "7"}),
    "requisitions:line_remove": Target(lambda a: {"line_id": a.cart_line.pk}, owner="buyer"),
    "requisitions:request_detail": Target(lambda a: {"pk": a.submitted_request.pk}),
    "requisitions:request_approve": Target(lambda a: {"pk": a.submitted_request.pk}, owner="approver"),
    "requisitions:request_reject": Target(lambda a: {"pk": a.submitted_request.pk}, owner="approver"),
    "requisitions:request_reopen": Target(lambda a: {"pk": a.submitted_request.pk}, owner="buyer"),
    # orders
    "orders:detail": Target(lambda a: {"pk": a.purchase_order.pk}),
    "orders:document": Target(lambda a: {"pk": a.purchase_order.pk}),
    "orders:attempt_payload": Target(lambda a: {"pk": a.purchase_order.pk, "number": 1, "part": "request"}),
    "orders:action": Target(lambda a: {"pk": a.purchase_order.pk, "action": "cancel"}, post={"note": "x"}),
    # connections (credentials per delivery address, the credential request)
    "connections:credentials": Target(lambda a: {"connection_id": a.connection.pk}),
    "connections:credential_request": Target(lambda a: {"connection_id": a.connection.pk}),
    "connections:credential_request_sheet": Target(lambda a: {"connection_id": a.connection.pk}),
    "connections:credential_sheet_upload": Target(lambda a: {"connection_id": a.connection.pk}),
    # the ledger translation table
    "ledger:account_edit": Target(lambda a: {"pk": a.ledger_account.pk}),
    "ledger:account_deactivate": Target(lambda a: {"pk": a.ledger_account.pk}),
    "ledger:account_activate": Target(lambda a: {"pk": a.ledger_account.pk}),
    "ledger:table": Target(lambda a: {"pk": a.ledger_table.pk}),
    "ledger:table_edit": Target(lambda a: {"pk": a.ledger_table.pk}),
    "ledger:table_delete": Target(lambda a: {"pk": a.ledger_table.pk}),
    "ledger:table_import": Target(lambda a: {"pk": a.ledger_table.pk}),
    "ledger:table_export": Target(lambda a: {"pk": a.ledger_table.pk, "fmt": "csv"}),
    "ledger:mapping_add": Target(lambda a: {"table_pk": a.ledger_table.pk}),
    "ledger:mapping_edit": Target(lambda a: {"pk": a.ledger_mapping.pk}),
    "ledger:mapping_delete": Target(lambda a: {"pk": a.ledger_mapping.pk}),
    "requisitions:line_account": Target(lambda a: {"line_id": a.cart_line.pk}, owner="buyer"),
    # onboarding: connection requests and their steps
    "punchout:test_start": Target(lambda a: {"test_id": a.extra["test_punchout"].pk}, owner="staff"),
    "punchout:test_report": Target(lambda a: {"test_id": a.extra["test_punchout"].pk}, owner="staff"),
    "onboarding:detail": Target(lambda a: {"pk": a.extra["connection_request"].pk}),
    "onboarding:details": Target(lambda a: {"pk": a.extra["connection_request"].pk}),
    "onboarding:activate": Target(lambda a: {"pk": a.extra["connection_request"].pk}, owner="staff"),
    "onboarding:hold": Target(lambda a: {"pk": a.extra["connection_request"].pk}),
    "onboarding:add_to_catalogue": Target(lambda a: {"pk": a.extra["connection_request"].pk}, owner="staff"),
    "onboarding:cancel": Target(lambda a: {"pk": a.extra["connection_request"].pk}),
    "onboarding:staff_open": Target(lambda a: {"pk": a.extra["connection_request"].pk}, owner="staff"),
    "onboarding:step_action": Target(
        lambda a: {"pk": a.extra["connection_request"].pk, "step_pk": a.extra["activate_step"].pk, "action": "done"},
        owner="staff",
    ),
    "onboarding:roundtrip_start": Target(
        lambda a: {"pk": a.extra["connection_request"].pk, "step_pk": a.extra["activate_step"].pk}, owner="staff"
    ),
    "onboarding:roundtrip_record": Target(
        lambda a: {"pk": a.extra["connection_request"].pk, "step_pk": a.extra["activate_step"].pk}, owner="staff"
    ),
}

# URLs outside the walk, with the reason.
SKIPPED_NAMESPACES = {"admin"}  # Django's admin site: staff only, with its own permission system
SKIPPED_NAMES = {
    "login",
    "logout",
    "set_language",  # i18n/
    "punchout:return",  # HOOK_URL: cross-site, authenticated by its one-time token alone (tests/punchout cover it)
    # The catalogue of available webshops is shared by every organization: requesting one, or support editing it,
    # is not another organization's object (tests/onboarding cover who may do what).
    "onboarding:request_catalogue",
    "catalogue:edit",
}
SKIPPED_PREFIXES = ("i18n/", "static/", "admin/")

# Known gaps: URLs that do refuse (nothing changes) but not yet with 404/403. The walk still proves that nothing
# changes; when the view is fixed the walk fails until its entry is removed here.
KNOWN_GAPS: dict[str, str] = {}

# Sent with every POST, so a view that forgot to scope its object would have something to change.
POST_DATA = {
    "name": "Changed by another organization",
    "code": "X-1",
    "quantity": "9",
    "note": "intrusion",
    "comment": "intrusion",
    "role": Role.ADMINISTRATOR,
    "holder": "role",
    "is_blocked": "on",
    "is_active": "",
    "may_order": "on",
    "all_supplier_groups": "on",
    "limit_without_approval": "1",
}


# ---- the objects of organization A --------------------------------------------------------------------------------


@dataclass
class World:
    """Organization A with one of everything, made through the real services where they exist."""

    organization: Any
    admin: Any
    buyer: Any
    approver: Any
    staff_user: Any
    address: Any
    group: Any
    category: Any
    supplier: Any
    connection: Any
    role_right: Any
    user_right: Any
    cost_centre: Any
    punchout_session: Any
    cart_return: Any
    cart_line: Any
    submitted_request: Any
    approval_rule: Any
    approval_step: Any
    purchase_order: Any
    ledger_account: Any
    ledger_table: Any
    ledger_mapping: Any
    extra: dict[str, Any] = field(default_factory=dict)  # room for objects other URLs need


def _cart_body() -> bytes:
    line = {"DESCRIPTION": "Paper", "QUANTITY": "2", "UNIT": "PCE", "PRICE": "10.00", "CURRENCY": "EUR"}
    return encode_cart_body([line])


def build_world() -> World:
    organization = OrganizationFactory(name="Organization A")
    address = DeliveryAddressFactory(organization=organization, is_default=True)
    admin = MembershipFactory(organization=organization, role=Role.ADMINISTRATOR)
    buyer = MembershipFactory(organization=organization, role=Role.BUYER, delivery_address=address)
    approver = MembershipFactory(organization=organization, role=Role.APPROVER)
    staff_user = UserFactory(is_staff=True)
    group = SupplierGroupFactory(organization=organization)
    category = SupplierCategoryFactory(organization=organization)
    supplier = SupplierFactory(organization=organization, group=group, category=category)
    connection = supplier.external_connection
    connection.ordering_method = "email_pdf"
    connection.ordering_settings = {"recipients": ["orders@supplier.example"]}
    connection.save()
    oci_credential_set(connection=connection, delivery_address=None, username="org-account", password="org-secret")
    role_right = OrderingRight.objects.create(organization=organization, role=Role.BUYER, all_supplier_groups=True)
    user_right = OrderingRightFactory(organization=organization, role="", user=approver.user, supplier_groups=[group])
    cost_centre = CostCentreFactory(organization=organization)
    ledger_account = LedgerAccount.objects.create(organization=organization, code="4000", name="Office")
    ledger_table = LedgerTable.objects.create(organization=organization, default_account=ledger_account)
    ledger_mapping = LedgerMapping.objects.create(table=ledger_table, code="44121600", account=ledger_account)

    # A punchout by the buyer, its return and the cart line it made.
    started = punchout_start(
        membership=buyer, supplier=supplier, delivery_address=address, hook_url_for=lambda token: token
    )
    token = next(value for name, value in started.fields if name == "HOOK_URL")
    session = punchout_find_session(token=token)
    assert session is not None
    meta = {"CONTENT_TYPE": "application/x-www-form-urlencoded"}
    result = punchout_receive(session=session, http_method="POST", meta=meta, body=_cart_body())
    assert result.cart_return is not None
    cart_line = OrderRequestLine.objects.get(cart_return=result.cart_return)

    # A submitted request waiting for the approver.
    submitted = OrderRequest.objects.create(
        organization=organization,
        requester=buyer.user,
        status=OrderRequestStatus.SUBMITTED,
        delivery_address=address,
        cost_centre=cost_centre,
        submitted_at=timezone.now(),
    )
    _copy_line(cart_line, submitted)
    rule = ApprovalRule.objects.create(organization=organization, name="Manager", approver=approver.user)
    step = ApprovalStep.objects.create(
        order_request=submitted,
        organization=organization,
        waiting_since=submitted.submitted_at,
        rule=rule,
        level=1,
        approver=approver.user,
    )

    # An approved request, ordered: its purchase order with a dispatch, one attempt and the document.
    approved = OrderRequest.objects.create(
        organization=organization,
        requester=buyer.user,
        status=OrderRequestStatus.APPROVED,
        delivery_address=address,
        submitted_at=timezone.now(),
        decided_at=timezone.now(),
    )
    _copy_line(cart_line, approved)
    (purchase_order,) = order_request_place(order_request=approved, actor=buyer.user)
    DispatchAttempt.objects.create(
        dispatch=purchase_order.dispatch,
        number=1,
        request=keep("dispatch-attempts", "1-request", b"sent"),
        response=keep("dispatch-attempts", "1-response", b"answer"),
    )
    DispatchDocument.objects.create(
        dispatch=purchase_order.dispatch, name="order.pdf", content=keep("dispatch-documents", "order", b"%PDF-")
    )

    entry = CatalogueEntry.objects.create(supplier_name="Shop A", webshop_url="https://shop-a.example/oci")
    connection_request = connection_request_create(
        organization=organization, requested_by=admin.user, catalogue_entry=entry
    )
    extra = {
        "connection_request": connection_request,
        "activate_step": connection_request.steps.get(key="activate"),
        "test_punchout": trials.trial_create(
            organization=organization, connection=connection, reference="isolation", created_by=admin.user
        ),
    }

    audit_log(organization=organization, actor=admin.user, action="world.built", obj=supplier)
    return World(
        organization=organization,
        admin=admin,
        buyer=buyer,
        approver=approver,
        staff_user=staff_user,
        address=address,
        group=group,
        category=category,
        supplier=supplier,
        connection=connection,
        role_right=role_right,
        user_right=user_right,
        cost_centre=cost_centre,
        punchout_session=session,
        cart_return=result.cart_return,
        cart_line=cart_line,
        submitted_request=submitted,
        approval_rule=rule,
        approval_step=step,
        purchase_order=purchase_order,
        ledger_account=ledger_account,
        ledger_table=ledger_table,
        ledger_mapping=ledger_mapping,
        extra=extra,
    )


def _copy_line(line: OrderRequestLine, order_request: OrderRequest) -> None:
    OrderRequestLine.objects.create(
        order_request=order_request,
        position=1,
        supplier=line.supplier,
        connection=line.connection,
        description=line.description,
        quantity=line.quantity,
        unit=line.unit,
        unit_price=line.unit_price or Decimal("1.00"),
        currency=line.currency or "EUR",
    )


# ---- discovering the URLs -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    arguments: tuple[str, ...]


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            arguments = tuple(pattern.pattern.regex.groupindex)
            name = pattern.name or ""
            full_name = f"{namespace}:{name}" if namespace and name else name
            yield Route(full_name, prefix + str(pattern.pattern), arguments)


def _routes_with_arguments() -> list[Route]:
    routes = []
    for route in _walk(get_resolver().url_patterns):
        namespace = route.name.split(":", 1)[0] if ":" in route.name else ""
        if namespace in SKIPPED_NAMESPACES or route.name in SKIPPED_NAMES:
            continue
        if route.route.startswith(SKIPPED_PREFIXES):
            continue
        if route.arguments:
            routes.append(route)
    return routes


ROUTES = _routes_with_arguments()


# ---- what "changes nothing" and "refused" mean --------------------------------------------------------------------


def _tables() -> list[Any]:
    """Every model of the platform, plus users and the task queue."""
    return [
        model
        for model in apps.get_models()
        if model.__module__.startswith("ocilink.") or model._meta.app_label in {"auth", "django_tasks_db"}
    ]


def _plain(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value


def snapshot() -> dict[str, list[dict[str, Any]]]:
    return {
        model._meta.label: [
            {key: _plain(value) for key, value in row.items()} for row in model.objects.order_by("pk").values()
        ]
        for model in _tables()
    }


def _changed_tables(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])


LOGIN_PATHS = (resolve_url(settings.LOGIN_URL), "/admin/login/")


def _refused(response: HttpResponse) -> bool:
    if response.status_code in (403, 404):
        return True
    # A staff-only page sends a non-staff user to log in: refused, and nothing about the object is shown.
    return response.status_code == 302 and response["Location"].startswith(LOGIN_PATHS)


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _owner(world: World, owner: str) -> Any:
    return {
        "admin": world.admin.user,
        "buyer": world.buyer.user,
        "approver": world.approver.user,
        "staff": world.staff_user,
    }[owner]


# ---- the walk -----------------------------------------------------------------------------------------------------


def test_the_walk_finds_the_urls_of_every_app():
    names = {route.name for route in ROUTES}

    assert {"orders:detail", "punchout:result", "requisitions:line_update", "suppliers:admin_edit"} <= names
    assert "punchout:return" not in names
    assert not any(name.startswith("admin:") for name in names)


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=[route.name or route.route for route in ROUTES])
def test_a_user_of_another_organization_is_refused_and_changes_nothing(route: Route):
    if not route.name:
        pytest.fail(f"The URL {route.route!r} takes {list(route.arguments)} but has no name: give it one.")
    target = TARGETS.get(route.name)
    if target is None:
        pytest.fail(
            f"The URL {route.name!r} ({route.route}) takes {list(route.arguments)}, and tests/test_isolation.py does "
            f"not know how to fill them. Add an entry for {route.name!r} to TARGETS that picks organization A's "
            "object(s) from the World (build a missing object in build_world)."
        )
    world = build_world()
    kwargs = target.kwargs(world)
    assert set(kwargs) == set(route.arguments), f"TARGETS[{route.name!r}] fills {sorted(kwargs)}"
    url = reverse(route.name, kwargs=kwargs)
    intruder = MembershipFactory(organization=OrganizationFactory(name="Organization B"), role=Role.ADMINISTRATOR)
    client = _login(intruder.user)

    before = snapshot()
    got = client.get(url)
    posted = client.post(url, {**POST_DATA, **target.post})
    after = snapshot()

    assert _changed_tables(before, after) == [], f"{route.name}: a user of another organization changed rows"
    statuses = (got.status_code, posted.status_code)
    # Only a method a view does not accept may answer 405; the other one must reach the object and refuse.
    refused = [_refused(r) for r in (got, posted) if r.status_code != 405]
    if route.name in KNOWN_GAPS:
        if refused and all(refused):
            pytest.fail(f"{route.name} now refuses with {statuses}: remove it from KNOWN_GAPS.")
        pytest.xfail(f"{route.name} {KNOWN_GAPS[route.name]} (got {statuses}; nothing changed)")
    assert refused, f"{route.name}: both GET and POST answered 405"
    assert all(refused), f"{route.name}: GET and POST answered {statuses}, not 404/403"

    # The positive control: the owner in organization A reaches the object (so the id above was a real one).
    owner = _login(_owner(world, target.owner))
    if got.status_code != 405:
        control = owner.get(url)
    else:
        with transaction.atomic():
            control = owner.post(url, {**POST_DATA, **target.post})
            transaction.set_rollback(True)
    assert not _refused(control), f"{route.name}: its owner in organization A got {control.status_code}"
