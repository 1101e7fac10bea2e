"""Readiness: can this process serve? The database answers within a second, the key ring opens what it seals, and
every check an app registered passes (``orders`` registers the age of the oldest order waiting for a worker).

A check returns plain numbers and words only: never a secret, a host name, a tenant or an exception's text (those
go to the log). ``/healthz`` runs none of this: it says that the process is alive.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connections

from .crypto import decrypt_secret, encrypt_secret

logger = logging.getLogger(__name__)

# The database must answer within this long, or the process is not ready.
DATABASE_TIMEOUT_SECONDS = 1.0


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: whether it passed, and what a person may read about it (numbers, plain words)."""

    ok: bool
    detail: dict[str, object] = field(default_factory=dict)


Check = Callable[[], CheckResult]
_checks: dict[str, Check] = {}


def register_check(name: str, check: Check) -> None:
    """Add a readiness check; an app calls this from its ``AppConfig.ready()``. A second call with the same name
    replaces the first (``ready()`` may run more than once in tests)."""
    _checks[name] = check


def registered_checks() -> dict[str, Check]:
    return dict(_checks)


# At most one database probe at a time: a probe that hangs is abandoned after a second, and its thread ends when
# the driver's own timeouts (2 s to connect, 1 s per statement) stop it. Probes must not pile up meanwhile.
_database_probe = threading.Semaphore(1)


def _probe_database(outcome: dict[str, object]) -> None:
    try:
        connection = connections["default"]
        params = connection.get_connection_params()
        if connection.vendor == "postgresql":
            params["connect_timeout"] = 2  # libpq's least; the caller stops waiting after one second anyway
            params["options"] = f"{params.get('options', '')} -c statement_timeout=1000".strip()
        elif connection.vendor == "sqlite":
            params["timeout"] = DATABASE_TIMEOUT_SECONDS
        raw = connection.get_new_connection(params)
        try:
            cursor = raw.cursor()
            cursor.execute("SELECT 1")
            cursor.fetchone()
        finally:
            raw.close()
        outcome["ok"] = True
    except Exception as exc:
        logger.warning("Readiness: the database cannot be reached: %s", exc)
        outcome["error"] = type(exc).__name__
    finally:
        _database_probe.release()


def database_check() -> CheckResult:
    """A fresh connection to the database answers ``SELECT 1`` within :data:`DATABASE_TIMEOUT_SECONDS`."""
    if not _database_probe.acquire(blocking=False):
        return CheckResult(False, {"error": "an earlier check is still waiting for the database"})
    outcome: dict[str, object] = {}
    started = time.perf_counter()
    probe = threading.Thread(target=_probe_database, args=(outcome,), name="ocilink-readiness-db", daemon=True)
    probe.start()
    probe.join(DATABASE_TIMEOUT_SECONDS)
    elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    if probe.is_alive():
        logger.warning("Readiness: the database did not answer within %s s", DATABASE_TIMEOUT_SECONDS)
        return CheckResult(False, {"error": "no answer within one second", "ms": elapsed_ms})
    if outcome.get("ok"):
        return CheckResult(True, {"ms": elapsed_ms})
    return CheckResult(False, {"error": str(outcome.get("error", "unknown")), "ms": elapsed_ms})


_PROBE_CONTEXT = "readiness-probe"


def keyring_check() -> CheckResult:
    """The key ring loads (every key is a Fernet key) and opens a probe it sealed."""
    try:
        sealed = encrypt_secret("probe", context=_PROBE_CONTEXT)
        ok = decrypt_secret(sealed, context=_PROBE_CONTEXT) == "probe"
    except Exception as exc:  # ImproperlyConfigured for a bad key, SecretError: both mean "cannot serve"
        logger.warning("Readiness: the key ring does not work: %s", exc)
        return CheckResult(False, {"error": type(exc).__name__})
    return CheckResult(ok)


def readiness() -> tuple[bool, dict[str, dict[str, object]]]:
    """Run every check; whether all passed, and each one's result. Registered checks need the database, so they
    are skipped (and count as failed) when it does not answer."""
    results: dict[str, CheckResult] = {"database": database_check(), "keyring": keyring_check()}
    for name, check in registered_checks().items():
        if not results["database"].ok:
            results[name] = CheckResult(False, {"error": "skipped: the database does not answer"})
            continue
        try:
            results[name] = check()
        except Exception as exc:
            logger.warning("Readiness check %s failed: %s", name, exc)
            results[name] = CheckResult(False, {"error": type(exc).__name__})
    report = {name: {"ok": result.ok, **result.detail} for name, result in results.items()}
    return all(result.ok for result in results.values()), report
