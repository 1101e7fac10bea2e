from django.contrib import admin

from .models import Dispatch, DispatchAttempt, PurchaseOrder, PurchaseOrderEvent


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


class DispatchAttemptInline(admin.TabularInline):
    model = DispatchAttempt
    extra = 0
    can_delete = False
    fields = ("number", "started_at", "duration_ms", "outcome", "error_class", "message", "evidence")
    readonly_fields = fields


@admin.register(Dispatch)
class DispatchAdmin(admin.ModelAdmin):
    list_display = ["purchase_order", "method", "status", "attempt_count", "next_attempt_at", "last_error"]
    list_filter = ["status", "method"]
    search_fields = ["payload_id", "purchase_order__number"]
    inlines = [DispatchAttemptInline]
    readonly_fields = [f.name for f in Dispatch._meta.fields]
