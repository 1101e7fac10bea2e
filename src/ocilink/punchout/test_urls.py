"""URLs of the test punchout, named ``test_start``, ``test_return`` and ``test_report``.

They belong in the ``punchout`` namespace (``punchout:test_start`` …), so this module has no ``app_name`` of its
own: include it from ``punchout/urls.py`` as ``path("test/", include("ocilink.punchout.test_urls"))``. (A second
root include with ``app_name = "punchout"`` would clash with the first: Django keeps one resolver per namespace.)
"""

from django.urls import path

from . import test_views

urlpatterns = [
    path("<uuid:test_id>/start/", test_views.start, name="test_start"),
    path("return/<str:token>/", test_views.return_, name="test_return"),
    path("<uuid:test_id>/", test_views.report, name="test_report"),
]
