"""``ocilink sweep_raw_documents``: delete the raw documents that no row names (the workers do it for recent days)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ocilink.core.raw_documents import ORPHAN_GRACE_DAYS, ORPHAN_SCAN_DAYS, sweep_orphans


class Command(BaseCommand):
    help = (
        "Delete the files in the storage of raw documents that no row names (left by a transaction that rolled back "
        f"or a process that was killed), in the day folders from {ORPHAN_GRACE_DAYS} days ago back --days days. "
        "The workers sweep the last week by themselves; this reaches further back, e.g. after a failed migration."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=ORPHAN_SCAN_DAYS,
            help=f"how many days to look back (default {ORPHAN_SCAN_DAYS})",
        )

    def handle(self, *args: object, **options: object) -> None:
        days = options["days"]
        if not isinstance(days, int) or days < 0:
            raise CommandError("--days must be a whole number of at least 0.")
        report = sweep_orphans(days=days)
        self.stdout.write(
            f"Looked at {report.files} raw documents in {report.folders} day folders; deleted {report.deleted} that "
            "no row names."
        )
