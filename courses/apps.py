from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_groups(sender, **kwargs):
    from yorisoi.roles import ensure_groups

    from .models import CourseIndexPage

    ensure_groups(catalogue=CourseIndexPage.objects.first())


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.apps import apps

        # auth is listed after the Wagtail apps, so by the time its post_migrate fires every
        # permission the roles refer to exists.
        post_migrate.connect(_ensure_groups, sender=apps.get_app_config("auth"))
