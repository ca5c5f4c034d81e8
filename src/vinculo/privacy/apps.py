from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "vinculo.privacy"
    label = "privacy"
    verbose_name = "Privacy (LGPD)"

    def ready(self) -> None:
        # Registers the bin purge schedule and the ``person.erased`` event type.
        from vinculo.core import record_views, settings_pages
        from vinculo.privacy import events, tasks  # noqa: F401
        from vinculo.privacy.services import log_person_view

        # The opt-in access log: who viewed a person's page or read the person through the API.
        record_views.register("person", "privacy.access_log", log_person_view)

        # The privacy screen joins the Settings sections (owners and admins see it).
        if not any(s[0] == "privacy" for s in settings_pages.SECTIONS):
            settings_pages.SECTIONS.append(
                (
                    "privacy",
                    "privacy:settings",
                    _("Privacy (LGPD)"),
                    "privacy.manage",
                    "privacy.manage",
                    _("Data-subject requests, bin retention and the access log."),
                )
            )
