"""Dispatch: orders per second per worker for each ordering method, document build times, and the latency from
approval to "to be received", against the demo supplier's real servers on 127.0.0.1 (HTTPS, SFTP, SMTP).

1. Throughput: N orders of 50 lines are submitted through ``order_request_submit_and_place`` (within the buyer's limit
   without approval, so it approves at once and creates the purchase order, its dispatch and its task), then ONE
   django-tasks-db worker runs in this process in batch mode (it stops when no task is ready). ``orders_per_s`` is
   the delivered orders over the worker's wall time, task queue included; ``p50_ms``/``p99_ms`` are the attempts' own
   ``duration_ms`` (build + send, no database). The supplier must hold every order too.
2. ``cxml_build``: ``build_order_request`` for a 500-line order.
3. ``pdf``: ``render_purchase_order_pdf`` for 20 and 500 lines.
4. ``approval_to_received``: the demo's background worker (``WorkerThread``, its default poll interval) is idle;
   one order at a time is submitted and the purchase order polled until it is "to be received". A random pause
   of up to one poll interval between orders spreads the submits over the worker's sleep, as real submits are.

Every line is alike: an umlaut description, a long text and a manufacturer part number (so the PDF's description
cell is a wrapping paragraph), quantity 12 at 4.50 per 100 pieces, UNSPSC group, lead time.

Targets (2-core machine, not asserted): cXML 500 lines <= 20 ms; PDF 20 lines <= 50 ms, 500 lines <= 500 ms;
>= 20 orders/s per worker over HTTPS; approval to "to be received" p50 <= 2 s. Exits non-zero when an order was
not delivered. Every server listens on 127.0.0.1 only and is stopped at the end; temporary folders are removed.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from _setup import django_setup, emit, median, percentile

_OWN_DATABASE = not os.environ.get("DATABASE_URL")
os.environ.setdefault("LOG_LEVEL", "WARNING")  # one INFO line per task on stderr would drown the figures
django_setup()

from django.conf import settings  # noqa: E402
from django.db import connection as db_connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tasks_db.management.commands.db_worker import Worker  # noqa: E402

from ocilink.core.money import CENT, net_amount  # noqa: E402
from ocilink.demo_webshop.inbox import CxmlInbox, InboxStore, SmtpInbox, make_tls_material  # noqa: E402
from ocilink.demo_webshop.inbox.sftp_server import SftpInbox  # noqa: E402
from ocilink.demo_webshop.seed import CXML_IDENTITIES  # noqa: E402
from ocilink.documents.pdf import render_purchase_order_pdf  # noqa: E402
from ocilink.orders.models import (  # noqa: E402
    Dispatch,
    DispatchAttempt,
    PurchaseOrder,  # noqa: E402
)
from ocilink.orders.states import (  # noqa: E402
    AttemptOutcome,
    DispatchStatus,
    PurchaseOrderStatus,  # noqa: E402
)
from ocilink.orders.worker import WorkerThread, worker_id  # noqa: E402
from ocilink.protocols.cxml import CxmlIdentity, build_order_request  # noqa: E402
from ocilink.protocols.order import OrderLine, PostalAddress, PurchaseOrderSnapshot  # noqa: E402
from ocilink.requisitions.handoff import order_request_submit_and_place  # noqa: E402
from ocilink.requisitions.models import OrderRequest, OrderRequestLine  # noqa: E402
from ocilink.suppliers.models import OrderingRight  # noqa: E402
from tests.factories import (  # noqa: E402
    DeliveryAddressFactory,
    MembershipFactory,
    OrganizationFactory,
    SupplierFactory,
    UserFactory,
)

LINES = 50
ORDERS = {"cxml_https": 100, "cxml_sftp": 50, "email_pdf": 50}  # fewer for the slower methods
CXML_LINES, CXML_RUNS = 500, 50
PDF_RUNS = {20: (30, 2), 500: (6, 1)}  # lines: (runs, warm-up runs)
APPROVAL_ORDERS = 20
WORKER_POLL_S = 0.5  # the demo's WorkerThread default
STATUS_POLL_S = 0.01  # how often the bench looks at the purchase order
ORDER_TIMEOUT_S = 30.0
SHARED_SECRET = "bench-shared-secret"
SFTP_USER, SFTP_PASSWORD = "supplier", "bench-sftp-password"
SUPPLIER_EMAIL = "orders@supplier.demo"
BUYER_EMAIL = "bea.buyer@demo-municipality.example"
LIMIT_WITHOUT_APPROVAL = Decimal("100000.00")  # far above an order of the bench (50 lines: EUR 27.00)


class Servers:
    """The demo supplier's HTTPS, SFTP and SMTP inboxes on 127.0.0.1, sharing one store in a temporary folder."""

    def __init__(self, folder: Path) -> None:
        self.store = InboxStore(folder / "inbox")
        self.https = CxmlInbox(self.store, host="127.0.0.1", certificate=make_tls_material("127.0.0.1"))
        self.sftp = SftpInbox(
            self.store, root=folder / "sftp-root", host="127.0.0.1", username=SFTP_USER, password=SFTP_PASSWORD
        )
        self.smtp = SmtpInbox(self.store, host="127.0.0.1")
        self.started: list[CxmlInbox | SftpInbox | SmtpInbox] = []

    def start(self) -> None:
        for server in (self.https, self.sftp, self.smtp):
            server.start()
            self.started.append(server)
        assert urlsplit(self.https.url).hostname == "127.0.0.1"

    def stop(self) -> None:
        while self.started:
            self.started.pop().stop()

    def received(self, method: str) -> set[str]:
        """The distinct keys the supplier received by ``method`` (payloadID, file name, Message-ID)."""
        return {item.key for item in self.store.list(method)}

    def ordering(self, method: str) -> tuple[dict[str, object], dict[str, str]]:
        """A connection's ordering settings and secrets for ``method``, as the demo seed configures them."""
        if method == "cxml_https":
            settings_ = {**CXML_IDENTITIES, "order_url": self.https.url, "ca_bundle": self.https.ca_pem}
            return {**settings_, "timeout_seconds": 30}, {"shared_secret": SHARED_SECRET}
        if method == "cxml_sftp":
            settings_ = {
                **CXML_IDENTITIES,
                "to_identity": "DEMO-FACILITY",
                "host": "127.0.0.1",
                "port": self.sftp.port,
                "username": SFTP_USER,
                "remote_directory": "orders",
                "host_key_fingerprint": self.sftp.host_key_fingerprint,
                "timeout_seconds": 30,
            }
            return settings_, {"password": SFTP_PASSWORD, "shared_secret": SHARED_SECRET}
        return {"recipients": [SUPPLIER_EMAIL]}, {}


