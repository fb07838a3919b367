from django.urls import path

from assistance.views import village as v

app_name = "villagework"

urlpatterns = [
    path("<int:pk>/plan/", v.village_plan, name="plan"),
    path("<int:pk>/plan/edit/", v.plan_edit, name="plan_edit"),
    path("<int:pk>/plan/library/new/", v.library_add, name="library_add"),
    path("library/<int:pk>/promote/", v.library_promote, name="library_promote"),
    path("<int:pk>/mutual-aid/", v.mutual_aid, name="mutual_aid"),
    path("<int:pk>/mutual-aid/setup/", v.mutual_aid_setup, name="mutual_aid_setup"),
    path("<int:pk>/mutual-aid/members/new/", v.mutual_aid_member, name="mutual_aid_member"),
    path("<int:pk>/mutual-aid/entries/new/", v.mutual_aid_entry, name="mutual_aid_entry"),
    path("mutual-aid/entries/<int:pk>/reverse/", v.mutual_aid_reverse, name="mutual_aid_reverse"),
    path("<int:pk>/attendance/", v.attendance, name="attendance"),
    path("<int:pk>/attendance/log/", v.attendance_log, name="attendance_log"),
]
