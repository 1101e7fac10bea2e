"""``ocilink serve``: serve the platform with waitress (put it behind a TLS proxy in production)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from ocilink.core.servers import ServerGroup


class Command(BaseCommand):
    help = "Serve the platform with waitress until Ctrl-C or SIGTERM. Run `ocilink worker` beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8, help="requests served at once")

    def handle(self, *args: object, **options: object) -> None:
        from django.core.wsgi import get_wsgi_application

        host, port = str(options["host"]), int(options["port"])  # type: ignore[call-overload]
        group = ServerGroup([(get_wsgi_application(), host, port)], threads=int(options["threads"]))  # type: ignore[call-overload]
        self.stdout.write(f"ocilink on http://{host}:{port}/ ; Ctrl-C stops it.")
        group.serve_until_interrupted()
        self.stdout.write("Stopped.")
