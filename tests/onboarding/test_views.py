"""The request pages: scenario 3 and 4 inside ocilink, the step actions, and isolation between organizations."""

from __future__ import annotations

from django.db import connection as db_connection
from django.urls import reverse

from ocilink.accounts.models import AuditEvent
from ocilink.connections.models import Connection, OciCredential
from ocilink.onboarding.models import ConnectionRequest, RequestEvent
from ocilink.onboarding.services import connection_request_create
from ocilink.onboarding.states import StepStatus
from tests.factories import OrganizationFactory

from .conftest import client_for, make_administrator


def test_scenario_3_request_from_the_catalogue(
    live_org, entry, support, consultant, mailoutbox, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    # given
    administrator = make_administrator(live_org)
    client = client_for(administrator)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/onboarding/new/{entry.pk}/",
            {"ordering_method": "email_pdf", "ordering_address": "orders@shop.example.com"},
        )
    # then
    request = ConnectionRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/onboarding/{request.pk}/"
    assert (request.scenario, request.supplier_name, request.requested_by) == (3, "Office Supplies Ltd", administrator)
    connection = request.connection
    assert (connection.organization, connection.catalogue_entry, connection.is_active, connection.url) == (
        live_org,
        entry,
        False,
        "https://shop.example.com/oci/",
    )
    assert (connection.ordering_method, connection.ordering_settings) == (
        "email_pdf",
        {"recipients": "orders@shop.example.com"},
    )
    check = request.steps.get(key="check_catalogue")
    assert (check.status, check.done_by) == (StepStatus.DONE, administrator)
    assert [mail.to for mail in mailoutbox] == [["support@platform.example"]]
    assert mailoutbox[0].subject == f"New connection request: Office Supplies Ltd for {live_org.name}"
    page = client.get(response["Location"]).content.decode()
    assert "1 of 8 steps done" in page
    assert "Next: the organization&#x27;s administrator — step 2, Talk about the webshop." in page


