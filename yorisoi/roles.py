"""Roles are Django groups; every permission decision on the server goes through here."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models import Aggregate, JSONField

TRAINEE = "受講者"
COORDINATOR = "コーディネーター"
TRAINER = "研修担当"
ORG_ADMIN = "管理者"
ALL_ROLES = (TRAINEE, COORDINATOR, TRAINER, ORG_ADMIN)

# Model permissions each role gets in the Wagtail admin, as "app_label.codename".
ROLE_PERMISSIONS = {
    TRAINEE: [],
    COORDINATOR: [],
    TRAINER: [
        "wagtailadmin.access_admin",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "courses.add_competency",
        "courses.change_competency",
        "courses.view_competency",
        "courses.view_competencyframework",
        "courses.view_competencycategory",
        "courses.add_cohort",
        "courses.change_cohort",
        "courses.view_cohort",
        "courses.add_inpersonsession",
        "courses.change_inpersonsession",
        "courses.view_inpersonsession",
        "roleplay.add_scenario",
        "roleplay.change_scenario",
        "roleplay.view_scenario",
        "roleplay.publish_scenario",
        "assessments.add_quiz",
        "assessments.change_quiz",
        "assessments.view_quiz",
        "assessments.add_certificationrule",
        "assessments.change_certificationrule",
        "assessments.view_certificationrule",
    ],
}
# Org admins hold every trainer permission plus user management.
ROLE_PERMISSIONS[ORG_ADMIN] = ROLE_PERMISSIONS[TRAINER] + [
    "auth.add_user",
    "auth.change_user",
    "auth.view_user",
    "courses.add_competencyframework",
    "courses.change_competencyframework",
    "courses.add_competencycategory",
    "courses.change_competencycategory",
    "courses.delete_cohort",
    "courses.delete_inpersonsession",
    "roleplay.delete_scenario",
    "assessments.delete_quiz",
    "assessments.delete_certificationrule",
]
PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]


def role_names(user) -> frozenset[str]:
    """The user's role names, cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_yorisoi_roles"):
        user._yorisoi_roles = frozenset(user.groups.values_list("name", flat=True))
    return user._yorisoi_roles


class _JSONList(Aggregate):
    """The values of a to-many relation as one JSON array ([null] when there are none)."""

    function = "JSON_GROUP_ARRAY"  # SQLite
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


class RolesBackend(ModelBackend):
    """Django's ModelBackend, but the signed-in user of a request arrives with their role
    names, read in the same query. Every signed-in request asks for them (whether two-step
    sign-in is owed depends on the role), and a query of their own was a round trip to the
    database on every page and every role-play turn."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.annotate(_roles_read=_JSONList("groups__name"))
        user = users.filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        user._yorisoi_roles = frozenset(name for name in user._roles_read if name)
        return user


def is_org_admin(user) -> bool:
    return user.is_authenticated and (user.is_superuser or ORG_ADMIN in role_names(user))


def is_trainer(user) -> bool:
    """Trainers and org admins run cohorts; org admins see all of them."""
    return is_org_admin(user) or TRAINER in role_names(user)


def ensure_groups(catalogue=None) -> None:
    """Create the role groups with their permissions; idempotent.

    With a catalogue page, trainers and admins may also author every page below it.
    """
    from wagtail.models import GroupPagePermission

    for name in ALL_ROLES:
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for dotted in ROLE_PERMISSIONS.get(name, []):
            app_label, codename = dotted.split(".")
            wanted.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.add(*wanted)
        if catalogue is not None and name in (TRAINER, ORG_ADMIN):
            for codename in PAGE_PERMISSIONS:
                GroupPagePermission.objects.get_or_create(
                    group=group,
                    page=catalogue,
                    permission=Permission.objects.get(
                        content_type__app_label="wagtailcore", codename=codename
                    ),
                )
    adopt_wagtail_moderation()


# What Wagtail's own migrations install: a moderation workflow, its one task, approved by a
# "Moderators" group, and an "Editors" group. Recognised by these names, which only Wagtail uses.
WAGTAIL_WORKFLOW = "Moderators approval"
WAGTAIL_GROUPS = ("Moderators", "Editors")
REVIEW_WORKFLOW = "公開前の確認"
REVIEW_TASK = "研修担当による確認"


def adopt_wagtail_moderation() -> None:
    """Make Wagtail's default moderation ours; idempotent.

    The default workflow (on the root page, so on every page) was named in English and
    approved by a group nobody belongs to here, so a page submitted for review in the Japanese
    editor waited for no one. It becomes a review by trainers and org admins, in Japanese.
    Wagtail's two default groups, which grant page rights outside our roles, go when nobody is
    in them. Anything an administrator has renamed or filled is left as it is."""
    from wagtail.models import GroupApprovalTask, Workflow

    reviewers = Group.objects.filter(name__in=(TRAINER, ORG_ADMIN))
    for task in GroupApprovalTask.objects.filter(name=WAGTAIL_WORKFLOW):
        task.name = REVIEW_TASK
        task.save(update_fields=["name"])
        task.groups.set(reviewers)
    Workflow.objects.filter(name=WAGTAIL_WORKFLOW).update(name=REVIEW_WORKFLOW)
    Group.objects.filter(name__in=WAGTAIL_GROUPS, user__isnull=True).delete()


def context_processor(request):
    user = request.user
    return {
        "is_trainer": is_trainer(user),
        "is_org_admin": is_org_admin(user),
        "is_coordinator": COORDINATOR in role_names(user),
    }
