from django.urls import path

from township import people_views

app_name = "people"

urlpatterns = [
    path("", people_views.people_list, name="list"),
    path("new/", people_views.person_create, name="create"),
    path("<int:pk>/", people_views.person_detail, name="detail"),
    path("<int:pk>/edit/", people_views.person_edit, name="edit"),
    path("<int:pk>/password-reset/", people_views.person_password_reset, name="password_reset"),
    path("<int:pk>/active/", people_views.person_active, name="active"),
]
