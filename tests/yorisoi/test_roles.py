"""The roles are project wiring: every migrate leaves the role groups and their permissions."""

from django.contrib.auth.models import Group
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import GroupApprovalTask, Workflow, WorkflowTask

from courses.models import CourseIndexPage, LessonPage
from yorisoi.roles import (
    ALL_ROLES,
    ORG_ADMIN,
    REVIEW_TASK,
    REVIEW_WORKFLOW,
    TRAINER,
    WAGTAIL_WORKFLOW,
    RolesBackend,
    ensure_groups,
    is_trainer,
    role_names,
)


def test_it_recreates_the_role_groups_after_migrate(course):
    Group.objects.all().delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert set(Group.objects.values_list("name", flat=True)) >= set(ALL_ROLES)
    trainers = Group.objects.get(name=TRAINER)
    assert trainers.permissions.filter(codename="change_scenario").exists()
    catalogue = CourseIndexPage.objects.get()
    assert trainers.page_permissions.filter(page=catalogue).exists()


def wagtail_defaults():
    """The moderation Wagtail's migrations install: its workflow and task, its two groups."""
    moderators = Group.objects.create(name="Moderators")
    Group.objects.create(name="Editors")
    task = GroupApprovalTask.objects.create(name=WAGTAIL_WORKFLOW)
    task.groups.set([moderators])
    workflow = Workflow.objects.create(name=WAGTAIL_WORKFLOW)
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow, task


def test_it_makes_wagtail_s_default_moderation_a_review_by_trainers_in_japanese(people):
    workflow, task = wagtail_defaults()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    workflow.refresh_from_db()
    task = GroupApprovalTask.objects.get(pk=task.pk)
    assert (workflow.name, task.name) == (REVIEW_WORKFLOW, REVIEW_TASK)
    assert set(task.groups.values_list("name", flat=True)) == {TRAINER, ORG_ADMIN}
    assert not Group.objects.filter(name__in=["Moderators", "Editors"]).exists()
    # A lesson one trainer sends for review can be approved by another, not by a trainee.
    lesson = LessonPage.objects.first()
    assert [a[0] for a in task.get_actions(lesson, people.tina)][-1] == "approve"
    assert task.get_actions(lesson, people.ada)
    assert task.get_actions(lesson, people.alice) == []


def test_it_leaves_a_default_group_with_members_and_a_workflow_an_admin_renamed(people):
    workflow, task = wagtail_defaults()
    Workflow.objects.filter(pk=workflow.pk).update(name="理事会の承認")
    people.ada.groups.add(Group.objects.get(name="Moderators"))
    ensure_groups()
    workflow.refresh_from_db()
    assert workflow.name == "理事会の承認"
    assert set(
        Group.objects.filter(name__in=["Moderators", "Editors"]).values_list("name", flat=True)
    ) == {"Moderators"}


def test_it_reads_the_signed_in_user_with_their_roles_in_one_query(people):
    with CaptureQueriesContext(connection) as captured:
        user = RolesBackend().get_user(people.tom.pk)
        assert is_trainer(user) and role_names(user) == {TRAINER}
    assert len(captured.captured_queries) == 1
    people.alice.groups.clear()
    assert role_names(RolesBackend().get_user(people.alice.pk)) == frozenset()


def test_it_signs_out_a_deactivated_or_deleted_account(people):
    people.alice.is_active = False
    people.alice.save()
    assert RolesBackend().get_user(people.alice.pk) is None
    assert RolesBackend().get_user(10**9) is None


def test_it_sees_a_role_given_or_taken_at_the_next_request(client, people):
    """Roles are read with the user on every request, never kept between requests."""
    client.force_login(people.alice)
    assert client.get(reverse("trainer_cohorts")).status_code == 403
    people.alice.groups.add(Group.objects.get(name=TRAINER))
    # A trainer owes the second sign-in step, which this session has not taken.
    assert client.get(reverse("trainer_cohorts")).url.startswith(reverse("two_factor_setup"))
    people.alice.groups.remove(Group.objects.get(name=TRAINER))
    assert client.get(reverse("trainer_cohorts")).status_code == 403
