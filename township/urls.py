from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from township import views
from township.forms import LoginForm

admin.site.site_header = _("Bangfu administration")
admin.site.site_title = _("Bangfu")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("sw.js", views.service_worker, name="service_worker"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/setlang/", set_language, name="set_language"),
    path("people/", include("township.people_urls")),
    path("units/", include("township.unit_urls")),
    path("policy/", include("households.policy_urls")),
    path("households/", include("households.urls")),
    path("villages/", include("households.village_urls")),
    path("assistance/", include("assistance.urls")),
    path("registers/", include("assistance.register_urls")),
    path("villages/", include("assistance.village_urls")),
    path("reports/", include("reporting.urls")),
    path("admin/", admin.site.urls),
]
