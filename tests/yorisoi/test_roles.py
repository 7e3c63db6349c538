"""The roles are project wiring: every migrate leaves the role groups and their permissions."""

from django.contrib.auth.models import Group
from django.core.management.sql import emit_post_migrate_signal
from wagtail.models import GroupApprovalTask, Workflow, WorkflowTask

from courses.models import CourseIndexPage, LessonPage
from yorisoi.roles import (
    ALL_ROLES,
    ORG_ADMIN,
    REVIEW_TASK,
    REVIEW_WORKFLOW,
    TRAINER,
    WAGTAIL_WORKFLOW,
    ensure_groups,
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
