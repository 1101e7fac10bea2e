"""OCI credentials: encrypted at rest, bound to their row, rotatable, never in logs."""

from __future__ import annotations

import logging

import pytest
from cryptography.fernet import Fernet
from django.db import connection as db_connection
from django.test import Client
from django.urls import reverse

from ocilink.connections.models import OciCredential
from ocilink.connections.services import oci_credential_set
from ocilink.core.crypto import SecretError, _ring
from ocilink.core.logging import redact

pytestmark = pytest.mark.django_db


def _raw_columns(pk: int) -> tuple[str, str]:
    with db_connection.cursor() as cursor:
        cursor.execute(
            "SELECT username_encrypted, password_encrypted FROM connections_ocicredential WHERE id = %s", [pk]
        )
        return cursor.fetchone()


def test_username_and_password_are_encrypted_in_the_database(shop):
    credential = oci_credential_set(
        connection=shop.connection, delivery_address=shop.address, username="alice@shop", password="S3cret-pw!"
    )

    username_raw, password_raw = _raw_columns(credential.pk)

    assert "alice" not in username_raw
    assert "S3cret" not in password_raw
    assert password_raw.startswith("gAAAAA")  # a Fernet token
    fresh = OciCredential.objects.get(pk=credential.pk)
    assert (fresh.username, fresh.password) == ("alice@shop", "S3cret-pw!")


def test_a_secret_copied_to_another_row_does_not_open(shop, other_shop):
    mine = OciCredential.objects.get(connection=shop.connection)
    theirs = OciCredential.objects.get(connection=other_shop.connection)
    theirs.password_encrypted = mine.password_encrypted
    theirs.save()

    with pytest.raises(SecretError):
        _ = OciCredential.objects.get(pk=theirs.pk).password


def test_rotation_re_encrypts_under_the_new_first_key(shop, settings):
    from django.core.management import call_command

    old_keys = list(settings.OCILINK_KEYRING)
    new_key = Fernet.generate_key().decode()
    settings.OCILINK_KEYRING = [new_key, *old_keys]
    call_command("rotate_secrets", verbosity=0)
    settings.OCILINK_KEYRING = [new_key]

    credential = OciCredential.objects.get(connection=shop.connection)

    assert credential.password == "org-secret"
    _ring.cache_clear()


def test_replacing_a_credential_keeps_one_row(shop):
    oci_credential_set(connection=shop.connection, delivery_address=None, username="new", password="new-pw")

    credential = OciCredential.objects.get(connection=shop.connection)

    assert credential.username == "new"


def test_repr_and_str_hold_no_secret(shop):
    credential = OciCredential.objects.get(connection=shop.connection)

    assert "org-secret" not in repr(credential)
    assert "org-secret" not in str(credential)
    assert "org-account" not in repr(credential)


def test_the_password_never_reaches_the_logs(shop, caplog):
    client = Client()
    client.force_login(shop.user)
    with caplog.at_level(logging.DEBUG):
        client.post(reverse("punchout:start", args=[shop.supplier.pk]))
        logging.getLogger("ocilink").warning("login form PASSWORD=org-secret&USERNAME=x")

    handler_filter = __import__("ocilink.core.logging", fromlist=["RedactSecretsFilter"]).RedactSecretsFilter()
    for record in caplog.records:
        handler_filter.filter(record)
        assert "org-secret" not in record.getMessage()


def test_redact_hides_values_after_secret_names():
    assert redact("PASSWORD=hunter2&USERNAME=bob") == "PASSWORD=[redacted]&USERNAME=bob"
    assert redact("<SharedSecret>abc</SharedSecret>") == "<SharedSecret>[redacted]</SharedSecret>"
    assert redact('{"password": "x1"}') == '{"password": "[redacted]"}'


def test_the_admin_form_never_shows_the_stored_password(shop, admin_client):
    credential = OciCredential.objects.get(connection=shop.connection)

    response = admin_client.get(reverse("admin:connections_ocicredential_change", args=[credential.pk]))

    assert response.status_code == 200
    assert b"org-secret" not in response.content
    assert b"org-account" not in response.content
