from django.urls import path

from . import views

app_name = "suppliers"

urlpatterns = [
    path("", views.supplier_list, name="list"),
    # The administrator's pages.
    path("manage/", views.supplier_admin_list, name="admin_list"),
    path("manage/new/", views.supplier_create, name="admin_create"),
    path("manage/<int:pk>/", views.supplier_edit, name="admin_edit"),
    path("manage/groups/", views.group_list, name="group_list"),
    path("manage/groups/new/", views.group_create, name="group_create"),
    path("manage/groups/<int:pk>/", views.group_edit, name="group_edit"),
    path("manage/groups/<int:pk>/delete/", views.group_delete, name="group_delete"),
    path("manage/categories/", views.category_list, name="category_list"),
    path("manage/categories/new/", views.category_create, name="category_create"),
    path("manage/categories/<int:pk>/", views.category_edit, name="category_edit"),
    path("manage/categories/<int:pk>/delete/", views.category_delete, name="category_delete"),
    path("manage/rights/", views.right_list, name="right_list"),
    path("manage/rights/new/", views.right_create, name="right_create"),
    path("manage/rights/<int:pk>/", views.right_edit, name="right_edit"),
    path("manage/rights/<int:pk>/delete/", views.right_delete, name="right_delete"),
    path("manage/visibility/", views.visibility, name="visibility"),
]
