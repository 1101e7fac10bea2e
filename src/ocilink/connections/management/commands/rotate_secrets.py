from django.core.management.base import BaseCommand
from django.db import transaction

from ocilink.connections.models import Connection, OciCredential
from ocilink.core.crypto import rotate_secret


class Command(BaseCommand):
    help = "Re-encrypt every stored secret under the first key of OCILINK_KEYRING (after adding a new key)."

    def handle(self, *args: object, **options: object) -> None:
        credentials = connections = 0
        with transaction.atomic():
            for credential in OciCredential.objects.select_for_update():
                credential.username_encrypted = rotate_secret(credential.username_encrypted)
                credential.password_encrypted = rotate_secret(credential.password_encrypted)
                credential.save(update_fields=["username_encrypted", "password_encrypted", "updated_at"])
                credentials += 1
            for connection in Connection.objects.select_for_update().exclude(ordering_secrets_encrypted=""):
                connection.ordering_secrets_encrypted = rotate_secret(connection.ordering_secrets_encrypted)
                connection.save(update_fields=["ordering_secrets_encrypted"])
                connections += 1
        self.stdout.write(
            f"Re-encrypted {credentials} OCI credentials and the ordering secrets of {connections} connections."
        )
