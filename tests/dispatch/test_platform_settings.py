"""The platform's ordering settings reach the channels through their configuration, and only from the platform."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from ocilink import settings as platform_settings
from ocilink.connections.ordering import channel_config_for
from ocilink.dispatch.channels.base import allowed_networks, send_timeout
from ocilink.dispatch.channels.cxml_sftp import sftp_target
from ocilink.dispatch.channels.email_pdf import smtp_server
from tests.conftest import Shop

pytestmark = pytest.mark.django_db


def sftp_connection(shop: Shop, **extra: Any) -> None:
    connection = shop.connection
    connection.ordering_method = "cxml_sftp"
    connection.ordering_settings = {
        "host": "sftp.supplier.example",
        "username": "orders",
        "remote_directory": "/in",
        "host_key_fingerprint": "SHA256:" + "A" * 43,
        "timeout_seconds": 45,
        **extra,
    }
    connection.save()


def test_the_platform_decides_where_orders_may_go_and_for_how_long(shop: Shop, settings: Any) -> None:
    # given a connection whose own settings try to allow everything and to wait for ever
    settings.ORDERING_ALLOW_PRIVATE_TARGETS = ["10.20.0.0/16"]
    settings.ORDERING_SEND_TIMEOUT_SECONDS = 40
    settings.DISPATCH_LEASE_SECONDS = 300  # a lease long enough not to cap the send timeout (its own test below)
    sftp_connection(shop, allowed_private_networks=["0.0.0.0/0"], send_timeout_seconds=100000)

    # when
    config = channel_config_for(connection=shop.connection)

    # then the platform's settings count, and each wait is bounded by the whole send
    assert allowed_networks(config) == ("10.20.0.0/16",)
    assert send_timeout(config) == 40
    target = sftp_target(config)
    assert target.allowed_networks == ("10.20.0.0/16",)
    assert target.total_timeout == 40
    assert target.timeout == 40


def test_a_send_always_ends_before_the_dispatch_lease(shop: Shop, settings: Any) -> None:
    # given a lease shorter than the send timeout
    settings.ORDERING_SEND_TIMEOUT_SECONDS = 60
    settings.DISPATCH_LEASE_SECONDS = 30
    shop.connection.ordering_method = "email_pdf"
    shop.connection.ordering_settings = {"recipients": ["orders@supplier.example"]}
    shop.connection.save()

    # when
    config = channel_config_for(connection=shop.connection)

    # then
    assert send_timeout(config) == 24.0
    assert smtp_server(config).total_timeout == 24.0
    assert smtp_server(config).timeout == 24.0


def test_the_defaults_allow_no_private_network_and_stay_at_most_a_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ORDERING_ALLOW_PRIVATE_TARGETS", raising=False)

    assert platform_settings._env_networks("ORDERING_ALLOW_PRIVATE_TARGETS") == []
    assert platform_settings.ORDERING_SEND_TIMEOUT_SECONDS <= 60


def test_an_allowed_network_that_is_no_network_stops_the_platform_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERING_ALLOW_PRIVATE_TARGETS", "127.0.0.0/8, the office")

    with pytest.raises(ImproperlyConfigured, match="not 'the office'"):
        platform_settings._env_networks("ORDERING_ALLOW_PRIVATE_TARGETS")
