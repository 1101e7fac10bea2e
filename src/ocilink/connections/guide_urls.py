"""The public supplier integration guide (no login): include at ``path("guide/", include(...))``."""

from django.urls import path

from . import views

app_name = "guide"

urlpatterns = [
    path("", views.guide_index, name="index"),
    path("self-test/", views.guide_selftest, name="selftest"),
]
