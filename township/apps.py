from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TownshipConfig(AppConfig):
    name = "township"
    verbose_name = _("Places and people")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from township import throttling  # noqa: F401 (connects the lockout log)
        from township.middleware import session_refreshed_at_login

        user_logged_in.connect(session_refreshed_at_login, dispatch_uid="session-refreshed")