class Buyer:
    """An organization with a buyer (with an e-mail address) and one supplier per ordering method."""

    def __init__(self, servers: Servers) -> None:
        self.organization = OrganizationFactory(
            name="Bench Municipality",
            invoice_name="Bench Municipality, Accounts Payable",
            invoice_street="Postbus 100",
            invoice_postal_code="1234 ZZ",
            invoice_city="Demodorp",
        )
        self.address = DeliveryAddressFactory(organization=self.organization, is_default=True)
        self.user = UserFactory(first_name="Bea", last_name="Buyer", email=BUYER_EMAIL)
        MembershipFactory(user=self.user, organization=self.organization, delivery_address=self.address)
        # The buyer may order everywhere, and each bench order is within their limit: submitted means approved.
        OrderingRight.objects.create(
            organization=self.organization,
            user=self.user,
            may_order=True,
            all_supplier_groups=True,
            limit_without_approval=LIMIT_WITHOUT_APPROVAL,
        )
        self.suppliers = {}
        for method in ORDERS:
            supplier = SupplierFactory(organization=self.organization, name=f"Bench supplier ({method})")
            connection = supplier.external_connection
            ordering_settings, secrets = servers.ordering(method)
            connection.ordering_method = method
            connection.ordering_settings = ordering_settings
            connection.set_ordering_secrets(secrets)
            connection.save()
            self.suppliers[method] = supplier

    def submit(self, method: str, lines: int = LINES) -> PurchaseOrder:
        """A cart of ``lines`` lines (built with the ORM), submitted: approved at once, ordered, task enqueued."""
        supplier = self.suppliers[method]
        cart = OrderRequest.objects.create(
            organization=self.organization, requester=self.user, delivery_address=self.address
        )
        OrderRequestLine.objects.bulk_create(
            OrderRequestLine(
                order_request=cart,
                position=n,
                supplier=supplier,
                connection=supplier.external_connection,
                oci_index=n,
                description=_description(n),
                quantity=Decimal("12.000"),
                unit="PCE",
                unit_price=Decimal("4.5000"),
                price_unit=Decimal("100"),
                currency="EUR",
                vendormat=f"OF-{n:05d}",
                manufactmat=f"MP-{n}",
                matgroup="44122104",
                leadtime_days=3,
                longtext=_longtext(n),
                oci_fields={"EXT_PRODUCT_ID": f"P{n}"},
            )
            for n in range(1, lines + 1)
        )
        ordered = order_request_submit_and_place(order_request=cart, requester=self.user, reference="Bench")
        if len(ordered) != 1:
            raise RuntimeError(f"The submitted order request was not ordered at once: {len(ordered)} purchase orders.")
        return ordered[0]


