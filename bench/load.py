"""Load: concurrent buyers doing punchout start -> cart return -> cart page against `ocilink serve` on PostgreSQL.

Each buyer (a logged-in session) presses Shop (POST /punchout/start/<supplier>/, an auto-submitting page with the
HOOK_URL), the webshop's page posts a 3-line cart to HOOK_URL (cross-site: no cookies; 303 to the result page),
and the buyer opens the cart (GET /cart/). A buyer does at most 3 roundtrips, then the next one takes over, so a
cart stays as small as a real one. Each phase runs for --seconds after a warm-up, or until its buyers are used up.

For each number of server processes (--processes, default 1 and 2) a fresh server runs on loopback, and each
number of clients (--clients, default 1: the serial floor, and 20) runs against it. Figures, as JSON lines:
roundtrips/s and p50/p99 per request type; then the two targets: throughput with 2 processes >= 1.8x one process,
and the p99 of the cart return at 20 clients <= 4x its serial p50.

PostgreSQL only, in its own database: DATABASE_URL when its database is named bench…, else
postgres://postgres:postgres@127.0.0.1:5432/bench_load; created when missing and emptied at the start of each
run, so never the database of anything else. Without a reachable PostgreSQL it says so in one JSON line and
exits 0.

    python bench/load.py [--processes 1,2] [--clients 1,20] [--seconds 15] [--threads 4] [--server gunicorn|waitress]
"""

from __future__ import annotations

import argparse
import html
import logging
import multiprocessing
import os
import queue
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from _setup import ROOT, emit, median, percentile, punchout_shop

DEFAULT_URL = "postgres://postgres:postgres@127.0.0.1:5432/bench_load"
WARMUP_SECONDS = 3.0
ROUNDTRIPS_PER_BUYER = 3
# Buyers made for one phase: at most 900 roundtrips, more than a 2-core machine serves in one phase.
BUYERS_PER_PHASE = 300
REQUEST_TIMEOUT = 30.0
_INPUT = re.compile(r'<input type="hidden" name="([^"]*)" value="([^"]*)">')


# ---- the database ------------------------------------------------------------------------------------------------


