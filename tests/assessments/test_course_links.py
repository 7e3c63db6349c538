"""Courses pages link to assessments through Wagtail hooks, without importing assessments."""

import re
from pathlib import Path

from django.urls import reverse

from assessments.models import CertificationRule
from tests.assessments.quiz_builders import build_quiz

ROOT = Path(__file__).resolve().parents[2]


def test_it_links_a_learners_course_to_its_exam_and_certification_conditions(client, people):
    client.force_login(people.alice)
    before = client.get(reverse("home")).content.decode()
    assert reverse("assessments:my_certification", args=[people.course.pk]) not in before
    exam = build_quiz("final", course=people.course, kind="exam")
    CertificationRule.objects.create(course=people.course)
    html = client.get(reverse("home")).content.decode()
    assert reverse("assessments:quiz", args=[exam.slug]) in html
    assert reverse("assessments:my_certification", args=[people.course.pk]) in html


def test_it_links_a_cohort_dashboard_to_certificates_and_the_competency_map(client, people):
    client.force_login(people.tom)
    html = client.get(reverse("cohort_dashboard", args=[people.cohort_a.pk])).content.decode()
    assert reverse("assessments:cohort_certificates", args=[people.cohort_a.pk]) in html
    assert reverse("assessments:cohort_competencies", args=[people.cohort_a.pk]) in html


def test_it_shows_the_registry_to_coordinators_and_trainers_only(client, people):
    client.force_login(people.alice)
    assert reverse("assessments:registry") not in client.get(reverse("home")).content.decode()
    client.force_login(people.tom)
    assert reverse("assessments:registry") in client.get(reverse("home")).content.decode()


def test_it_keeps_courses_free_of_assessments_imports():
    imports = re.compile(r"^\s*(from|import)\s+assessments\b", re.MULTILINE)
    for path in (ROOT / "courses").rglob("*.py"):
        assert not imports.search(path.read_text(encoding="utf-8")), path
