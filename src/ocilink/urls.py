"""URLs of the platform. The demo webshop (only with OCILINK_DEMO on) has its own URLconf (demo_webshop/urls.py) on
its own origin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from ocilink.core import views as core_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="suppliers:list", permanent=False)),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("suppliers/", include("ocilink.suppliers.urls")),
    path("punchout/", include("ocilink.punchout.urls")),
    path("cart/", include("ocilink.requisitions.urls")),
    path("orders/", include("ocilink.orders.urls")),
    path("organization/", include("ocilink.accounts.urls")),
    path("ledger/", include("ocilink.suppliers.ledger_urls")),
    path("onboarding/", include("ocilink.onboarding.urls")),
    path("catalogue/", include("ocilink.onboarding.catalogue_urls")),
    path("connections/", include("ocilink.connections.urls")),
    path("guide/", include("ocilink.onboarding.guide_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # For load balancers and monitoring: no login, no tenant data (core/views.py).
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", core_views.metrics, name="metrics"),
]
