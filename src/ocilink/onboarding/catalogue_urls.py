from django.urls import path

from . import catalogue_views

app_name = "catalogue"

urlpatterns = [
    path("", catalogue_views.browse, name="browse"),
    path("manage/", catalogue_views.manage_list, name="manage"),
    path("manage/new/", catalogue_views.entry_create, name="create"),
    path("manage/<int:pk>/", catalogue_views.entry_edit, name="edit"),
]
