from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/document/", views.order_document, name="document"),
    path("<int:pk>/attempts/<int:number>/<str:part>/", views.attempt_payload, name="attempt_payload"),
    path("<int:pk>/<str:action>/", views.order_action, name="action"),
]
