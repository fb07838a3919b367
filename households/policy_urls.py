from django.urls import path

from households import policy_views

app_name = "policy"

urlpatterns = [
    path("", policy_views.policy_index, name="index"),
    path("line/", policy_views.policy_line, name="line"),
    path("conditions/new/", policy_views.policy_criterion_add, name="criterion_add"),
    path("townships/<int:pk>/", policy_views.policy_township, name="township"),
    path("start/", policy_views.policy_year_start, name="start"),
]
