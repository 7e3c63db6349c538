"""A trainee takes a quiz on a phone with the keyboard alone; the result takes the focus."""

from playwright.sync_api import expect

from tests.assessments.quiz_builders import build_quiz
from tests.e2e.browser import check_a11y, e2e, expect_focus_on, focus_is_visible, tab_to

pytestmark = e2e


def test_it_answers_and_submits_a_quiz_by_keyboard(browsing, people):
    quiz = build_quiz("keyboard", types=("single", "true_false"), course=people.course)
    page = browsing.page(people.alice)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"/quizzes/{quiz.slug}/")
    check_a11y(page, "the quiz page")
    start = page.get_by_role("button", name="Start the quiz")
    tab_to(page, start)
    page.keyboard.press("Enter")

    first = page.get_by_role("radio", name="まず話を聴く")
    expect(first).to_be_visible()
    check_a11y(page, "the attempt")
    tab_to(page, page.locator("#q-q1 input[type=radio]").first)
    assert focus_is_visible(page)
    # Arrow keys move within the options and choose; each choice is saved as it is made.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    expect(first).to_be_checked()
    expect(page.locator("#q-q1 [data-status]")).to_have_text("Saved")
    tab_to(page, page.locator("#q-q2 input[type=radio]").first)
    page.keyboard.press("Space")
    expect(page.locator("#q-q2 [data-status]")).to_have_text("Saved")
    check_a11y(page, "the attempt with saved answers")

    submit = page.get_by_role("button", name="Submit my answers")
    tab_to(page, submit)
    page.keyboard.press("Enter")
    summary = page.locator(".result-summary")
    expect(summary).to_contain_text("Passed")
    expect_focus_on(page, summary)
    check_a11y(page, "the quiz result")
