from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        _names_family_first()


def _names_family_first():
    """Django and Wagtail (user listings, choosers, the audit log) name people through
    get_full_name, which puts the given name first; Japanese names read 佐藤 花子."""
    from django.contrib.auth import get_user_model

    from .services import family_name_first

    get_user_model().get_full_name = family_name_first