def ensure_database(url: str) -> str | None:
    """Create the bench's database if missing; the reason it cannot be used, or None."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in {"postgres", "postgresql"}:
        return f"DATABASE_URL must point to PostgreSQL, not {parts.scheme!r}"
    if not name.startswith("bench"):
        # It is emptied at each run: never a database of anything else.
        return f"the benchmark needs a database of its own, named bench…, not {name or 'the default'!r}"
    maintenance = parts._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        return f"PostgreSQL is not reachable at {parts.hostname}:{parts.port or 5432} ({type(exc).__name__})"
    return None


def seed() -> tuple[int, object]:
    """An organization with one supplier (an OCI connection with an account); the supplier id and organization."""
    from ocilink.accounts.models import Role
    from tests.factories import OrderingRightFactory

    organization, _address, supplier = punchout_shop(
        username="load", password="load-secret", name=f"Load {secrets.token_hex(3)}"
    )
    OrderingRightFactory(organization=organization, role=Role.BUYER, all_supplier_groups=True)
    return supplier.pk, organization


def make_buyers(organization: object, count: int) -> list[str]:
    """``count`` buyers of the organization, each logged in: their session cookies."""
    from django.db import transaction
    from django.test import Client

    from ocilink.accounts.models import DeliveryAddress
    from tests.factories import MembershipFactory

    address = DeliveryAddress.objects.get(organization=organization, is_default=True)
    cookies = []
    with transaction.atomic():  # one commit, not three per buyer
        for _ in range(count):
            membership = MembershipFactory(organization=organization, delivery_address=address)
            client = Client()
            client.force_login(membership.user)
            cookies.append(client.cookies["sessionid"].value)
    return cookies


def cart_body() -> bytes:
    from ocilink.protocols.oci import encode_cart_body

    return encode_cart_body(
        [
            {
                "DESCRIPTION": f"Büroklammern 26/6 (Größe M) {n}",
                "QUANTITY": "2",
                "UNIT": "PCE",
                "PRICE": "4.50",
                "PRICEUNIT": "100",
                "CURRENCY": "EUR",
                "VENDORMAT": f"OF-{n:05d}",
                "MATGROUP": "44122104",
            }
            for n in range(1, 4)
        ]
    )


# ---- the server --------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(*, server: str, processes: int, threads: int, env: dict[str, str], log: Path) -> tuple:
    port = free_port()
    if server == "gunicorn":
        command = [sys.executable, "-m", "ocilink.cli", "serve", "--port", str(port)]
        command += ["--workers", str(processes), "--threads", str(threads)]
    else:
        if processes != 1:
            raise SystemExit("waitress serves from one process: use --processes 1 with --server waitress")
        command = [sys.executable, "-m", "waitress", "--host=127.0.0.1", f"--port={port}", f"--threads={threads}"]
        command += ["ocilink.wsgi:application"]
    handle = log.open("ab")
    process = subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped at start (exit {process.returncode}); see {log}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit(f"the server did not answer within 60 s; see {log}")


def stop_server(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# ---- the clients -------------------------------------------------------------------------------------------------


def _roundtrip(client: httpx.Client, shop: httpx.Client, supplier_id: int, csrf: str, body: bytes) -> dict:
    """One roundtrip; the duration of each request, or raise with what went wrong."""
    timings = {}
    started = time.perf_counter()
    page = client.post(f"/punchout/start/{supplier_id}/", data={"csrfmiddlewaretoken": csrf})
    timings["start"] = time.perf_counter() - started
    if page.status_code != 200:
        raise RuntimeError(f"start answered {page.status_code}")
    fields = {html.unescape(n): html.unescape(v) for n, v in _INPUT.findall(page.text)}
    hook_path = urlsplit(fields["HOOK_URL"]).path
    started = time.perf_counter()
    returned = shop.post(hook_path, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    timings["return"] = time.perf_counter() - started
    if returned.status_code != 303:
        raise RuntimeError(f"cart return answered {returned.status_code}")
    started = time.perf_counter()
    cart = client.get("/cart/")
    timings["cart"] = time.perf_counter() - started
    if cart.status_code != 200:
        raise RuntimeError(f"cart page answered {cart.status_code}")
    return timings


def _client_thread(base, supplier_id, body, buyers, warm_at, stop_at, out) -> None:  # type: ignore[no-untyped-def]
    shop = httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT)  # the webshop's page: cross-site, no cookies
    while time.time() < stop_at:
        try:
            session = buyers.get_nowait()
        except queue.Empty:
            break
        csrf = secrets.token_hex(16)  # 32 characters: Django takes an unmasked secret as the token
        with httpx.Client(
            base_url=base, timeout=REQUEST_TIMEOUT, cookies={"sessionid": session, "csrftoken": csrf}
        ) as client:
            for _ in range(ROUNDTRIPS_PER_BUYER):
                if time.time() >= stop_at:
                    break
                try:
                    timings = _roundtrip(client, shop, supplier_id, csrf, body)
                except (httpx.HTTPError, RuntimeError, KeyError) as exc:
                    out["errors"].append(f"{type(exc).__name__}: {exc}")
                    continue
                finished = time.time()
                if finished >= warm_at:
                    out["done"].append(finished)
                    for kind, seconds in timings.items():
                        out[kind].append(seconds * 1000)
    shop.close()


_buyers: multiprocessing.Queue | None = None


def _take_buyers(buyers: multiprocessing.Queue) -> None:
    """Pool initializer: a queue reaches a client process only when it is made (inherited), never as an argument."""
    global _buyers
    _buyers = buyers


def _client_process(base, supplier_id, body, threads, warm_at, stop_at) -> dict:  # type: ignore[no-untyped-def]
    buyers = _buyers
    outs = [defaultdict(list) for _ in range(threads)]
    workers = [
        threading.Thread(target=_client_thread, args=(base, supplier_id, body, buyers, warm_at, stop_at, out))
        for out in outs
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    merged: dict[str, list] = defaultdict(list)
    for out in outs:
        for key, values in out.items():
            merged[key].extend(values)
    return dict(merged)


# ---- where the CPU went (Linux /proc): the machine is shared, so wall-clock figures alone mislead ----------------

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _process_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime


def _process_tree(pid: int) -> list[int]:
    tree = [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    tree.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    return tree


def _machine_seconds() -> tuple[float, float]:
    """CPU seconds of the whole machine since boot: (busy, all)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values) - idle) / _TICK, sum(values) / _TICK


