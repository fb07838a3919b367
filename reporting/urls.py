from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("<int:pk>/", views.run_detail, name="run"),
    path("<int:pk>/download/", views.run_download, name="download"),
    path("<int:pk>/rebuild/", views.run_retry, name="retry"),
]
