"""The roles are project wiring: every migrate leaves the role groups and their permissions."""

from django.contrib.auth.models import Group
from django.core.management.sql import emit_post_migrate_signal

from courses.models import CourseIndexPage
from yorisoi.roles import ALL_ROLES, TRAINER


def test_it_recreates_the_role_groups_after_migrate(course):
    Group.objects.all().delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert set(Group.objects.values_list("name", flat=True)) >= set(ALL_ROLES)
    trainers = Group.objects.get(name=TRAINER)
    assert trainers.permissions.filter(codename="change_scenario").exists()
    catalogue = CourseIndexPage.objects.get()
    assert trainers.page_permissions.filter(page=catalogue).exists()