def test_support_is_told_when_it_is_their_turn(
    live_org, entry, support, mailoutbox, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    # given
    from ocilink.connections.services import oci_credential_set

    administrator = make_administrator(live_org)
    request = connection_request_create(organization=live_org, requested_by=administrator, catalogue_entry=entry)
    oci_credential_set(connection=request.connection, delivery_address=None, username="u", password="p")
    client = client_for(administrator)
    for key in ("webshop_talk", "request_credentials"):
        client.post(f"/onboarding/{request.pk}/steps/{request.steps.get(key=key).pk}/done/")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/onboarding/{request.pk}/steps/{request.steps.get(key='enter_credentials').pk}/done/")
    # then
    assert [mail.to for mail in mailoutbox] == [["support@platform.example"]]
    assert mailoutbox[0].subject == f"Your turn: Activate the OCI connection (Office Supplies Ltd for {live_org.name})"
    assert f"/onboarding/staff/{request.pk}/" in mailoutbox[0].body


def test_scenario_4_request_keeps_secrets_sealed(live_org):  # type: ignore[no-untyped-def]
    # given
    client = client_for(make_administrator(live_org))
    # when
    response = client.post(
        "/onboarding/new/",
        {
            "supplier_name": "New Supplier BV",
            "contact_name": "Piet",
            "contact_email": "piet@new.example.com",
            "login_url": "https://new.example.com/oci/login",
            "method": "POST",
            "username_field": "USERNAME",
            "password_field": "PASSWORD",
            "username": "oci-user-canary",
            "password": "oci-password-canary",
            "ordering_method": "cxml_https",
            "ordering_address": "https://new.example.com/cxml/orders",
            "ordering_username": "cxml-user",
            "ordering_password": "ordering-password-canary",
            "notes": "Only office chairs",
        },
    )
    # then
    assert response.status_code == 302
    request = ConnectionRequest.objects.get()
    assert (request.scenario, request.login_url, request.ordering_method) == (
        4,
        "https://new.example.com/oci/login",
        "cxml_https",
    )
    connection = Connection.objects.get()
    assert (connection.is_active, connection.url, connection.name) == (
        False,
        "https://new.example.com/oci/login",
        "New Supplier BV",
    )
    assert connection.ordering_settings == {
        "order_url": "https://new.example.com/cxml/orders",
        "basic_auth_username": "cxml-user",
    }
    assert connection.ordering_secrets == {"basic_auth_password": "ordering-password-canary"}
    credential = OciCredential.objects.get(connection=connection, delivery_address=None)
    assert (credential.username, credential.password) == ("oci-user-canary", "oci-password-canary")
    with db_connection.cursor() as cursor:
        cursor.execute(
            "SELECT username_encrypted, password_encrypted FROM connections_ocicredential WHERE id = %s",
            [credential.pk],
        )
        raw = " ".join(cursor.fetchone())
        cursor.execute("SELECT ordering_secrets_encrypted FROM connections_connection WHERE id = %s", [connection.pk])
        raw += cursor.fetchone()[0]
    assert "canary" not in raw
    page = client.get(f"/onboarding/{request.pk}/").content.decode()
    details_page = client.get(f"/onboarding/{request.pk}/details/").content.decode()
    for text in (page, details_page):
        assert "oci-password-canary" not in text
        assert "ordering-password-canary" not in text
    event = request.events.get(action=RequestEvent.Action.CREATED)
    assert "canary" not in event.note
    assert not AuditEvent.objects.filter(summary__contains="canary").exists()


def test_new_supplier_form_explains_missing_login_url(live_org):  # type: ignore[no-untyped-def]
    # given
    client = client_for(make_administrator(live_org))
    # when
    response = client.post(
        "/onboarding/new/",
        {
            "supplier_name": "New Supplier BV",
            "method": "POST",
            "username_field": "USERNAME",
            "password_field": "PASSWORD",
            "username": "u",
            "password": "p",
        },
    )
    # then
    assert response.status_code == 200
    assert (
        "Enter the webshop&#x27;s login URL too: the login details belong to that webshop." in response.content.decode()
    )
    assert ConnectionRequest.objects.count() == 0
    assert Connection.objects.count() == 0


def test_skip_needs_a_reason_and_reopen_a_note(implementation_org, entry):  # type: ignore[no-untyped-def]
    # given
    administrator = make_administrator(implementation_org)
    request = connection_request_create(
        organization=implementation_org, requested_by=administrator, catalogue_entry=entry
    )
    step = request.steps.get(key="webshop_talk")
    client = client_for(administrator)
    url = f"/onboarding/{request.pk}/steps/{step.pk}/"
    # when
    without_reason = client.post(url + "skip/", {"note": ""}, follow=True)
    client.post(url + "skip/", {"note": "Discussed during the kick-off"})
    step.refresh_from_db()
    skipped = (step.status, step.notes, step.done_by)
    without_note = client.post(url + "reopen/", {"note": ""}, follow=True)
    client.post(url + "reopen/", {"note": "The discount is not clear yet"})
    # then
    assert "Say why the step is skipped." in without_reason.content.decode()
    assert skipped == (StepStatus.SKIPPED, "Discussed during the kick-off", administrator)
    assert "Say why the step is reopened." in without_note.content.decode()
    step.refresh_from_db()
    assert (step.status, step.done_by, step.done_at) == (StepStatus.OPEN, None, None)
    assert step.notes == "Discussed during the kick-off\nThe discount is not clear yet"
    assert list(request.events.filter(step=step).values_list("action", "note")) == [
        ("step_skipped", "Discussed during the kick-off"),
        ("step_reopened", "The discount is not clear yet"),
    ]


def test_another_organizations_request_is_not_found(live_org, entry):  # type: ignore[no-untyped-def]
    # given
    request = connection_request_create(
        organization=live_org, requested_by=make_administrator(live_org), catalogue_entry=entry
    )
    step = request.steps.get(key="webshop_talk")
    stranger = client_for(make_administrator(OrganizationFactory()))
    events_before = RequestEvent.objects.count()
    # when
    responses = [
        stranger.get(f"/onboarding/{request.pk}/"),
        stranger.get(f"/onboarding/{request.pk}/details/"),
        stranger.post(f"/onboarding/{request.pk}/steps/{step.pk}/done/"),
        stranger.post(f"/onboarding/{request.pk}/hold/", {"hold": "1"}),
        stranger.post(f"/onboarding/{request.pk}/cancel/", {"reason": "mine now"}),
        stranger.post(f"/onboarding/{request.pk}/activate/"),
        stranger.post(f"/onboarding/{request.pk}/add-to-catalogue/", {"publish": "1"}),
        stranger.post(f"/onboarding/{request.pk}/steps/{step.pk}/skip/", {"note": "intrusion"}),
        stranger.post(f"/onboarding/{request.pk}/steps/{step.pk}/roundtrip/"),
        stranger.post(f"/onboarding/{request.pk}/steps/{step.pk}/record-report/"),
    ]
    # then
    assert [response.status_code for response in responses] == [404] * 10
    step.refresh_from_db()
    request.refresh_from_db()
    request.connection.refresh_from_db()
    assert step.status == StepStatus.OPEN
    assert request.status == "open"
    assert request.connection.hold_next_order is False
    assert RequestEvent.objects.count() == events_before
    assert list(stranger.get("/onboarding/").context["requests"]) == []


def test_a_step_of_another_request_is_not_found(live_org, entry):  # type: ignore[no-untyped-def]
    # given
    administrator = make_administrator(live_org)
    mine = connection_request_create(organization=live_org, requested_by=administrator, catalogue_entry=entry)
    other_org = OrganizationFactory()
    other = connection_request_create(
        organization=other_org, requested_by=make_administrator(other_org), catalogue_entry=entry
    )
    foreign_step = other.steps.get(key="webshop_talk")
    # when
    response = client_for(administrator).post(f"/onboarding/{mine.pk}/steps/{foreign_step.pk}/done/")
    # then
    assert response.status_code == 404
    foreign_step.refresh_from_db()
    assert foreign_step.status == StepStatus.OPEN


def test_staff_open_acts_in_the_requests_organization(live_org, entry, consultant):  # type: ignore[no-untyped-def]
    # given
    request = connection_request_create(
        organization=live_org, requested_by=make_administrator(live_org), catalogue_entry=entry
    )
    client = client_for(consultant)
    # when
    confirm = client.get(f"/onboarding/staff/{request.pk}/")
    opened = client.post(f"/onboarding/staff/{request.pk}/")
    # then
    assert confirm.status_code == 200
    assert opened.status_code == 302
    assert opened["Location"] == f"/onboarding/{request.pk}/"
    assert client.get(opened["Location"]).status_code == 200
    assert AuditEvent.objects.filter(organization=live_org, action="organization.entered").count() == 1
    queue = client.get("/onboarding/staff/")
    assert [row[0] for row in queue.context["rows"]] == [request]


def test_staff_queue_is_for_staff_only(live_org):  # type: ignore[no-untyped-def]
    # when
    response = client_for(make_administrator(live_org)).get("/onboarding/staff/")
    # then
    assert response.status_code == 403


def test_the_request_links_to_the_credentials_page_of_its_connection(live_org, entry):  # type: ignore[no-untyped-def]
    # given
    administrator = make_administrator(live_org)
    request = connection_request_create(organization=live_org, requested_by=administrator, catalogue_entry=entry)
    # when
    page = client_for(administrator).get(f"/onboarding/{request.pk}/").content.decode()
    # then
    assert f'href="{reverse("connections:credentials", args=[request.connection.pk])}" id="credentials-link"' in page


def test_login_url_and_details_added_later_make_the_connection(implementation_org, consultant):  # type: ignore[no-untyped-def]
    # given a scenario-2 request made before the supplier built anything
    administrator = make_administrator(implementation_org)
    client = client_for(administrator)
    client.post(
        "/onboarding/new/",
        {
            "supplier_name": "New Supplier BV",
            "method": "POST",
            "username_field": "USERNAME",
            "password_field": "PASSWORD",
        },
    )
    request = ConnectionRequest.objects.get()
    assert (request.scenario, request.connection) == (2, None)
    # when the supplier delivered the URL and the login details
    response = client.post(
        f"/onboarding/{request.pk}/details/",
        {
            "supplier_name": "New Supplier BV",
            "login_url": "https://new.example.com/oci/",
            "method": "GET",
            "username_field": "LOGIN",
            "password_field": "PWD",
            "username": "oci-user",
            "password": "oci-secret",
            "ordering_method": "cxml_sftp",
            "ordering_address": "sftp.new.example.com",
            "ordering_username": "orders",
        },
    )
    # then
    assert response.status_code == 302
    request.refresh_from_db()
    connection = request.connection
    assert (connection.url, connection.method, connection.username_field, connection.password_field) == (
        "https://new.example.com/oci/",
        "GET",
        "LOGIN",
        "PWD",
    )
    assert connection.is_active is False
    assert (connection.ordering_method, connection.ordering_settings) == (
        "cxml_sftp",
        {"host": "sftp.new.example.com", "username": "orders"},
    )
    assert OciCredential.objects.get(connection=connection).username == "oci-user"
    assert request.events.get(action=RequestEvent.Action.DETAILS_UPDATED).note == "OCI login details entered"
    listing = client.get("/onboarding/").content.decode()
    assert f'href="/onboarding/{request.pk}/">New Supplier BV</a>' in listing
    assert "Active connections: 0 (0 free, 0 charged)." in listing


def test_staff_acting_in_another_organization_do_not_see_the_request(live_org, entry, support):  # type: ignore[no-untyped-def]
    # given
    request = connection_request_create(
        organization=live_org, requested_by=make_administrator(live_org), catalogue_entry=entry
    )
    client = client_for(support, OrganizationFactory())
    # when
    response = client.get(f"/onboarding/{request.pk}/")
    # then
    assert response.status_code == 404


def test_admin_site_lists_requests_and_the_catalogue(live_org, entry):  # type: ignore[no-untyped-def]
    # given
    from tests.factories import UserFactory

    connection_request_create(organization=live_org, requested_by=make_administrator(live_org), catalogue_entry=entry)
    client = client_for(UserFactory(is_staff=True, is_superuser=True))
    # when
    requests_page = client.get("/admin/onboarding/connectionrequest/")
    request_page = client.get(f"/admin/onboarding/connectionrequest/{ConnectionRequest.objects.get().pk}/change/")
    catalogue_page = client.get("/admin/connections/catalogueentry/")
    # then
    assert (requests_page.status_code, request_page.status_code, catalogue_page.status_code) == (200, 200, 200)
    assert "Office Supplies Ltd" in catalogue_page.content.decode()
