from django.contrib import admin

from .models import ShopAccount


@admin.register(ShopAccount)
class ShopAccountAdmin(admin.ModelAdmin):
    list_display = ["username", "customer_name"]
    exclude = ["password_hash"]
