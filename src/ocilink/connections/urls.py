from django.urls import path

from . import views

app_name = "connections"

urlpatterns = [
    path("credentials/", views.credentials_index, name="credentials_index"),
    path("<int:connection_id>/credentials/", views.credentials, name="credentials"),
    path("<int:connection_id>/credential-request/", views.credential_request, name="credential_request"),
    path(
        "<int:connection_id>/credential-request/addresses.xlsx",
        views.credential_request_sheet,
        name="credential_request_sheet",
    ),
    path(
        "<int:connection_id>/credential-request/upload/", views.credential_sheet_upload, name="credential_sheet_upload"
    ),
]
