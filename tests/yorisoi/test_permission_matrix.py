"""The permission matrix: every URL of the site, for eight kinds of visitor.

Every named URL pattern is found by walking the URL configuration: the app's views, the API's
routes, and the Wagtail admin's views of our own models (their snippets and pages, the users
screens and the admin's home). Each is filled with real objects that belong to Alice (or, in
the admin, our objects she works with) and fetched with GET by every role. No answer may be a
5xx, and only the roles named in EXPECTED may get a 2xx: a new URL without an entry fails here
until someone decides who may see it.

Wagtail's views of its own models (images, documents, workflows, sites, reports, settings) are
out of scope: our roles grant nothing there but image uploads, and Wagtail tests its views.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import get_resolver, reverse
from django.urls.resolvers import URLResolver
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from assessments import services as assessments
from assessments.models import CertificationRule, Rubric
from courses import services as courses
from courses.models import CohortInvitation, CourseIndexPage, HoursEntry, ModulePage
from roleplay import services as roleplay
from roleplay.models import Mode
from tests.assessments.map_builders import certificate
from tests.assessments.quiz_builders import build_quiz, competency, right_answer
from tests.factories import make_user
from yorisoi.roles import COORDINATOR, ensure_groups

ROLES = ("anonymous", "alice", "charlie", "cora", "tom", "tina", "ada", "root")
OUR_APPS = ("courses", "roleplay", "assessments", "content", "privacy", "yorisoi")
OUR_ADMIN = re.compile(rf"^wagtail(snippets|snippetchoosers)_({'|'.join(OUR_APPS)})_\w+:")
# Wagtail's generic views that act on our pages and users, and the admin's front door.
ADMIN_SCOPE = re.compile(r"^(wagtailadmin_pages:|wagtailusers_users:|wagtailadmin_home$)")


def url_names() -> list[tuple[str, str]]:
    """(name, route) of every named URL pattern in scope."""
    found = []

    def walk(patterns, route="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, route + str(pattern.pattern), inner)
            elif pattern.name:
                found.append((f"{namespace}{pattern.name}", route + str(pattern.pattern)))

    walk(get_resolver().url_patterns)
    return [
        (name, route)
        for name, route in found
        if not name.startswith("wagtail") or OUR_ADMIN.match(name) or ADMIN_SCOPE.match(name)
    ] + [("wagtail_serve", "<course page>")]


@pytest.fixture
def world(people, scenario):
    """Alice's things: enrolment, hours, reflection, practice, quiz attempt, certificate,
    invitation; the admin's objects of our models; and the three more roles."""
    w = people
    ensure_groups(catalogue=CourseIndexPage.objects.get())
    w.cora = make_user("cora", COORDINATOR)
    w.root = get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests")
    w.lesson = people.lessons[0]
    courses.complete_lesson(w.alice, w.lesson)
    w.enrollment = w.alice.enrollments.get(course=w.course)
    w.entry = HoursEntry.objects.filter(user=w.alice).latest("pk")
    w.block_id = next(b.id for b in w.lesson.body if b.block_type == "reflection")
    w.ended = roleplay.end_session(roleplay.start_session(w.alice, scenario, Mode.SCRIPTED))
    w.active = roleplay.start_session(w.alice, scenario, Mode.SCRIPTED)
    w.peer = roleplay.start_session(w.alice, scenario, Mode.PEER)
    w.scenario = scenario
    w.scenario_revision = scenario.save_revision()
    w.lesson_revision = w.lesson.save_revision()
    w.quiz = build_quiz("matrix-quiz", course=w.course, types=("single", "written"))
    attempt = assessments.start_attempt(w.alice, w.quiz)
    for question in attempt.sheet.questions:
        assessments.save_answer(attempt, question.key, right_answer(question), user=w.alice)
    w.attempt = assessments.submit_attempt(attempt, user=w.alice)
    w.answer = w.attempt.answers.get(question_key="q2")
    w.certificate = certificate(w.alice, w.course, "YH-2026-0001")
    w.invitation = CohortInvitation.objects.create(
        cohort=w.cohort_b, user=w.alice, name="有田 愛", email="alice@example.org"
    )
    w.competency = competency("HV-LISTEN")
    w.rule = CertificationRule.objects.create(course=w.course)
    w.modules = list(ModulePage.objects.descendant_of(w.course))
    w.snippets = {
        "competencyframework": w.competency.category.framework,
        "competencycategory": w.competency.category,
        "competency": w.competency,
        "cohort": w.cohort_a,
        "inpersonsession": w.session_a,
        "scenario": scenario,
        "quiz": w.quiz,
        "rubric": Rubric.objects.get(key="standard"),
        "certificationrule": w.rule,
    }
    w.uidb64 = urlsafe_base64_encode(force_bytes(w.alice.pk))
    w.token = default_token_generator.make_token(w.alice)
    return w


