from django.urls import path

from assistance.views import registers as r

app_name = "registers"

urlpatterns = [
    path("renovations/", r.renovation_list, name="renovations"),
    path("renovations/new/", r.renovation_create, name="renovation_create"),
    path("renovations/<int:pk>/", r.renovation_detail, name="renovation"),
    path("renovations/<int:pk>/start/", r.renovation_start, name="renovation_start"),
    path("renovations/<int:pk>/accept/", r.renovation_accept, name="renovation_accept"),
    path("rain-dew/", r.student_list, name="students"),
    path("rain-dew/new/", r.student_create, name="student_create"),
    path("rain-dew/<int:pk>/", r.student_detail, name="student"),
    path("health-relief/", r.relief_list, name="reliefs"),
    path("health-relief/new/", r.relief_create, name="relief_create"),
    path("health-relief/<int:pk>/", r.relief_detail, name="relief"),
    path("trainings/", r.training_list, name="trainings"),
    path("trainings/new/", r.training_create, name="training_create"),
    path("trainings/<int:pk>/", r.training_detail, name="training"),
    path("trainings/<int:pk>/trainees/", r.attendance_add, name="attendance_add"),
    path("enterprises/", r.enterprise_list, name="enterprises"),
    path("enterprises/new/", r.enterprise_create, name="enterprise_create"),
    path("enterprises/<int:pk>/", r.enterprise_detail, name="enterprise"),
    path("enterprises/<int:pk>/contracts/new/", r.contract_create, name="contract_create"),
    path("contracts/<int:pk>/", r.contract_detail, name="contract"),
    path("contracts/<int:pk>/payments/new/", r.dividend_pay, name="dividend_pay"),
    path("items/<slug:register>/options/", r.item_options, name="item_options"),
    path("items/<int:pk>/allocate/", r.item_allocate, name="item_allocate"),
    path("items/<int:pk>/pay/", r.item_pay, name="item_pay"),
]
