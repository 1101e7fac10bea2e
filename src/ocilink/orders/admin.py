from django.contrib import admin

from .models import PurchaseOrder, PurchaseOrderEvent


class PurchaseOrderEventInline(admin.TabularInline):
    model = PurchaseOrderEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "action", "from_status", "to_status", "note"]


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(admin.ModelAdmin):
    list_display = ["number", "organization", "supplier", "status", "total", "currency", "created_at"]
    list_filter = ["status", "organization"]
    search_fields = ["number"]
    readonly_fields = ["snapshot"]
    inlines = [PurchaseOrderEventInline]
