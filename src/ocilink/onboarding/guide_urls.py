"""The public supplier integration guide (no login): include at ``path("guide/", include(...))``."""

from django.urls import path

from . import guide_views

app_name = "guide"

urlpatterns = [
    path("", guide_views.guide_index, name="index"),
    path("self-test/", guide_views.guide_selftest, name="selftest"),
]
