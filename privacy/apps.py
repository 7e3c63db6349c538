from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Each app declares its own personal data next to its models (`personal_data.py`),
        # so no app imports another to be covered.
        autodiscover_modules("personal_data")
