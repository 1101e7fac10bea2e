from django.core.management.base import BaseCommand
from django.db import transaction

from ocilink.connections.models import OciCredential
from ocilink.core.crypto import rotate_secret


class Command(BaseCommand):
    help = "Re-encrypt every stored secret under the first key of OCILINK_KEYRING (after adding a new key)."

    def handle(self, *args: object, **options: object) -> None:
        count = 0
        with transaction.atomic():
            for credential in OciCredential.objects.select_for_update():
                credential.username_encrypted = rotate_secret(credential.username_encrypted)
                credential.password_encrypted = rotate_secret(credential.password_encrypted)
                credential.save(update_fields=["username_encrypted", "password_encrypted", "updated_at"])
                count += 1
        self.stdout.write(f"Re-encrypted {count} OCI credentials.")
