from django.contrib import admin

from .models import DeliveryAddress, Membership, Organization


class DeliveryAddressInline(admin.TabularInline):
    model = DeliveryAddress
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "phase"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [DeliveryAddressInline, MembershipInline]
