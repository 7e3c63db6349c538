"""A trainer's day: enrol from a CSV roster (check, then confirm) on a desktop, record
attendance by keyboard on a phone, correct a ledger line, issue a certificate that the public
verification page confirms."""

from datetime import date

import pytest
from playwright.sync_api import expect

from assessments.models import Certificate
from courses import services
from tests.assessments.cert_builders import build_exam, build_rule, make_eligible
from tests.e2e.browser import check_a11y, e2e, focus_is_visible, tab_to

pytestmark = e2e

ROSTER = "氏名,メールアドレス\n山田 花子,hanako@example.org\n川口 直,nao@example.org\n"


def test_it_enrols_from_a_csv_after_a_dry_run(browsing, people):
    page = browsing.page(people.tom, phone=False)
    page.goto("/trainer/")
    check_a11y(page, "the trainer's cohort list")
    page.get_by_role("link", name=people.cohort_a.name).first.click()
    check_a11y(page, "the cohort dashboard")
    page.get_by_role("link", name="Enrol from a CSV roster").click()
    check_a11y(page, "the roster form")

    roster = {"name": "roster.csv", "mimeType": "text/csv", "buffer": ROSTER.encode()}
    page.get_by_label("Roster CSV").set_input_files(roster)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("table")).to_contain_text("hanako@example.org")
    check_a11y(page, "the roster's dry run")
    assert not people.cohort_a.invitations.exists()

    page.get_by_role("button", name="Invite 2 people").click()
    expect(page.locator(".messages")).to_contain_text("2 people invited to the cohort")
    check_a11y(page, "the dashboard after the roster")
    assert people.cohort_a.invitations.count() == 2


def test_it_records_attendance_by_keyboard_on_a_phone(browsing, people):
    page = browsing.page(people.tom)
    page.goto(f"/trainer/sessions/{people.session_a.pk}/attendance/")
    check_a11y(page, "the attendance sheet")
    # Rows are in name order: 坂井 望 (Bob), then 有田 愛 (Alice).
    tab_to(page, page.get_by_role("group", name="坂井 望").get_by_label("Present"))
    assert focus_is_visible(page)
    for _ in range(3):  # Present → Late → Excused → Absent
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")
    expect(page.get_by_role("group", name="有田 愛").get_by_label("Present")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save attendance")).to_be_focused()
    page.keyboard.press("Enter")

    message = page.locator(".messages .message")
    expect(message).to_contain_text("Attendance saved (2 changed)")
    expect(message).to_be_focused()
    assert focus_is_visible(page)
    expect(page.get_by_role("group", name="有田 愛").get_by_label("Present")).to_be_checked()
    expect(page.get_by_role("group", name="坂井 望").get_by_label("Absent")).to_be_checked()
    check_a11y(page, "the attendance sheet after saving")


def test_it_corrects_a_line_of_a_trainees_ledger(browsing, people):
    services.complete_lesson(people.alice, people.lessons[0])
    page = browsing.page(people.tom, phone=False)
    page.goto(f"/trainer/cohorts/{people.cohort_a.pk}/")
    page.get_by_role("link", name="有田 愛").click()
    check_a11y(page, "a trainee's ledger")
    page.get_by_role("link", name="Correct").first.click()
    page.get_by_label("Corrected minutes").fill("20")
    page.get_by_label("Reason").fill("途中で退出したため")
    check_a11y(page, "the open correction form")
    page.get_by_role("button", name="Add correction").click()
    expect(page.locator(".messages")).to_contain_text("The correction was added to the ledger.")
    expect(page.locator("table.ledger")).to_contain_text("途中で退出したため")
    expect(page.locator(".course-hours")).to_contain_text("0.3")
    check_a11y(page, "the ledger after a correction")


@pytest.fixture
def eligible(people, scenario):
    build_rule(people.course, scenario=scenario, valid_years=3)
    make_eligible(people.alice, people, build_exam(people.course), scenario)
    return people


def test_it_issues_a_certificate_that_the_public_page_verifies(browsing, eligible):
    page = browsing.page(eligible.tom, phone=False)
    page.goto(f"/trainer/cohorts/{eligible.cohort_a.pk}/certificates/")
    check_a11y(page, "the cohort's certificates")
    alice = page.locator("section.trainee-cert", has_text="有田 愛")
    alice.get_by_label("Issue date").fill(date.today().isoformat())
    alice.get_by_role("button", name="Issue the certificate").click()
    expect(page.locator("section.trainee-cert", has_text="有田 愛")).to_contain_text("Valid")
    check_a11y(page, "the certificates after issuing")

    code = Certificate.objects.get(user=eligible.alice).code
    public = browsing.page()
    public.goto(f"/verify/{code}/")
    expect(public.locator("main")).to_contain_text("有田 愛")
    expect(public.locator("main")).to_contain_text(eligible.course.title)
    expect(public.locator("main")).to_contain_text("Valid")
    check_a11y(public, "the public verification page")