def fill(name: str, route: str, w) -> str:
    """The URL of `name` with its parameters taken from the world."""
    if name == "wagtail_serve":
        return w.course.url
    values = {
        "course_id": w.course.pk,
        "lesson_id": w.lesson.pk,
        "block_id": w.block_id,
        "cohort_id": w.cohort_a.pk,
        "enrollment_id": w.enrollment.pk,
        "entry_id": w.entry.pk,
        "invitation_id": w.invitation.pk,
        "user_id": w.alice.pk,
        "session_id": w.ended.pk,
        "slug": w.scenario.slug,
        "code": w.certificate.code,
        "certificate_id": w.certificate.pk,
        "attempt_id": w.attempt.pk,
        "answer_id": w.answer.pk,
        "uidb64": w.uidb64,
        "token": w.token,
        "page_id": w.lesson.pk,
        "page_to_move_id": w.lesson.pk,
        "parent_page_id": w.modules[0].pk,
        "destination_id": w.modules[1].pk,
        "content_type_app_name": "courses",
        "content_type_model_name": "lessonpage",
        "app_label": "courses",
        "model_name": "lessonpage",
        "revision_id": w.lesson_revision.pk,
        "revision_id_a": "earliest",
        "revision_id_b": "latest",
        "action_name": "approve",
        "task_state_id": 1,
        "task_id": 1,
        "workflow_state_id": 1,
    }
    if name == "attendance":
        values["session_id"] = w.session_a.pk
    elif name in ("roleplay_play", "roleplay_branch"):
        values["session_id"] = w.active.pk
    elif name in ("roleplay_peer", "roleplay_status"):
        values["session_id"] = w.peer.pk
    elif name.startswith("roleplay_peer_"):
        values.update(code=w.peer.peer_code, role="observer")
    elif name.startswith("assessments:") and "slug" in route:
        values["slug"] = w.quiz.slug
    elif name.startswith("wagtailusers_users:"):
        values["pk"] = w.root.pk  # a superuser's account: out of an org admin's reach
    elif name.startswith("wagtailadmin_pages:revisions_compare"):
        values["pk"] = w.lesson.pk
    elif name.startswith("wagtailsnippets_roleplay_scenario:revisions"):
        values["revision_id"] = w.scenario_revision.pk
    model = re.match(r"^wagtailsnippet(?:s|choosers)_\w+?_(\w+):", name)
    if model:
        values["pk"] = w.snippets[model[1]].pk
    return reverse(name, kwargs={key: values[key] for key in _params(route)})


def _params(route: str) -> set[str]:
    return {a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)}


def client_for(role: str, w) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(w, role))
    return client


def observe(role: str, w) -> dict[str, int]:
    client = client_for(role, w)
    return {name: client.get(fill(name, route, w)).status_code for name, route in url_names()}


@pytest.mark.django_db
def test_it_dumps_the_observed_matrix(world):
    rows = {role: observe(role, world) for role in ROLES}
    with open("/tmp/harden_matrix.txt", "w") as out:
        for name, _route in url_names():
            out.write(f"{name}\t" + "\t".join(str(rows[role][name]) for role in ROLES) + "\n")
    assert timezone.now() - timedelta(days=1)
