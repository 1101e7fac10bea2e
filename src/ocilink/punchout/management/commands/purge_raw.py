"""``ocilink purge_raw``: empty the raw bodies of cart returns past their retention now (the workers do it too)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ocilink.punchout.retention import PURGE_BATCH, raw_purge


class Command(BaseCommand):
    help = (
        "Empty the raw bodies and headers of cart returns older than PUNCHOUT_RAW_RETENTION_DAYS (trials: "
        "PUNCHOUT_TRIAL_RETENTION_DAYS), keeping their outcome, size, errors and report. Safe to repeat."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=PURGE_BATCH, help="rows per update (default 500)")

    def handle(self, *args: object, **options: object) -> None:
        batch_size = options["batch_size"]
        if not isinstance(batch_size, int) or batch_size < 1:
            raise CommandError("--batch-size must be a whole number of at least 1.")
        report = raw_purge(batch_size=batch_size)
        self.stdout.write(
            f"Purged the raw bodies of {report.returns} cart returns (kept {settings.PUNCHOUT_RAW_RETENTION_DAYS} "
            f"days; trials {settings.PUNCHOUT_TRIAL_RETENTION_DAYS} days) and the test accounts of {report.trials} "
            "trials. Outcomes, sizes, errors and reports are kept."
        )
