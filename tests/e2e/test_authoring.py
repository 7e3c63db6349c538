"""An author writes a lesson with a Markdown block in the Wagtail admin and publishes it; a
trainee then reads it on a phone."""

from playwright.sync_api import expect

from courses.models import LessonPage
from tests.e2e.browser import check_a11y, e2e

pytestmark = e2e

TITLE = "記録の書き方"
MARKDOWN = "訪問の記録は**その日のうちに**書きます。\n\n- 見たこと\n- 聞いたこと"


def test_it_publishes_a_markdown_lesson_that_a_trainee_then_reads(browsing, people):
    module = people.lessons[0].get_parent()
    author = browsing.page(people.tom, phone=False)
    author.goto(f"/admin/pages/add/courses/lessonpage/{module.pk}/")
    author.locator("#id_title").fill(TITLE)
    author.locator("#id_duration_minutes").fill("20")
    author.get_by_role("button", name="Insert a block").first.click()
    author.get_by_role("option", name="Markdown").first.click()
    author.locator("textarea[name='body-0-value']").fill(MARKDOWN)
    author.get_by_role("button", name="More actions").click()
    author.locator("button[name=action-publish]").click()
    expect(author.locator(".messages")).to_contain_text("published")
    lesson = LessonPage.objects.get(title=TITLE)
    assert lesson.live

    trainee = browsing.page(people.alice)
    trainee.goto(people.course.url)
    trainee.get_by_role("link", name=TITLE).click()
    expect(trainee.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(trainee.locator("strong", has_text="その日のうちに")).to_be_visible()
    expect(trainee.get_by_role("listitem").filter(has_text="聞いたこと")).to_be_visible()
    check_a11y(trainee, "the new lesson")
