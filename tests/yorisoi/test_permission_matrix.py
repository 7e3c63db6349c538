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

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import get_resolver, reverse
from django.urls.resolvers import URLResolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from assessments import badges
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
    badges.generate_key()  # the organisation's signing key, as `make demo` creates it
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
        "token": "spent-token",
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


NOBODY = frozenset()
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
ALICE = frozenset({"alice"})
ALICE_AND_HER_TRAINERS = frozenset({"alice", "tom", "ada", "root"})
TRAINERS = frozenset({"tom", "tina", "ada", "root"})
ALICES_TRAINERS = frozenset({"tom", "ada", "root"})
ADMINS = frozenset({"ada", "root"})
SUPERUSER = frozenset({"root"})

# Who gets a 2xx for a GET of each URL, filled with Alice's things; everyone else must get a
# redirect to sign in, a 403, a 404 or a 405 (a POST-only view).
EXPECTED = {
    "wagtailadmin_home": TRAINERS,
    # Trainers author every page under the catalogue (Wagtail: change includes deleting a
    # leaf page).
    "wagtailadmin_pages:add": TRAINERS,
    "wagtailadmin_pages:preview_on_add": TRAINERS,
    "wagtailadmin_pages:type_use": TRAINERS,
    "wagtailadmin_pages:choose_parent": TRAINERS,
    "wagtailadmin_pages:type_use_results": TRAINERS,
    "wagtailadmin_pages:usage": TRAINERS,
    "wagtailadmin_pages:edit": TRAINERS,
    "wagtailadmin_pages:preview_on_edit": TRAINERS,
    "wagtailadmin_pages:view_draft": TRAINERS,
    "wagtailadmin_pages:add_subpage": NOBODY,
    "wagtailadmin_pages:delete": TRAINERS,
    "wagtailadmin_pages:unpublish": TRAINERS,
    "wagtailadmin_pages:convert_alias": NOBODY,
    "wagtailadmin_pages:search": TRAINERS,
    "wagtailadmin_pages:search_results": TRAINERS,
    "wagtailadmin_pages:move": TRAINERS,
    "wagtailadmin_pages:move_confirm": TRAINERS,
    "wagtailadmin_pages:set_page_position": NOBODY,
    "wagtailadmin_pages:copy": TRAINERS,
    "wagtailadmin_pages:workflow_action": NOBODY,
    "wagtailadmin_pages:collect_workflow_action_data": NOBODY,
    "wagtailadmin_pages:confirm_workflow_cancellation": TRAINERS,
    "wagtailadmin_pages:workflow_preview": NOBODY,
    "wagtailadmin_pages:set_privacy": TRAINERS,
    "wagtailadmin_pages:lock": NOBODY,
    "wagtailadmin_pages:unlock": NOBODY,
    "wagtailadmin_pages:revisions_index": NOBODY,
    "wagtailadmin_pages:revisions_view": TRAINERS,
    "wagtailadmin_pages:revisions_revert": TRAINERS,
    "wagtailadmin_pages:revisions_unschedule": TRAINERS,
    "wagtailadmin_pages:revisions_compare": TRAINERS,
    "wagtailadmin_pages:workflow_history": TRAINERS,
    "wagtailadmin_pages:workflow_history_detail": NOBODY,
    "wagtailadmin_pages:history": TRAINERS,
    "wagtailadmin_pages:history_results": TRAINERS,
    "wagtailsnippets_assessments_rubric:list": SUPERUSER,
    "wagtailsnippets_assessments_rubric:list_results": SUPERUSER,
    "wagtailsnippets_assessments_rubric:add": SUPERUSER,
    "wagtailsnippets_assessments_rubric:edit": SUPERUSER,
    "wagtailsnippets_assessments_rubric:delete": SUPERUSER,
    "wagtailsnippets_assessments_rubric:usage": SUPERUSER,
    "wagtailsnippets_assessments_rubric:history": SUPERUSER,
    "wagtailsnippets_assessments_rubric:history_results": SUPERUSER,
    "wagtailsnippets_assessments_rubric:copy": SUPERUSER,
    # Wagtail's choosers need only admin access; rubric criteria are shown to learners in
    # every debrief, so listing them to authors reveals nothing.
    "wagtailsnippetchoosers_assessments_rubric:choose": TRAINERS,
    "wagtailsnippetchoosers_assessments_rubric:choose_results": TRAINERS,
    "wagtailsnippetchoosers_assessments_rubric:chosen": TRAINERS,
    "wagtailsnippetchoosers_assessments_rubric:chosen_multiple": TRAINERS,
    "wagtailsnippetchoosers_assessments_rubric:create": SUPERUSER,
    "wagtailsnippets_assessments_certificationrule:list": TRAINERS,
    "wagtailsnippets_assessments_certificationrule:list_results": TRAINERS,
    "wagtailsnippets_assessments_certificationrule:add": TRAINERS,
    "wagtailsnippets_assessments_certificationrule:edit": TRAINERS,
    "wagtailsnippets_assessments_certificationrule:delete": ADMINS,
    "wagtailsnippets_assessments_certificationrule:usage": TRAINERS,
    "wagtailsnippets_assessments_certificationrule:history": TRAINERS,
    "wagtailsnippets_assessments_certificationrule:history_results": TRAINERS,
    "wagtailsnippets_assessments_certificationrule:copy": TRAINERS,
    "wagtailsnippetchoosers_assessments_certificationrule:choose": TRAINERS,
    "wagtailsnippetchoosers_assessments_certificationrule:choose_results": TRAINERS,
    "wagtailsnippetchoosers_assessments_certificationrule:chosen": TRAINERS,
    "wagtailsnippetchoosers_assessments_certificationrule:chosen_multiple": TRAINERS,
    "wagtailsnippetchoosers_assessments_certificationrule:create": TRAINERS,
    "wagtailsnippets_courses_competencyframework:list": TRAINERS,
    "wagtailsnippets_courses_competencyframework:list_results": TRAINERS,
    "wagtailsnippets_courses_competencyframework:add": ADMINS,
    "wagtailsnippets_courses_competencyframework:edit": ADMINS,
    "wagtailsnippets_courses_competencyframework:delete": SUPERUSER,
    "wagtailsnippets_courses_competencyframework:usage": ADMINS,
    "wagtailsnippets_courses_competencyframework:history": ADMINS,
    "wagtailsnippets_courses_competencyframework:history_results": ADMINS,
    "wagtailsnippets_courses_competencyframework:copy": ADMINS,
    "wagtailsnippetchoosers_courses_competencyframework:choose": TRAINERS,
    "wagtailsnippetchoosers_courses_competencyframework:choose_results": TRAINERS,
    "wagtailsnippetchoosers_courses_competencyframework:chosen": TRAINERS,
    "wagtailsnippetchoosers_courses_competencyframework:chosen_multiple": TRAINERS,
    "wagtailsnippetchoosers_courses_competencyframework:create": ADMINS,
    "wagtailsnippets_courses_competencycategory:list": TRAINERS,
    "wagtailsnippets_courses_competencycategory:list_results": TRAINERS,
    "wagtailsnippets_courses_competencycategory:add": ADMINS,
    "wagtailsnippets_courses_competencycategory:edit": ADMINS,
    "wagtailsnippets_courses_competencycategory:delete": SUPERUSER,
    "wagtailsnippets_courses_competencycategory:usage": ADMINS,
    "wagtailsnippets_courses_competencycategory:history": ADMINS,
    "wagtailsnippets_courses_competencycategory:history_results": ADMINS,
    "wagtailsnippets_courses_competencycategory:copy": ADMINS,
    "wagtailsnippetchoosers_courses_competencycategory:choose": TRAINERS,
    "wagtailsnippetchoosers_courses_competencycategory:choose_results": TRAINERS,
    "wagtailsnippetchoosers_courses_competencycategory:chosen": TRAINERS,
    "wagtailsnippetchoosers_courses_competencycategory:chosen_multiple": TRAINERS,
    "wagtailsnippetchoosers_courses_competencycategory:create": ADMINS,
    "wagtailsnippets_courses_competency:list": TRAINERS,
    "wagtailsnippets_courses_competency:list_results": TRAINERS,
    "wagtailsnippets_courses_competency:add": TRAINERS,
    "wagtailsnippets_courses_competency:edit": TRAINERS,
    "wagtailsnippets_courses_competency:delete": SUPERUSER,
    "wagtailsnippets_courses_competency:usage": TRAINERS,
    "wagtailsnippets_courses_competency:history": TRAINERS,
    "wagtailsnippets_courses_competency:history_results": TRAINERS,
    "wagtailsnippets_courses_competency:copy": TRAINERS,
    "wagtailsnippetchoosers_courses_competency:choose": TRAINERS,
    "wagtailsnippetchoosers_courses_competency:choose_results": TRAINERS,
    "wagtailsnippetchoosers_courses_competency:chosen": TRAINERS,
    "wagtailsnippetchoosers_courses_competency:chosen_multiple": TRAINERS,
    "wagtailsnippetchoosers_courses_competency:create": TRAINERS,
    "wagtailsnippets_courses_cohort:list": TRAINERS,
    "wagtailsnippets_courses_cohort:list_results": TRAINERS,
    "wagtailsnippets_courses_cohort:add": TRAINERS,
    "wagtailsnippets_courses_cohort:edit": ALICES_TRAINERS,
    "wagtailsnippets_courses_cohort:delete": ADMINS,
    "wagtailsnippets_courses_cohort:usage": ALICES_TRAINERS,
    "wagtailsnippets_courses_cohort:history": ALICES_TRAINERS,
    "wagtailsnippets_courses_cohort:history_results": ALICES_TRAINERS,
    "wagtailsnippets_courses_cohort:copy": ALICES_TRAINERS,
    "wagtailsnippetchoosers_courses_cohort:choose": TRAINERS,
    "wagtailsnippetchoosers_courses_cohort:choose_results": TRAINERS,
    "wagtailsnippetchoosers_courses_cohort:chosen": ALICES_TRAINERS,
    "wagtailsnippetchoosers_courses_cohort:chosen_multiple": TRAINERS,
    "wagtailsnippetchoosers_courses_cohort:create": TRAINERS,
    "wagtailsnippets_courses_inpersonsession:list": TRAINERS,
    "wagtailsnippets_courses_inpersonsession:list_results": TRAINERS,
    "wagtailsnippets_courses_inpersonsession:add": TRAINERS,
    "wagtailsnippets_courses_inpersonsession:edit": ALICES_TRAINERS,
    "wagtailsnippets_courses_inpersonsession:delete": ADMINS,
    "wagtailsnippets_courses_inpersonsession:usage": ALICES_TRAINERS,
    "wagtailsnippets_courses_inpersonsession:history": ALICES_TRAINERS,
    "wagtailsnippets_courses_inpersonsession:history_results": ALICES_TRAINERS,
    "wagtailsnippets_courses_inpersonsession:copy": ALICES_TRAINERS,
    "wagtailsnippetchoosers_courses_inpersonsession:choose": TRAINERS,
    "wagtailsnippetchoosers_courses_inpersonsession:choose_results": TRAINERS,
    "wagtailsnippetchoosers_courses_inpersonsession:chosen": ALICES_TRAINERS,
    "wagtailsnippetchoosers_courses_inpersonsession:chosen_multiple": TRAINERS,
    "wagtailsnippetchoosers_courses_inpersonsession:create": TRAINERS,
    "wagtailsnippets_roleplay_scenario:list": TRAINERS,
    "wagtailsnippets_roleplay_scenario:list_results": TRAINERS,
    "wagtailsnippets_roleplay_scenario:add": TRAINERS,
    "wagtailsnippets_roleplay_scenario:edit": TRAINERS,
    "wagtailsnippets_roleplay_scenario:delete": ADMINS,
    "wagtailsnippets_roleplay_scenario:usage": TRAINERS,
    "wagtailsnippets_roleplay_scenario:history": TRAINERS,
    "wagtailsnippets_roleplay_scenario:history_results": TRAINERS,
    "wagtailsnippets_roleplay_scenario:copy": TRAINERS,
    "wagtailsnippets_roleplay_scenario:preview_on_add": TRAINERS,
    "wagtailsnippets_roleplay_scenario:preview_on_edit": TRAINERS,
    "wagtailsnippets_roleplay_scenario:revisions_view": TRAINERS,
    "wagtailsnippets_roleplay_scenario:revisions_revert": TRAINERS,
    "wagtailsnippets_roleplay_scenario:revisions_compare": TRAINERS,
    "wagtailsnippets_roleplay_scenario:revisions_unschedule": TRAINERS,
    "wagtailsnippets_roleplay_scenario:unpublish": TRAINERS,
    "wagtailsnippetchoosers_roleplay_scenario:choose": TRAINERS,
    "wagtailsnippetchoosers_roleplay_scenario:choose_results": TRAINERS,
    "wagtailsnippetchoosers_roleplay_scenario:chosen": TRAINERS,
    "wagtailsnippetchoosers_roleplay_scenario:chosen_multiple": TRAINERS,
    "wagtailsnippetchoosers_roleplay_scenario:create": TRAINERS,
    "wagtailsnippets_assessments_quiz:list": TRAINERS,
    "wagtailsnippets_assessments_quiz:list_results": TRAINERS,
    "wagtailsnippets_assessments_quiz:add": TRAINERS,
    "wagtailsnippets_assessments_quiz:edit": TRAINERS,
    "wagtailsnippets_assessments_quiz:delete": ADMINS,
    "wagtailsnippets_assessments_quiz:usage": TRAINERS,
    "wagtailsnippets_assessments_quiz:history": TRAINERS,
    "wagtailsnippets_assessments_quiz:history_results": TRAINERS,
    "wagtailsnippets_assessments_quiz:copy": TRAINERS,
    "wagtailsnippetchoosers_assessments_quiz:choose": TRAINERS,
    "wagtailsnippetchoosers_assessments_quiz:choose_results": TRAINERS,
    "wagtailsnippetchoosers_assessments_quiz:chosen": TRAINERS,
    "wagtailsnippetchoosers_assessments_quiz:chosen_multiple": TRAINERS,
    "wagtailsnippetchoosers_assessments_quiz:create": TRAINERS,
    # Filled with a superuser's account: an org admin manages everyone else, not superusers.
    "wagtailusers_users:index": ADMINS,
    "wagtailusers_users:index_results": ADMINS,
    "wagtailusers_users:add": ADMINS,
    "wagtailusers_users:edit": SUPERUSER,
    "wagtailusers_users:delete": NOBODY,
    "wagtailusers_users:history": SUPERUSER,
    "wagtailusers_users:history_results": SUPERUSER,
    "wagtailusers_users:usage": SUPERUSER,
    "wagtailusers_users:copy": SUPERUSER,
    "login": EVERYONE,
    "logout": NOBODY,
    "two_factor": SIGNED_IN,
    "two_factor_setup": SIGNED_IN,
    "two_factor_verify": NOBODY,
    "two_factor_backup_codes": NOBODY,
    "two_factor_disable": NOBODY,
    "two_factor_reset": ADMINS,
    "password_reset": EVERYONE,
    "password_reset_done": EVERYONE,
    "password_reset_complete": EVERYONE,
    # Filled with a spent token: the page says the link is no longer valid.
    "password_reset_confirm": EVERYONE,
    # Filled with a token that is not one of ours: the page says the link is not valid (404).
    "invitation": NOBODY,
    "set_language": NOBODY,
    "home": SIGNED_IN,
    "journal": SIGNED_IN,
    # Per-user pages keyed by course: each enrolled learner sees their own, never Alice's.
    "my_hours": frozenset({"alice", "charlie"}),
    "answer_invitation": NOBODY,
    "enrol": NOBODY,
    "complete_lesson": NOBODY,
    "save_reflection": NOBODY,
    "trainer_cohorts": TRAINERS,
    "cohort_dashboard": ALICES_TRAINERS,
    "cohort_export": ALICES_TRAINERS,
    "roster": ALICES_TRAINERS,
    "send_invitations": NOBODY,
    "attendance": ALICES_TRAINERS,
    "trainee_ledger": ALICES_TRAINERS,
    "correct_entry": NOBODY,
    "confirm_invitation": NOBODY,
    "roleplay_api:openapi-json": TRAINERS,
    "roleplay_api:openapi-view": TRAINERS,
    "roleplay_api:list_scenarios": SIGNED_IN,
    "roleplay_api:start": NOBODY,
    "roleplay_api:transcript": ALICE_AND_HER_TRAINERS,
    "roleplay_api:take_turn": NOBODY,
    "roleplay_api:retry": NOBODY,
    "roleplay_api:end": NOBODY,
    "roleplay_api:branch": NOBODY,
    "roleplay_api:api-root": NOBODY,
    "roleplay_scenarios": SIGNED_IN,
    "roleplay_scenario": SIGNED_IN,
    "roleplay_start": NOBODY,
    "roleplay_play": ALICE,
    "roleplay_debrief": ALICE_AND_HER_TRAINERS,
    "roleplay_branch": NOBODY,
    "roleplay_peer": ALICE,
    "roleplay_status": ALICE,
    "roleplay_peer_done": NOBODY,
    # A peer-practice link is a bearer code the learner hands to colleagues; Alice herself
    # is sent back to her own screen.
    "roleplay_peer_join": SIGNED_IN - ALICE,
    "trainer_roleplay": TRAINERS,
    # Certificate verification and the Open Badges endpoints are public by design.
    "assessments:verify": EVERYONE,
    "assessments:my_certification": frozenset({"alice", "charlie"}),
    "assessments:print_certificate": ALICE_AND_HER_TRAINERS,
    "assessments:revoke_certificate": ALICES_TRAINERS,
    "assessments:renew_certificate": NOBODY,
    "assessments:cohort_certificates": ALICES_TRAINERS,
    "assessments:issue_all_certificates": ALICES_TRAINERS,
    "assessments:quiz": SIGNED_IN,
    "assessments:start": NOBODY,
    "assessments:attempt": NOBODY,
    "assessments:save_answer": NOBODY,
    "assessments:submit": NOBODY,
    "assessments:result": ALICE_AND_HER_TRAINERS,
    "assessments:course_exam": NOBODY,
    "assessments:grading": TRAINERS,
    "assessments:grade": NOBODY,
    "assessments:reviews": TRAINERS,
    "assessments:agreement": TRAINERS,
    "assessments:review": ALICES_TRAINERS,
    "assessments:review_submit": NOBODY,
    "assessments:review_comment": NOBODY,
    "assessments:retry_judgement": NOBODY,
    "assessments:judging_status": ALICE_AND_HER_TRAINERS,
    "assessments:self_assessment": ALICE,
    "assessments:credential": EVERYONE,
    "assessments:credential_json": EVERYONE,
    "assessments:badge_issuer": EVERYONE,
    "assessments:badge_jwks": EVERYONE,
    "assessments:my_competencies": SIGNED_IN,
    "assessments:cohort_competencies": ALICES_TRAINERS,
    # The register of certified visitors is for coordinators, trainers and admins.
    "assessments:registry": TRAINERS | {"cora"},
    "assessments:registry_csv": TRAINERS | {"cora"},
    "assessments:exports": TRAINERS,
    "privacy:notice": EVERYONE,
    "privacy:mine": SIGNED_IN,
    "privacy:my_export": NOBODY,
    "privacy:my_deletion": SIGNED_IN,
    "privacy:practice_notice": SIGNED_IN,
    "privacy:user": ADMINS,
    "privacy:user_export": NOBODY,
    "privacy:user_deletion": NOBODY,
    "wagtail_serve": SIGNED_IN,
}


def test_it_has_an_entry_for_every_url():
    names = {name for name, _route in url_names()}
    assert sorted(names - EXPECTED.keys()) == []
    assert sorted(EXPECTED.keys() - names) == []


@pytest.mark.django_db
def test_it_gives_every_role_exactly_its_pages_and_no_server_error(world):
    routes = url_names()
    assert len(routes) > 250
    unexpected = []
    for role in ROLES:
        client = client_for(role, world)
        for name, route in routes:
            url = fill(name, route, world)
            status = client.get(url).status_code
            allowed = role in EXPECTED.get(name, NOBODY)
            if status >= 500 or (200 <= status < 300) != allowed:
                unexpected.append(f"{role} GET {url} ({name}): {status}")
    assert unexpected == []
