from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ocilink.connections.models import CatalogueEntry

from .models import ConnectionRequest, RequestEvent, RequestStep


class RequestStepInline(admin.TabularInline):
    model = RequestStep
    extra = 0
    fields = ["position", "title", "party", "status", "done_by", "done_at", "due_date", "notes"]
    readonly_fields = ["position", "title", "party", "status", "done_by", "done_at"]
    can_delete = False


class RequestEventInline(admin.TabularInline):
    model = RequestEvent
    extra = 0
    fields = ["at", "actor", "action", "step", "note"]
    readonly_fields = ["at", "actor", "action", "step", "note"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ConnectionRequest)
class ConnectionRequestAdmin(admin.ModelAdmin):
    """Read mostly: steps change through the request page, where who may tick them is checked."""

    list_display = ["supplier_name", "organization", "scenario", "status", "created_at", "closed_at"]
    list_filter = ["status", "scenario", "organization"]
    search_fields = ["supplier_name", "organization__name"]
    readonly_fields = ["organization", "scenario", "status", "requested_by", "connection", "closed_at"]
    inlines = [RequestStepInline, RequestEventInline]


# The catalogue is kept by platform support (also at /catalogue/manage/). Registered here unless the connections
# app registers it itself (it is imported first).
if not admin.site.is_registered(CatalogueEntry):

    @admin.register(CatalogueEntry)
    class CatalogueEntryAdmin(admin.ModelAdmin):
        list_display = ["supplier_name", "webshop_url", "method", "is_published"]
        list_filter = ["is_published", "method"]
        search_fields = ["supplier_name", "webshop_url"]
