"""The client's address behind the trusted proxies (TRUSTED_PROXIES): X-Forwarded-For counts only from a trusted
proxy, read from the right up to the first address that is not a trusted proxy."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

from ocilink.core.client_address import client_address, client_key, parse_address
from ocilink.punchout import trials
from ocilink.punchout.models import CartReturn, PunchoutSession

from .helpers import cart_body, start_punchout


def _meta(remote: str, forwarded: str | None = None) -> dict[str, str]:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return meta


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []

    assert client_address(_meta("198.51.100.7", "203.0.113.1")) == "198.51.100.7"


def test_a_spoofed_header_from_an_untrusted_client_is_ignored(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]

    assert client_address(_meta("198.51.100.7", "203.0.113.1")) == "198.51.100.7"
    assert client_address(_meta("10.0.0.2", "203.0.113.1")) == "10.0.0.2"


def test_from_a_trusted_proxy_the_real_client_is_used(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]

    assert client_address(_meta("10.0.0.1", "203.0.113.1")) == "203.0.113.1"
    assert client_address(_meta("10.0.0.1")) == "10.0.0.1"  # a proxy that sent no header is the client


def test_a_client_cannot_prepend_an_address_through_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]

    # The client sent "X-Forwarded-For: 192.0.2.99"; the proxy appended the address it saw.
    assert client_address(_meta("10.0.0.1", "192.0.2.99, 203.0.113.1")) == "203.0.113.1"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "2001:db8:ffff::/48"]

    assert client_address(_meta("10.1.1.1", "192.0.2.99, 203.0.113.1, 10.2.2.2, 10.3.3.3")) == "203.0.113.1"
    assert client_address(_meta("2001:db8:ffff::1", "2001:db8:1::5, 2001:db8:ffff::2")) == "2001:db8:1::5"
    # Only proxies in the chain: the left-most is the best there is.
    assert client_address(_meta("10.1.1.1", "10.9.9.9, 10.2.2.2")) == "10.9.9.9"


def test_a_garbled_entry_ends_the_walk_at_the_last_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    assert client_address(_meta("10.1.1.1", "203.0.113.1, unknown, 10.2.2.2")) == "10.2.2.2"
    assert client_address(_meta("10.1.1.1", "")) == "10.1.1.1"


def test_addresses_with_ports_brackets_and_mapped_ipv4_are_understood(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1"]

    assert client_address(_meta("127.0.0.1", "203.0.113.1:51234")) == "203.0.113.1"
    assert client_address(_meta("::1", "[2001:db8::7]:443")) == "2001:db8::7"
    assert client_address(_meta("::ffff:127.0.0.1", "203.0.113.9")) == "203.0.113.9"
    assert parse_address("not an address") is None
    assert client_address({}) == ""


def test_ipv6_clients_are_counted_by_their_64_network():
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::2") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("203.0.113.1") == "203.0.113.1"


def test_a_wrong_trusted_proxies_value_stops_the_server_with_a_clear_message():
    env = {**os.environ, "TRUSTED_PROXIES": "10.0.0.1,proxy.example", "DJANGO_SETTINGS_MODULE": "tests.settings"}

    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, timeout=60
    )

    assert done.returncode != 0
    assert "TRUSTED_PROXIES must list IP addresses or networks such as 10.0.0.0/8, not 'proxy.example'" in done.stderr


# -- where a client's address is taken -----------------------------------------------------------------------------

SELFTEST = {
    "webshop_url": "https://shop.example/oci",
    "method": "POST",
    "username_field": "USERNAME",
    "password_field": "PASSWORD",
    "extra_params": "",
    "username": "u",
    "password": "p",
}


@pytest.mark.django_db
def test_behind_a_trusted_proxy_self_tests_are_counted_per_real_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(trials.SELFTEST_MAX_PER_CLIENT_PER_HOUR):
        assert proxy.post(reverse("guide:selftest"), SELFTEST, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 302

    refused = proxy.post(reverse("guide:selftest"), SELFTEST, HTTP_X_FORWARDED_FOR="203.0.113.7")
    other = proxy.post(reverse("guide:selftest"), SELFTEST, HTTP_X_FORWARDED_FOR="198.51.100.1")

    assert (refused.status_code, other.status_code) == (429, 302)
    hashes = set(PunchoutSession.objects.trials().values_list("client_hash", flat=True))
    assert hashes == {trials.client_hash("203.0.113.7"), trials.client_hash("198.51.100.1")}


@pytest.mark.django_db
def test_a_client_cannot_escape_the_self_test_cap_with_its_own_header(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    client = Client(REMOTE_ADDR="198.51.100.7")
    for n in range(trials.SELFTEST_MAX_PER_CLIENT_PER_HOUR):
        forged = f"203.0.113.{n}"
        assert client.post(reverse("guide:selftest"), SELFTEST, HTTP_X_FORWARDED_FOR=forged).status_code == 302

    refused = client.post(reverse("guide:selftest"), SELFTEST, HTTP_X_FORWARDED_FOR="192.0.2.1")

    assert refused.status_code == 429
    assert set(PunchoutSession.objects.trials().values_list("client_hash", flat=True)) == {
        trials.client_hash("198.51.100.7")
    }


def test_the_hook_url_keeps_the_real_client_behind_a_trusted_proxy(shop, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    buyer = Client()
    buyer.force_login(shop.user)
    _fields, hook_path = start_punchout(buyer, shop.supplier.pk)

    Client(REMOTE_ADDR="10.0.0.1").generic(
        "POST",
        hook_path,
        cart_body(1),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.5",
    )

    headers = CartReturn.objects.get().headers
    assert (headers["REMOTE_ADDR"], headers["CLIENT_ADDRESS"]) == ("10.0.0.1", "203.0.113.5")
