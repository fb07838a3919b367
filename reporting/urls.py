from django.urls import path

from reporting import assessment_views, export_views, register_exports, views

app_name = "reporting"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("<int:pk>/", views.run_detail, name="run"),
    path("<int:pk>/download/", views.run_download, name="download"),
    path("<int:pk>/rebuild/", views.run_retry, name="retry"),
    path("households/<int:pk>/card.pdf", views.household_card_pdf, name="card_pdf"),
    path("projects/<int:pk>/notice.pdf", views.project_notice_pdf, name="project_notice_pdf"),
    path("funds/<int:pk>/notice.pdf", views.fund_notice_pdf, name="fund_notice_pdf"),
    path("exports/households.xlsx", export_views.households_xlsx, name="export_households"),
    path("exports/plans.xlsx", export_views.plans_xlsx, name="export_plans"),
    path(
        "exports/villages/<int:pk>/register.xlsx",
        export_views.register_xlsx,
        name="export_register",
    ),
    path("exports/funds/<int:pk>/ledger.xlsx", export_views.ledger_xlsx, name="export_ledger"),
    path("exports/renovations.xlsx", register_exports.renovations_xlsx, name="export_renovations"),
    path("exports/rain-dew.xlsx", register_exports.students_xlsx, name="export_students"),
    path("exports/health-relief.xlsx", register_exports.reliefs_xlsx, name="export_reliefs"),
    path("exports/trainings.xlsx", register_exports.trainings_xlsx, name="export_trainings"),
    path("exports/dividends.xlsx", register_exports.dividends_xlsx, name="export_dividends"),
    path("assessment/", assessment_views.assessment_page, name="assessment"),
]
