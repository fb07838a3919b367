from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TownshipConfig(AppConfig):
    name = "township"
    verbose_name = _("Places and people")

    def ready(self) -> None:
        from township import throttling  # noqa: F401 (connects the lockout log)
