from django.contrib import admin

from .models import Dispatch, DispatchAttempt


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
