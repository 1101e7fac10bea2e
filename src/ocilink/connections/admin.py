from django.contrib import admin

from .forms import OciCredentialForm
from .models import Connection, OciCredential


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "url", "method", "is_active"]
    list_filter = ["organization", "method", "is_active"]
    search_fields = ["name", "url"]


@admin.register(OciCredential)
class OciCredentialAdmin(admin.ModelAdmin):
    form = OciCredentialForm
    list_display = ["connection", "organization", "delivery_address", "masked"]
    list_filter = ["organization"]

    @admin.display(description="username")
    def masked(self, obj: OciCredential) -> str:
        return obj.masked_username
