from django.urls import include, path

from . import views

app_name = "punchout"

urlpatterns = [
    path("start/<int:supplier_id>/", views.start, name="start"),
    path("return/<str:token>/", views.return_, name="return"),
    path("result/<uuid:session_id>/", views.result, name="result"),
    path("returns/<str:reference>/", views.return_detail, name="return_detail"),
    path("test/", include("ocilink.punchout.test_urls")),
]