class CpuMeter:
    """CPU used between two points in time by the server's processes, by the PostgreSQL backends of the bench's
    database, and by the whole machine (where other work may run too)."""

    def __init__(self, *, server_pid: int, database_url: str) -> None:
        self.server_pid, self.database_url = server_pid, database_url

    def _backends(self) -> list[int]:
        import psycopg

        name = urlsplit(self.database_url).path.lstrip("/")
        with psycopg.connect(self.database_url, autocommit=True, connect_timeout=5) as conn:
            query = "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
            return [row[0] for row in conn.execute(query, [name]).fetchall()]

    def sample(self) -> dict[str, float]:
        busy, total = _machine_seconds()
        return {
            "server": sum(_process_seconds(pid) for pid in _process_tree(self.server_pid)),
            "database": sum(_process_seconds(pid) for pid in self._backends()),
            "busy": busy,
            "total": total,
        }


def cpu_figures(before: dict[str, float], after: dict[str, float], *, seconds: float, roundtrips: int) -> dict:
    cores = max(1, os.cpu_count() or 1)
    elapsed = (after["total"] - before["total"]) / cores
    per_roundtrip = 1000 / roundtrips if roundtrips else 0.0
    return {
        "server_cpu_ms_per_roundtrip": round((after["server"] - before["server"]) * per_roundtrip, 1),
        "database_cpu_ms_per_roundtrip": round((after["database"] - before["database"]) * per_roundtrip, 1),
        "server_cores_used": round((after["server"] - before["server"]) / seconds, 2),
        "machine_cores_busy": round((after["busy"] - before["busy"]) / elapsed, 2) if elapsed else 0.0,
        "machine_cores": cores,
    }


def run_phase(
    *, base: str, supplier_id: int, body: bytes, cookies: list[str], clients: int, seconds: float, meter: CpuMeter
) -> dict:
    context = multiprocessing.get_context("fork")
    buyers = context.Queue()
    for cookie in cookies:
        buyers.put(cookie)
    time.sleep(0.2)  # let the queue's feeder thread fill the pipe before the clients start taking
    processes = min(clients, 4)
    per_process = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    warm_at = time.time() + WARMUP_SECONDS
    stop_at = warm_at + seconds
    samples: list[dict[str, float]] = []

    def measure() -> None:  # at the end of the warm-up and at the end of the phase
        for moment in (warm_at, stop_at):
            time.sleep(max(0.0, moment - time.time()))
            samples.append(meter.sample())

    meter_thread = threading.Thread(target=measure, daemon=True)
    with context.Pool(processes, initializer=_take_buyers, initargs=(buyers,)) as pool:
        meter_thread.start()
        parts = [pool.apply_async(_client_process, (base, supplier_id, body, n, warm_at, stop_at)) for n in per_process]
        results = [part.get(timeout=WARMUP_SECONDS + seconds + 120) for part in parts]
    meter_thread.join(timeout=seconds + 30)
    merged: dict[str, list] = defaultdict(list)
    for result in results:
        for key, values in result.items():
            merged[key].extend(values)
    done = sorted(merged["done"])
    measured = (min(stop_at, done[-1]) - warm_at) if done else seconds
    figures: dict[str, object] = {
        "seconds": round(measured, 1),
        "roundtrips": len(done),
        "roundtrips_per_s": round(len(done) / measured, 2) if measured > 0 else 0,
        "errors": len(merged["errors"]),
    }
    if merged["errors"]:
        figures["first_error"] = merged["errors"][0]
    for kind in ("start", "return", "cart"):
        latencies = merged[kind]
        if latencies:
            figures[f"{kind}_p50_ms"] = round(median(latencies), 1)
            figures[f"{kind}_p99_ms"] = round(percentile(latencies, 99), 1)
    if len(samples) == 2 and done and done[-1] >= stop_at - 1:  # the buyers lasted the whole phase
        figures.update(cpu_figures(samples[0], samples[1], seconds=seconds, roundtrips=len(done)))
    return figures


