"""A trainee on a phone: from /me/ to the next lesson, a reflection, completion, more hours."""

from playwright.sync_api import expect

from tests.e2e.browser import check_a11y, e2e

pytestmark = e2e


def test_it_takes_a_trainee_from_my_page_through_a_lesson_to_more_hours(browsing, people):
    page = browsing.page(people.alice)
    page.goto("/me/")
    check_a11y(page)
    hours = page.locator(".course-hours").first
    expect(hours).to_contain_text("0.0 of 3.0 hours")

    page.get_by_role("link", name=people.lessons[0].title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(people.lessons[0].title)
    check_a11y(page)

    page.get_by_label("Your answer (only you can read it)").fill("夫に話を聴いてもらえた。")
    page.get_by_role("button", name="Save to my journal").click()
    expect(page.locator(".reflection [role=status]")).to_contain_text("Saved to your journal")
    check_a11y(page)

    page.get_by_role("button", name="Mark this lesson complete").click()
    expect(page.locator(".messages")).to_contain_text("30 minutes added")
    expect(page.get_by_role("heading", level=1)).to_have_text(people.lessons[1].title)
    check_a11y(page, "the next lesson, with the flash message")

    page.goto("/me/")
    expect(hours).to_contain_text("0.5 of 3.0 hours")
    expect(page.get_by_text("1/4 lessons")).to_be_visible()
    page.get_by_role("link", name="My hours, line by line").first.click()
    expect(page.get_by_role("table")).to_contain_text(people.lessons[0].title)
    check_a11y(page)
    page.goto(people.course.url)
    expect(page.get_by_role("progressbar", name=people.course.title)).to_be_visible()
    check_a11y(page, "the course page")
