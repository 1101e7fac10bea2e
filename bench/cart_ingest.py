"""Cart ingest: POST carts of 10, 100, 500 and 2,000 lines to the punchout return view (HOOK_URL).

Each POST gets a fresh punchout session (tokens are single use); the time covers the whole view: reading the
body, storing it, claiming the token, parsing, and inserting the lines into the cart. ``parse_ms`` is the codec
alone on the same body. Targets (2-core machine): 500 lines p99 <= 250 ms; per-line time at 2,000 lines at most
1.5x that at 500.
"""

from __future__ import annotations

import time

from _setup import django_setup, emit, median, percentile

django_setup()

from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from ocilink.connections.services import oci_credential_set  # noqa: E402
from ocilink.protocols.oci import encode_cart_body, parse_cart  # noqa: E402
from ocilink.punchout.services import punchout_start  # noqa: E402
from ocilink.requisitions.models import OrderRequest  # noqa: E402
from tests.factories import DeliveryAddressFactory, MembershipFactory, OrganizationFactory, SupplierFactory  # noqa: E402

RUNS = {10: 60, 100: 60, 500: 40, 2000: 15}
WARMUP = 3


def _line(n: int) -> dict[str, str]:
    return {
        "DESCRIPTION": f"Büroklammern 26/6 (Größe M) variant {n}",
        "QUANTITY": "12.000",
        "UNIT": "PCE",
        "PRICE": "4.50",
        "PRICEUNIT": "100",
        "CURRENCY": "EUR",
        "VENDORMAT": f"OF-{n:05d}",
        "MANUFACTMAT": f"MP-{n}",
        "MATGROUP": "44122104",
        "LEADTIME": "3",
        "EXT_PRODUCT_ID": f"P{n}",
        "VENDOR": "100234",
        "LONGTEXT": "Long text line " * 4,
    }


def _new_hook_path(membership, supplier, address) -> str:  # type: ignore[no-untyped-def]
    """A fresh punchout session (tokens are single use); its HOOK_URL path."""
    started = punchout_start(
        membership=membership, supplier=supplier, delivery_address=address, hook_url_for=lambda token: token
    )
    token = next(value for name, value in started.fields if name == "HOOK_URL")
    return reverse("punchout:return", args=[token])


def main() -> None:
    organization = OrganizationFactory()
    address = DeliveryAddressFactory(organization=organization, is_default=True)
    membership = MembershipFactory(organization=organization, delivery_address=address)
    supplier = SupplierFactory(organization=organization)
    oci_credential_set(connection=supplier.external_connection, delivery_address=None, username="u", password="p")
    client = Client(HTTP_HOST="127.0.0.1")
    content_type = "application/x-www-form-urlencoded"

    for size, runs in RUNS.items():
        body = encode_cart_body([_line(n) for n in range(1, size + 1)])
        samples: list[float] = []
        parse_samples: list[float] = []
        for attempt in range(runs + WARMUP):
            path = _new_hook_path(membership, supplier, address)
            started = time.perf_counter()
            response = client.generic("POST", path, body, content_type=content_type)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 303, response.status_code
            started = time.perf_counter()
            parse_cart(body, content_type)
            parse_elapsed = (time.perf_counter() - started) * 1000
            if attempt >= WARMUP:
                samples.append(elapsed)
                parse_samples.append(parse_elapsed)
            OrderRequest.objects.all().delete()  # keep the cart from growing between runs
        p50 = median(samples)
        parse_ms = median(parse_samples)
        emit(
            bench="cart_ingest",
            lines=size,
            runs=runs,
            body_kb=round(len(body) / 1024, 1),
            p50_ms=round(p50, 2),
            p99_ms=round(percentile(samples, 99), 2),
            parse_ms=round(parse_ms, 2),
            ratio_to_parse=round(p50 / parse_ms, 2),
            us_per_line=round(p50 * 1000 / size, 1),
        )


if __name__ == "__main__":
    main()
