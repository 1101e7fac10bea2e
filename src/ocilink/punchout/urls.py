from django.urls import path

from . import trial_views, views

app_name = "punchout"

urlpatterns = [
    path("start/<int:supplier_id>/", views.start, name="start"),
    path("return/<str:token>/", views.return_, name="return"),
    path("result/<uuid:session_id>/", views.result, name="result"),
    path("returns/<str:reference>/", views.return_detail, name="return_detail"),
    # The pages of a trial (the roundtrip test of a connection, the supplier self-test); it returns to "return".
    path("test/<uuid:test_id>/start/", trial_views.start, name="test_start"),
    path("test/<uuid:test_id>/", trial_views.report, name="test_report"),
]
