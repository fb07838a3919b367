from django.urls import path

from assistance.views import funds, loans, pairings, plans, projects

app_name = "assistance"

urlpatterns = [
    path("pairings/", pairings.workload, name="workload"),
    path("households/<int:pk>/pair/", pairings.pair, name="pair"),
    path("cadres/<int:pk>/reassign/", pairings.bulk_reassign, name="reassign"),
    path("measures/", plans.measure_catalogue, name="measures"),
    path("measures/new/", plans.measure_edit, name="measure_create"),
    path("measures/<int:pk>/edit/", plans.measure_edit, name="measure_edit"),
    path("households/<int:pk>/plans/new/", plans.plan_create, name="plan_create"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan"),
    path("plans/<int:pk>/items/new/", plans.item_create, name="item_create"),
    path("items/<int:pk>/deliver/", plans.item_deliver, name="item_deliver"),
    path("items/<int:pk>/cancel/", plans.item_cancel, name="item_cancel"),
    path("deliveries/<int:pk>/evidence/", plans.delivery_evidence, name="evidence"),
    path("projects/", projects.project_list, name="projects"),
    path("projects/new/", projects.project_create, name="project_create"),
    path("projects/<int:pk>/", projects.project_detail, name="project"),
    path("projects/<int:pk>/advance/", projects.project_advance, name="project_advance"),
    path("projects/<int:pk>/beneficiaries/new/", projects.beneficiary_add, name="beneficiary_add"),
    path("projects/<int:pk>/notice/", projects.project_notice, name="project_notice"),
    path("projects/<int:pk>/documents/new/", projects.document_add, name="project_document_add"),
    path("project-documents/<int:pk>/", projects.document_file, name="project_document"),
    path(
        "projects/<int:pk>/evaluations/new/", projects.evaluation_add, name="project_evaluation_add"
    ),
    path("funds/", funds.fund_list, name="funds"),
    path("funds/new/", funds.fund_create, name="fund_create"),
    path("funds/<int:pk>/", funds.fund_detail, name="fund"),
    path("funds/<int:pk>/entries/new/", funds.entry_create, name="entry_create"),
    path("funds/<int:pk>/entries/items/", funds.entry_item_options, name="entry_item_options"),
    path("funds/<int:pk>/notice/", funds.fund_notice, name="fund_notice"),
    path("entries/<int:pk>/reverse/", funds.entry_reverse, name="entry_reverse"),
    path("loans/", loans.loan_list, name="loans"),
    path("loans/new/", loans.loan_create, name="loan_create"),
    path("loans/<int:pk>/", loans.loan_detail, name="loan"),
    path("loans/<int:pk>/repayments/", loans.repayment_paid, name="repayment_paid"),
    path("loans/<int:pk>/allocate/", loans.loan_allocate, name="loan_allocate"),
    path("loans/<int:pk>/subsidy/", loans.loan_subsidise, name="loan_subsidise"),
    path("loans/<int:pk>/compensate/", loans.loan_compensate, name="loan_compensate"),
    path("loans/<int:pk>/write-off/", loans.loan_write_off, name="loan_write_off"),
    path("villages/<int:pk>/loan-notice/", loans.loan_notice, name="loan_notice"),
]