def _description(n: int) -> str:
    return f"Büroklammern 26/6 (Größe M) variant {n}"


def _longtext(n: int) -> str:
    return f"Verzinkt, 1.000 Stück je Packung – Artikel {n}. " * 3


def _snapshot(lines: int) -> PurchaseOrderSnapshot:
    """A purchase order of ``lines`` lines, as the documents see it (no database)."""
    order_lines = tuple(
        OrderLine(
            line_number=n,
            quantity=Decimal("12.000"),
            unit="PCE",
            unit_price=Decimal("4.5000"),
            price_unit=Decimal("100"),
            currency="EUR",
            description=_description(n),
            net_amount=net_amount(unit_price=Decimal("4.5000"), quantity=Decimal("12.000"), price_unit=Decimal(100)),
            supplier_part_id=f"OF-{n:05d}",
            supplier_part_auxiliary_id=f"P{n}",
            manufacturer_part_id=f"MP-{n}",
            classification_domain="UNSPSC",
            classification_code="44122104",
            leadtime_days=3,
            longtext=_longtext(n),
        )
        for n in range(1, lines + 1)
    )
    return PurchaseOrderSnapshot(
        order_number="PO-2026-000123",
        order_date=timezone.now(),
        currency="EUR",
        total=sum((line.net_amount for line in order_lines), Decimal("0.00")).quantize(CENT),
        buyer_organization="Bench Municipality",
        buyer_name="Bea Buyer",
        buyer_email=BUYER_EMAIL,
        supplier_name="Demo Office Supplies",
        supplier_id="1",
        ship_to=PostalAddress("Bench Municipality", "Marktplein 1", "1234 AB", "Demodorp", "NL", address_id="C-10042"),
        bill_to=PostalAddress("Bench Municipality, Accounts Payable", "Postbus 100", "1234 ZZ", "Demodorp", "NL"),
        lines=order_lines,
        reference="Project 7",
        customer_number="C-10042",
    )


def _timed(function, runs: int, warmup: int = 2) -> list[float]:  # type: ignore[no-untyped-def]
    """Milliseconds of each of ``runs`` calls, after ``warmup`` calls that are not counted."""
    samples = []
    for attempt in range(runs + warmup):
        started = time.perf_counter()
        function()
        if attempt >= warmup:
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def bench_throughput(buyer: Buyer, servers: Servers, method: str, orders: int) -> bool:
    """Submit ``orders`` orders, then let one batch worker deliver them all; True when every one was delivered."""
    created = time.perf_counter()
    ids = [buyer.submit(method).dispatch.pk for _ in range(orders)]
    create_ms = (time.perf_counter() - created) * 1000 / orders
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id(),
        excluded_queue_names=[],
    )
    started = time.perf_counter()
    worker.run()
    elapsed = time.perf_counter() - started
    dispatches = Dispatch.objects.filter(pk__in=ids)
    delivered = dispatches.filter(status=DispatchStatus.SENT).count()
    keys = {
        "cxml_https": "payload_id",
        "cxml_sftp": "file_name",
        "email_pdf": "message_id",
    }[method]
    received = len(set(dispatches.values_list(keys, flat=True)) & servers.received(method))
    durations = [
        float(ms)
        for ms in DispatchAttempt.objects.filter(dispatch_id__in=ids, outcome=AttemptOutcome.SENT).values_list(
            "duration_ms", flat=True
        )
    ]
    figures: dict[str, object] = {
        "bench": "dispatch",
        "method": method,
        "lines": LINES,
        "orders": orders,
        "orders_per_s": round(delivered / elapsed, 1),
        "p50_ms": round(median(durations), 1) if durations else None,
        "p99_ms": round(percentile(durations, 99), 1) if durations else None,
        "submit_ms_per_order": round(create_ms, 1),
    }
    ok = delivered == orders and received == orders
    if not ok:
        figures.update(delivered=delivered, received=received)
    emit(**figures)
    return ok


