from django.urls import path

from township import unit_views

app_name = "units"

urlpatterns = [
    path("", unit_views.unit_list, name="list"),
    path("new/", unit_views.unit_create, name="create"),
    path("<int:pk>/", unit_views.unit_detail, name="detail"),
    path("<int:pk>/edit/", unit_views.unit_edit, name="edit"),
    path("<int:pk>/report/", unit_views.unit_report, name="report"),
]
