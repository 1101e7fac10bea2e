from django.urls import path

from . import views

app_name = "onboarding"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_new_supplier, name="request_new"),
    path("new/<int:entry_pk>/", views.request_from_catalogue, name="request_catalogue"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/details/", views.request_edit_details, name="details"),
    path("<int:pk>/activate/", views.request_activate, name="activate"),
    path("<int:pk>/hold/", views.request_hold, name="hold"),
    path("<int:pk>/add-to-catalogue/", views.add_to_catalogue, name="add_to_catalogue"),
    path("<int:pk>/cancel/", views.request_cancel, name="cancel"),
    path("<int:pk>/steps/<int:step_pk>/roundtrip/", views.roundtrip_start, name="roundtrip_start"),
    path("<int:pk>/steps/<int:step_pk>/record-report/", views.roundtrip_record, name="roundtrip_record"),
    path("<int:pk>/steps/<int:step_pk>/<str:action>/", views.step_action, name="step_action"),
    path("staff/", views.staff_queue, name="staff_queue"),
    path("staff/<int:pk>/", views.staff_open, name="staff_open"),
    path("billing/", views.billing, name="billing"),
]
