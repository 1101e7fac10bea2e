from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.administration, name="administration"),
    path("choose/", views.choose_organization, name="choose_organization"),
    path("members/", views.member_list, name="member_list"),
    path("members/<int:pk>/", views.member_edit, name="member_edit"),
    path("cost-centres/", views.cost_centre_list, name="cost_centre_list"),
    path("cost-centres/new/", views.cost_centre_create_view, name="cost_centre_create"),
    path("cost-centres/<int:pk>/", views.cost_centre_edit, name="cost_centre_edit"),
    path("cost-centres/<int:pk>/deactivate/", views.cost_centre_deactivate_view, name="cost_centre_deactivate"),
    path("audit/", views.audit_list, name="audit_list"),
]
