from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Dispatch, DispatchAttempt, Notice, PurchaseOrder, PurchaseOrderEvent
from .notifications import notice_send_again
from .states import NoticeStatus


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


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """E-mails about orders; a failed one stays here (status "Could not be sent") until staff send it again."""

    list_display = ["purchase_order", "kind", "status", "attempt_count", "next_attempt_at", "last_error", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["purchase_order__number", "message_id"]
    readonly_fields = [f.name for f in Notice._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Send the selected failed notices again"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        failed = list(queryset.filter(status=NoticeStatus.FAILED))
        for notice in failed:
            notice_send_again(notice=notice, actor=request.user)
        self.message_user(
            request,
            ngettext("%(count)d notice is sent again.", "%(count)d notices are sent again.", len(failed))
            % {"count": len(failed)},
            messages.SUCCESS,
        )
