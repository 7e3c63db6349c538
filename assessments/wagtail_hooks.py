from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from yorisoi.roles import is_trainer

from .models import Quiz


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "tasks"
    menu_label = _("Quizzes and exams")
    menu_order = 220
    add_to_admin_menu = True
    list_display = ["title", "kind", "course", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["title", "slug"]


register_snippet(QuizViewSet)


class TrainerMenuItem(MenuItem):
    def is_shown(self, request):
        return is_trainer(request.user)


# The sidebar shows about ten Japanese characters: the short names of the site menu fit there.
@hooks.register("register_admin_menu_item")
def register_grading_link():
    return TrainerMenuItem(
        _("Grading"), reverse("assessments:grading"), icon_name="edit", order=160
    )


@hooks.register("register_admin_menu_item")
def register_review_link():
    return TrainerMenuItem(
        _("Reviews"), reverse("assessments:reviews"), icon_name="user", order=170
    )


# Every action assessments records in Wagtail's audit log: (action, label, past-tense message).
LOG_ACTIONS = [
    ("assessments.attempt.start", _("Start a quiz attempt"), _("Quiz attempt started")),
    ("assessments.attempt.submit", _("Submit a quiz attempt"), _("Quiz attempt submitted")),
    ("assessments.answer.grade", _("Grade a written answer"), _("Written answer graded")),
    ("assessments.review.record", _("Review a role-play"), _("Role-play reviewed by a trainer")),
    (
        "assessments.review.comment",
        _("Comment on a role-play turn"),
        _("Trainer's note on a role-play turn added"),
    ),
    ("assessments.certificate.issue", _("Issue a certificate"), _("Certificate issued")),
    ("assessments.certificate.renew", _("Renew a certificate"), _("Certificate renewed")),
    ("assessments.certificate.revoke", _("Revoke a certificate"), _("Certificate revoked")),
]


@hooks.register("register_log_actions")
def register_log_actions(actions):
    for action, label, message in LOG_ACTIONS:
        actions.register_action(action, label, message)


@hooks.register("yorisoi_course_links")
def course_links(request, course):
    """The learner home's links for one course: its final exam and what certification needs."""
    from .models import CertificationRule
    from .services import course_exam

    links = []
    exam = course_exam(course)
    if exam is not None:
        links.append((_("Final exam"), reverse("assessments:quiz", args=[exam.slug])))
    if CertificationRule.objects.filter(course=course).exists():
        url = reverse("assessments:my_certification", args=[course.pk])
        links.append((_("Certification conditions"), url))
    return links


@hooks.register("yorisoi_cohort_links")
def cohort_links(request, cohort):
    """The cohort dashboard's links to certificates and the cohort's competency map."""
    return [
        (_("Certificates"), reverse("assessments:cohort_certificates", args=[cohort.pk])),
        (_("Competency map"), reverse("assessments:cohort_competencies", args=[cohort.pk])),
    ]
