"""``ocilink demo``: migrate the SQLite demo database, seed it, and serve the platform, the demo webshop, the demo
supplier's order inbox (cXML over HTTPS, SFTP, SMTP) and a worker that places approved orders."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.core.wsgi import get_wsgi_application

from ocilink.core.servers import ServerGroup
from ocilink.demo_webshop.seed import CONSULTANT, DEMO_LOGINS, SUPPORT, seed_demo
from ocilink.demo_webshop.supplier_inbox import start_supplier_inbox
from ocilink.demo_webshop.wsgi import webshop_application
from ocilink.orders.worker import WorkerThread


class Command(BaseCommand):
    help = "Set up the demo (SQLite, seed data) and serve the platform, the demo webshop and the supplier inbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port",
            type=int,
            default=8000,
            help="platform port; the webshop takes the next one, the inbox the 3 after",
        )
        parser.add_argument("--no-serve", action="store_true", help="set up and seed only")

    def handle(self, *args: object, **options: object) -> None:
        port = int(options["port"])  # type: ignore[call-overload]
        platform_url = f"http://127.0.0.1:{port}"
        webshop_url = f"http://localhost:{port + 1}"
        call_command("migrate", interactive=False, verbosity=0)
        if options["no_serve"]:
            seed_demo(webshop_url=f"{webshop_url}/oci/login/")
            self.stdout.write(f"Database: {settings.DATABASES['default']['NAME']}")
            self.stdout.write("Demo data is ready.")
            return
        inbox = start_supplier_inbox(
            folder=settings.DEMO_INBOX_DIR, https_port=port + 2, sftp_port=port + 3, smtp_port=port + 4
        )
        # The platform's outgoing mail (purchase orders by e-mail, notices) goes to the demo supplier's SMTP server.
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", inbox.smtp.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.OCILINK_BASE_URL = platform_url
        seed_demo(webshop_url=f"{webshop_url}/oci/login/", inbox=inbox.details)
        app = get_wsgi_application()
        group = ServerGroup([(app, "127.0.0.1", port), (webshop_application(app), "localhost", port + 1)])
        worker = WorkerThread()
        worker.start()
        self.stdout.write(f"Database: {settings.DATABASES['default']['NAME']}")
        self.stdout.write(self.style.SUCCESS(f"ocilink platform: {platform_url}/"))
        self.stdout.write(self.style.SUCCESS(f"demo webshop:     {webshop_url}/  (reached through Shop in ocilink)"))
        self.stdout.write(f"supplier inbox:   {webshop_url}/inbox/  (orders received by HTTPS+cXML, SFTP and e-mail)")
        self.stdout.write(
            f"                  cXML {inbox.details.cxml_url} · SFTP 127.0.0.1:{inbox.sftp.port} · "
            f"SMTP 127.0.0.1:{inbox.smtp.port}"
        )
        self.stdout.write("Demo logins (username / password):")
        for username, password, role, _first, _last in DEMO_LOGINS:
            self.stdout.write(f"  {username:<11} {password:<22} {role.label}")
        self.stdout.write(f"  {CONSULTANT[0]:<11} {CONSULTANT[1]:<22} platform consultant (and the Django admin)")
        self.stdout.write(f"  {SUPPORT[0]:<11} {SUPPORT[1]:<22} platform support")
        self.stdout.write("A worker places submitted orders. Press Ctrl-C to stop.")
        try:
            group.serve_until_interrupted()
        finally:
            worker.stop()
            inbox.stop()
        self.stdout.write("Stopped.")
