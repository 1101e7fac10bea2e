"""URLs of the demo webshop, served as the root URLconf of its own origin (see middleware.SiteMiddleware)."""

from django.urls import include, path

from . import views

shop_patterns = [
    path("", views.catalogue, name="catalogue"),
    path("oci/login/", views.oci_login, name="oci_login"),
    path("add/<str:sku>/", views.add, name="add"),
    path("cart/", views.cart, name="cart"),
    path("cart/transfer/", views.transfer, name="transfer"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<str:channel>/<str:name>", views.inbox_item, name="inbox_item"),
]

urlpatterns = [path("", include((shop_patterns, "demo_webshop")))]
