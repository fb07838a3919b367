from django.urls import path

from households import village_views, workflow_views

app_name = "villages"

urlpatterns = [
    path("", village_views.village_list, name="list"),
    path("exit/", village_views.village_exit, name="exit"),
    path("<int:pk>/register/", village_views.village_register, name="register"),
    path("<int:pk>/approve-exits/", workflow_views.village_bulk_review, name="bulk_review"),
]
