from django.core.management.base import BaseCommand

from ocilink.core.crypto import generate_key


class Command(BaseCommand):
    help = "Print a new Fernet key for OCILINK_KEYRING (put it first to encrypt with it)."

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(generate_key())