# ---- main --------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", default="1,2", help="server processes to compare (comma-separated)")
    parser.add_argument("--clients", default="1,20", help="concurrent buyers (comma-separated; 1 = serial floor)")
    parser.add_argument("--seconds", type=float, default=15.0, help="measured seconds per phase (after warm-up)")
    parser.add_argument("--threads", type=int, default=4, help="threads per server process")
    parser.add_argument("--server", choices=["gunicorn", "waitress"], default="gunicorn")
    args = parser.parse_args()
    process_counts = [int(n) for n in args.processes.split(",")]
    client_counts = [int(n) for n in args.clients.split(",")]
    if max(client_counts) > 64 or args.seconds > 120:
        raise SystemExit("at most 64 clients and 120 s per phase")

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not urlsplit(url).path.lstrip("/").startswith("bench"):
        print(f"DATABASE_URL names no bench database: using {DEFAULT_URL}", file=sys.stderr)
        url = DEFAULT_URL
    problem = ensure_database(url)
    if problem:
        emit(bench="load", skipped=problem)
        return
    from cryptography.fernet import Fernet

    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-load-" + secrets.token_hex(16))
    os.environ.setdefault("OCILINK_KEYRING", Fernet.generate_key().decode())
    from _setup import django_setup

    django_setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request (with its HOOK_URL) is not a figure
    from django.core.management import call_command
    from django.db import connections

    call_command("flush", interactive=False, verbosity=0)  # the bench's own database: start from nothing

    supplier_id, organization = seed()
    body = cart_body()
    server_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ocilink.settings",
        "PYTHONPATH": str(ROOT / "src"),
        "OCILINK_DEMO": "0",
        "DEBUG": "0",
        "SESSION_COOKIE_SECURE": "0",  # plain HTTP on loopback
        "LOG_FORMAT": "json",
        "ACCESS_LOG": "1",
    }
    server_env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log = Path(tempfile.mkdtemp(prefix="ocilink-load-")) / "server.log"
    figures: dict[tuple[int, int], dict] = {}
    for processes in process_counts:
        connections.close_all()
        server, base = start_server(
            server=args.server, processes=processes, threads=args.threads, env=server_env, log=log
        )
        try:
            for clients in client_counts:
                made = time.perf_counter()
                cookies = make_buyers(organization, BUYERS_PER_PHASE)
                print(f"{len(cookies)} buyers in {time.perf_counter() - made:.1f} s", file=sys.stderr)
                connections.close_all()  # the client processes are forked from this one
                result = run_phase(
                    base=base,
                    supplier_id=supplier_id,
                    body=body,
                    cookies=cookies,
                    clients=clients,
                    seconds=args.seconds,
                    meter=CpuMeter(server_pid=server.pid, database_url=url),
                )
                figures[(processes, clients)] = result
                emit(
                    bench="load",
                    server=args.server,
                    processes=processes,
                    threads=args.threads,
                    clients=clients,
                    **result,
                )
        finally:
            stop_server(server)

    most = max(client_counts)
    if 1 in process_counts and 2 in process_counts and (1, most) in figures and (2, most) in figures:
        one, two = figures[(1, most)]["roundtrips_per_s"], figures[(2, most)]["roundtrips_per_s"]
        emit(
            bench="load",
            figure="throughput_2_vs_1_process",
            clients=most,
            ratio=round(float(two) / float(one), 2) if one else None,
            target=1.8,
        )
    for processes in process_counts:
        serial, loaded = figures.get((processes, 1)), figures.get((processes, most))
        if most > 1 and serial and loaded and "return_p50_ms" in serial and "return_p99_ms" in loaded:
            emit(
                bench="load",
                figure="return_p99_at_load_vs_serial_p50",
                processes=processes,
                clients=most,
                ratio=round(float(loaded["return_p99_ms"]) / float(serial["return_p50_ms"]), 2),
                target=4.0,
            )
    print(f"server log: {log}", file=sys.stderr)


if __name__ == "__main__":
    main()
