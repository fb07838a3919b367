from django.urls import path

from households import import_views, monitoring_views, views, workflow_views

app_name = "households"

urlpatterns = [
    path("", views.household_list, name="list"),
    path("new/", views.household_create, name="create"),
    path("find-by-id/", views.household_find_by_id, name="find_by_id"),
    path("mine/", views.my_households, name="mine"),
    path("visits/", views.visit_list_all, name="visit_list"),
    path("cadres/options/", views.cadre_options, name="cadre_options"),
    path("visits/visitors/options/", views.visitor_options, name="visitor_options"),
    path("<int:pk>/", views.household_detail, name="detail"),
    path("<int:pk>/edit/", views.household_edit, name="edit"),
    path("<int:pk>/exit-date/", views.exit_date_correct, name="exit_date"),
    path("<int:pk>/income/new/", views.income_edit, name="income_create"),
    path("<int:pk>/income/<int:year>/", views.income_edit, name="income_edit"),
    path("<int:pk>/visits/", views.visit_list, name="visits"),
    path("<int:pk>/history/", views.household_history, name="history"),
    path("<int:pk>/registers/", views.household_registers, name="registers"),
    path("<int:pk>/monitoring/", views.household_monitoring, name="card_monitoring"),
    path("<int:pk>/visits/new/", views.visit_create, name="visit_create"),
    path("photos/<int:pk>/", views.visit_photo, name="photo"),
    path("visits/<int:pk>/photos/new/", views.visit_photos_add, name="visit_photos_add"),
    path(
        "<int:pk>/workflow/<slug:kind>/start/", workflow_views.workflow_start, name="workflow_start"
    ),
    path("cases/<int:pk>/advance/", workflow_views.workflow_advance, name="workflow_advance"),
    path("cases/<int:pk>/reject/", workflow_views.workflow_reject, name="workflow_reject"),
    path("cases/<int:pk>/notice-date/", workflow_views.notice_correct, name="notice_correct"),
    path(
        "cases/<int:pk>/objections/new/", workflow_views.objection_record, name="objection_record"
    ),
    path("objections/<int:pk>/answer/", workflow_views.objection_resolve, name="objection_resolve"),
    path("<int:pk>/removal/", views.removal_propose, name="removal_propose"),
    path("removals/<int:pk>/decide/", views.removal_decide, name="removal_decide"),
    path("monitoring/", monitoring_views.monitoring_list, name="monitoring"),
    path("monitoring/<int:pk>/return/", monitoring_views.return_propose, name="return_propose"),
    path(
        "monitoring/<int:pk>/return/decide/",
        monitoring_views.return_decide,
        name="return_decide",
    ),
    path(
        "monitoring/<int:pk>/advance/",
        monitoring_views.monitoring_advance,
        name="monitoring_advance",
    ),
    path("<int:pk>/monitoring/open/", monitoring_views.monitoring_open, name="monitoring_open"),
    path("<int:pk>/hardships/new/", monitoring_views.hardship_record, name="hardship_record"),
    path("imports/", import_views.import_list, name="imports"),
    path("imports/template.xlsx", import_views.import_template, name="import_template"),
    path("imports/<int:pk>/", import_views.import_detail, name="import"),
    path("imports/<int:pk>/apply/", import_views.import_apply, name="import_apply"),
]
