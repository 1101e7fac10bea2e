"""``ocilink demo``: migrate the SQLite demo database, seed it, and serve the platform and the demo webshop."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from ocilink.core.servers import ServerGroup


class Command(BaseCommand):
    help = "Set up the demo (SQLite, seed data) and serve the platform and the demo webshop."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="platform port; the webshop takes the next one")
        parser.add_argument("--no-serve", action="store_true", help="set up and seed only")

    def handle(self, *args: object, **options: object) -> None:
        from django.core.wsgi import get_wsgi_application

        from ocilink.demo_webshop.seed import CONSULTANT, DEMO_LOGINS, seed_demo
        from ocilink.demo_webshop.wsgi import webshop_application

        port = int(options["port"])  # type: ignore[call-overload]
        platform_url = f"http://127.0.0.1:{port}"
        webshop_url = f"http://localhost:{port + 1}"
        call_command("migrate", interactive=False, verbosity=0)
        seed_demo(webshop_url=f"{webshop_url}/oci/login/")
        self.stdout.write(f"Database: {settings.DATABASES['default']['NAME']}")
        if options["no_serve"]:
            self.stdout.write("Demo data is ready.")
            return
        app = get_wsgi_application()
        group = ServerGroup([(app, "127.0.0.1", port), (webshop_application(app), "localhost", port + 1)])
        self.stdout.write(self.style.SUCCESS(f"ocilink platform: {platform_url}/"))
        self.stdout.write(self.style.SUCCESS(f"demo webshop:     {webshop_url}/  (reached through Shop in ocilink)"))
        self.stdout.write("Demo logins (username / password):")
        for username, password, role, _first, _last in DEMO_LOGINS:
            self.stdout.write(f"  {username:<11} {password:<22} {role.label}")
        self.stdout.write(f"  {CONSULTANT[0]:<11} {CONSULTANT[1]:<22} platform consultant (admin site)")
        self.stdout.write("Press Ctrl-C to stop.")
        group.serve_until_interrupted()
        self.stdout.write("Stopped.")
