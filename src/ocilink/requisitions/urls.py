from django.urls import path

from . import views

app_name = "requisitions"

urlpatterns = [
    path("", views.cart, name="cart"),
    path("lines/<int:line_id>/quantity/", views.line_update, name="line_update"),
    path("lines/<int:line_id>/remove/", views.line_remove, name="line_remove"),
    path("lines/<int:line_id>/account/", views.line_account, name="line_account"),
    path("submit/", views.submit, name="submit"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/approve/", views.request_approve, name="request_approve"),
    path("requests/<int:pk>/reject/", views.request_reject, name="request_reject"),
    path("requests/<int:pk>/reopen/", views.request_reopen, name="request_reopen"),
    path("approvals/", views.waiting, name="waiting"),
]
