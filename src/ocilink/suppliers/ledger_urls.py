"""URLs of the ledger translation table; included at ``ledger/`` with the namespace ``ledger``."""

from django.urls import path

from . import ledger_views as views

app_name = "ledger"

urlpatterns = [
    path("", views.index, name="index"),
    path("accounts/", views.account_list, name="accounts"),
    path("accounts/new/", views.account_form, name="account_add"),
    path("accounts/<int:pk>/", views.account_form, name="account_edit"),
    path("accounts/<int:pk>/deactivate/", views.account_set_active, {"active": False}, name="account_deactivate"),
    path("accounts/<int:pk>/activate/", views.account_set_active, {"active": True}, name="account_activate"),
    path("tables/new/", views.table_form, name="table_add"),
    path("tables/<int:pk>/", views.table_detail, name="table"),
    path("tables/<int:pk>/settings/", views.table_form, name="table_edit"),
    path("tables/<int:pk>/delete/", views.table_delete, name="table_delete"),
    path("tables/<int:table_pk>/mappings/new/", views.mapping_form, name="mapping_add"),
    path("mappings/<int:pk>/", views.mapping_form, name="mapping_edit"),
    path("mappings/<int:pk>/delete/", views.mapping_delete, name="mapping_delete"),
    path("tables/<int:pk>/import/", views.table_import, name="table_import"),
    path("tables/<int:pk>/export/<str:fmt>/", views.table_export, name="table_export"),
]
