from django.contrib import admin

from .forms import ConnectionAdminForm, OciCredentialForm
from .models import Connection, OciCredential


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    form = ConnectionAdminForm
    list_display = ["name", "organization", "url", "method", "ordering_method", "hold_next_order", "is_active"]
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
