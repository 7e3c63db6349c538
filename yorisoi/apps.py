from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _ensure_groups(sender, **kwargs):
    """The roles (groups and their permissions) after every migrate, with page permissions
    below the course catalogue once there is one."""
    from courses.models import CourseIndexPage

    from .roles import ensure_groups

    ensure_groups(catalogue=CourseIndexPage.objects.first())


class YorisoiConfig(AppConfig):
    """The project's own wiring: roles are the site's, not any one app's."""

    name = "yorisoi"
    verbose_name = "Yorisoi"

    def ready(self):
        # auth is listed after the Wagtail apps, so by the time its post_migrate fires every
        # permission the roles refer to exists.
        post_migrate.connect(_ensure_groups, sender=apps.get_app_config("auth"))
