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
  generate_key           print a new key for OCILINK_KEYRING
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
    if args[0] == "demo":
        from ocilink.demo_webshop.environment import prepare_demo_environment

        prepare_demo_environment()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocilink.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ocilink", *args])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
