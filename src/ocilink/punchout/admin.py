from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from .models import CartReturn, PunchoutSession

# A trial's sealed account and token stay out of the admin, even as ciphertext.
SEALED = ["username_encrypted", "password_encrypted", "token_encrypted"]


@admin.register(PunchoutSession)
class PunchoutSessionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "purpose", "organization", "user", "supplier", "status", "expires_at", "used_at"]
    list_filter = ["purpose", "status", "organization"]
    exclude = SEALED
    readonly_fields = [f.name for f in PunchoutSession._meta.fields if f.name not in SEALED]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(CartReturn)
class CartReturnAdmin(admin.ModelAdmin):
    list_display = ["reference", "received_at", "outcome", "line_count", "body_size", "report_link"]
    list_filter = ["outcome"]
    search_fields = ["reference"]
    exclude = ["body"]
    readonly_fields = [f.name for f in CartReturn._meta.fields if f.name != "body"]

    @admin.display(description="check report")
    def report_link(self, obj: CartReturn) -> str:
        return format_html('<a href="{}">{}</a>', reverse("punchout:return_detail", args=[obj.reference]), "open")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