def bench_cxml_build() -> None:
    order = _snapshot(CXML_LINES)
    identity = CxmlIdentity(domain="NetworkID", identity="DEMO-MUNICIPALITY")
    supplier = CxmlIdentity(domain="NetworkID", identity="DEMO-OFFICE-SUPPLIES")
    size = 0

    def build() -> None:
        nonlocal size
        size = len(
            build_order_request(
                order,
                payload_id="1767225600.bench@ocilink.bench",
                timestamp=timezone.now().replace(microsecond=0),
                from_=identity,
                to=supplier,
                sender=identity,
                shared_secret=SHARED_SECRET,
                deployment_mode="test",
            )
        )

    samples = _timed(build, CXML_RUNS)
    emit(
        bench="cxml_build",
        lines=CXML_LINES,
        runs=CXML_RUNS,
        kb=round(size / 1024, 1),
        p50_ms=round(median(samples), 2),
        p99_ms=round(percentile(samples, 99), 2),
    )


def bench_pdf() -> None:
    for lines, (runs, warmup) in PDF_RUNS.items():
        order = _snapshot(lines)
        size = 0

        def render(order: PurchaseOrderSnapshot = order) -> None:
            nonlocal size
            size = len(render_purchase_order_pdf(order))

        samples = _timed(render, runs, warmup)
        emit(
            bench="pdf",
            lines=lines,
            runs=runs,
            kb=round(size / 1024, 1),
            p50_ms=round(median(samples), 1),
            p99_ms=round(percentile(samples, 99), 1),
        )


def bench_approval_to_received(buyer: Buyer) -> bool:
    """One order at a time to an idle background worker; True when every order became "to be received"."""
    rng = random.Random(7)
    samples: list[float] = []
    worker = WorkerThread(interval=WORKER_POLL_S)
    worker.start()
    try:
        time.sleep(WORKER_POLL_S)  # let the worker settle into its idle loop
        for _ in range(APPROVAL_ORDERS):
            time.sleep(rng.uniform(0, WORKER_POLL_S))
            started = time.perf_counter()
            purchase_order = buyer.submit("cxml_https")
            deadline = started + ORDER_TIMEOUT_S
            while time.perf_counter() < deadline:
                status = PurchaseOrder.objects.filter(pk=purchase_order.pk).values_list("status", flat=True).get()
                if status == PurchaseOrderStatus.TO_BE_RECEIVED:
                    samples.append((time.perf_counter() - started) * 1000)
                    break
                time.sleep(STATUS_POLL_S)
            else:
                break  # stuck: no point in waiting for the next ones
    finally:
        worker.stop()
        worker.sweeper.join(timeout=10)
    figures: dict[str, object] = {
        "bench": "approval_to_received",
        "orders": APPROVAL_ORDERS,
        "lines": LINES,
        "p50_ms": round(median(samples), 1) if samples else None,
        "p99_ms": round(percentile(samples, 99), 1) if samples else None,
        "worker_poll_s": WORKER_POLL_S,
    }
    ok = len(samples) == APPROVAL_ORDERS
    if not ok:
        figures["delivered"] = len(samples)
    emit(**figures)
    return ok


def _stop_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # so that the clean-up below runs on SIGTERM too, not only on Ctrl-C


def main() -> int:
    signal.signal(signal.SIGTERM, _stop_on_signal)
    folder = Path(tempfile.mkdtemp(prefix="ocilink-bench-dispatch-"))
    servers = Servers(folder)
    ok = True
    try:
        servers.start()
        # The e-mail channel sends through the platform's mail server: the supplier's SMTP inbox here.
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", servers.smtp.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        buyer = Buyer(servers)
        for method, orders in ORDERS.items():
            ok = bench_throughput(buyer, servers, method, orders) and ok
        bench_cxml_build()
        bench_pdf()
        ok = bench_approval_to_received(buyer) and ok
    finally:
        servers.stop()
        db_connection.close()
        shutil.rmtree(folder, ignore_errors=True)
        if _OWN_DATABASE:
            shutil.rmtree(Path(settings.DATABASES["default"]["NAME"]).parent, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
