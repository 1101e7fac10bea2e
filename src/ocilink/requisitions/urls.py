from django.urls import path

from . import views

app_name = "requisitions"

urlpatterns = [
    path("", views.cart, name="cart"),
    path("lines/<int:line_id>/quantity/", views.line_update, name="line_update"),
    path("lines/<int:line_id>/remove/", views.line_remove, name="line_remove"),
    path("submit/", views.submit, name="submit"),
]
