from django.apps import AppConfig, apps
from django.contrib.auth.signals import user_logged_in
from django.core.management import call_command
from django.db.models.signals import post_migrate
from wagtail.users import apps as wagtail_users_apps


def _ensure_groups(sender, **kwargs):
    """The roles (groups and their permissions) after every migrate, with page permissions
    below the course catalogue once there is one."""
    from courses.models import CourseIndexPage

    from .roles import ensure_groups

    ensure_groups(catalogue=CourseIndexPage.objects.first())


def _ensure_cache_tables(sender, using, **kwargs):
    """The login throttle keeps its counters in a database cache table (settings.CACHES), made
    with every migrate so that no deployment step can forget it."""
    call_command("createcachetable", database=using, verbosity=0)


class YorisoiConfig(AppConfig):
    """The project's own wiring: roles are the site's, not any one app's."""

    name = "yorisoi"
    verbose_name = "Yorisoi"

    def ready(self):
        # auth is listed after the Wagtail apps, so by the time its post_migrate fires every
        # permission the roles refer to exists.
        post_migrate.connect(_ensure_groups, sender=apps.get_app_config("auth"))
        post_migrate.connect(_ensure_cache_tables, sender=apps.get_app_config("auth"))
        from . import sites
        from .two_factor import mark_pending_at_login

        sites.connect()

        user_logged_in.connect(mark_pending_at_login, dispatch_uid="yorisoi_two_factor_pending")


class UsersAdminConfig(wagtail_users_apps.WagtailUsersAppConfig):
    """Wagtail's users app with our Users screens (superusers out of an org admin's reach)."""

    # Listed by its path in INSTALLED_APPS; "yorisoi" itself keeps YorisoiConfig.
    default = False
    user_viewset = "yorisoi.wagtail_hooks.UserViewSet"
