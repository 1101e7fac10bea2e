from django.contrib import admin

from .models import OrderRequest, OrderRequestLine


class OrderRequestLineInline(admin.TabularInline):
    model = OrderRequestLine
    extra = 0
    fields = ["position", "supplier", "description", "quantity", "unit", "unit_price", "price_unit", "currency"]


@admin.register(OrderRequest)
class OrderRequestAdmin(admin.ModelAdmin):
    list_display = ["pk", "organization", "requester", "status", "created_at"]
    list_filter = ["status", "organization"]
    inlines = [OrderRequestLineInline]
