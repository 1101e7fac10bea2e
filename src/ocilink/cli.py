"""The ``ocilink`` command: ``demo``, ``serve``, ``check-cart`` and every Django management command."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

USAGE = """usage: ocilink COMMAND [options]

  demo [--port N]        set up the SQLite demo and serve the platform and the demo webshop
  serve [--host H] [--port N] [--workers N] [--threads M]
                         serve the platform from several processes (production: behind a TLS proxy;
                         SIGTERM stops gracefully; docs/deploy.md)
  worker                 place approved orders and sweep (run one or more beside serve)
  check-cart FILE        check a raw OCI cart body as a webshop posts it to HOOK_URL (--json, --charset)
  generate_key           print a new key for OCILINK_KEYRING (--secret-key: one for SECRET_KEY)
  migrate, createsuperuser, shell, ...   every Django management command
"""


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        sys.stdout.write(USAGE)
        return 0 if args else 2
    if args[0] == "check-cart":
        # Pure Python: needs no settings, no database and no configuration.
        from ocilink.protocols.oci.check import check_main

        return check_main(args[1:])
    if args[0] == "generate_key":
        # Makes the keys that the settings need, so it must work before any are set: no Django settings.
        return _generate_key(args[1:])
    if args[0] == "demo":
        from ocilink.demo_webshop.environment import prepare_demo_environment

        prepare_demo_environment()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocilink.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["ocilink", *args])
    except ImproperlyConfigured as exc:
        # A missing or wrong setting: its message says what to set, a traceback would only hide it.
        sys.stderr.write(f"ocilink: the configuration is incomplete: {exc}\n")
        return 1
    return 0


def _generate_key(options: list[str]) -> int:
    if options not in ([], ["--secret-key"]):
        sys.stderr.write("usage: ocilink generate_key [--secret-key]\n")
        return 2
    if options:
        import secrets

        sys.stdout.write(secrets.token_urlsafe(50) + "\n")  # Django asks for at least 50 characters
    else:
        from ocilink.core.crypto import generate_key

        sys.stdout.write(generate_key() + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
