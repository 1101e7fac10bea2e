"""The platform's URLs plus onboarding and the catalogue, until the lead includes them in ``ocilink.urls``."""

from django.urls import include, path

from ocilink.urls import urlpatterns as platform_urlpatterns

_namespaces = {getattr(pattern, "namespace", None) for pattern in platform_urlpatterns}

urlpatterns = list(platform_urlpatterns)
if "onboarding" not in _namespaces:
    urlpatterns.append(path("onboarding/", include("ocilink.onboarding.urls")))
if "catalogue" not in _namespaces:
    urlpatterns.append(path("catalogue/", include("ocilink.onboarding.catalogue_urls")))
if "connections" not in _namespaces:  # the credentials page the request links to
    urlpatterns.append(path("connections/", include("ocilink.connections.urls")))
