from django.contrib import admin

from .models import Supplier


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "external_connection", "is_blocked"]
    list_filter = ["organization", "is_blocked"]
    search_fields = ["name"]
