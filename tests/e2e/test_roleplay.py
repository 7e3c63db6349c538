"""Role-play in the browser: scripted practice by clicking, typing and keyboard alone, the AI
partner with a fault and "Ask again", and peer practice across three people's browsers.
axe-core checks every state of the practice screen and the debrief."""

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import check_a11y, e2e, expect_focus_on, focus_is_visible, tab_to
from tests.factories import make_user
from tests.fake_openai import Reply
from yorisoi.roles import COORDINATOR

pytestmark = e2e

LISTEN = "「気にしないでください。最近、眠れていますか？」"
TIRED = "夜が……ほとんど寝られなくて。"


@pytest.fixture
def cora(course):
    return make_user("cora", COORDINATOR, last_name="小林", first_name="恵")


def start_practice(page, scenario, mode):
    """Choose a mode on the scenario page; a learner's first practice shows the privacy notice
    once, which sends them back to the scenario page."""
    page.goto(f"/roleplay/scenarios/{scenario.slug}/")
    check_a11y(page, "the scenario page")
    page.get_by_role("button", name=mode).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Before you start practising")
    check_a11y(page, "the practice notice")
    page.get_by_role("button", name="I understand").click()
    expect(page.locator(".messages")).to_contain_text("You can start practising now")
    page.get_by_role("button", name=mode).click()


def test_it_plays_a_scripted_scenario_by_keyboard_and_typing_then_branches(
    browsing, cora, scenario
):
    page = browsing.page(cora)
    page.goto("/roleplay/")
    check_a11y(page, "the scenario list")
    expect(page.get_by_role("link", name=scenario.title)).to_be_visible()
    start_practice(page, scenario, "Scripted practice")

    listen = page.get_by_role("button", name=LISTEN)
    expect(listen).to_be_visible()
    check_a11y(page, "the practice screen at its start")
    tab_to(page, listen)
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    reply = page.locator("#transcript li.persona").last
    expect(reply.locator(".said")).to_have_text(TIRED)
    expect_focus_on(page, reply)
    check_a11y(page, "the practice screen mid-way")

    textarea = page.get_by_label("Or say it in your own words")
    tab_to(page, textarea)
    page.keyboard.type("それはお疲れですね。今日は何からお手伝いしましょう")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Say it")).to_be_focused()
    page.keyboard.press("Enter")
    last = page.locator("#transcript li.persona").last
    expect(last.locator(".said")).to_have_text("じゃあ、洗濯物をお願いしてもいいですか。")
    expect_focus_on(page, last)
    expect(page.get_by_text("You chose:")).to_be_visible()
    feedback = page.get_by_role("link", name="See feedback")
    expect(feedback).to_be_visible()
    check_a11y(page, "the practice screen at its ending")

    page.keyboard.press("Tab")
    expect_focus_on(page, feedback)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Feedback")
    expect(page.get_by_text("受け止めてから本人に選んでもらえた。")).to_be_visible()
    check_a11y(page, "the debrief")

    what_if = page.get_by_role("button", name="What if I had said something else here?").first
    tab_to(page, what_if)
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    advise = page.get_by_role("button", name="「片付けは毎日少しずつやるのがコツですよ。」")
    expect(advise).to_be_visible()
    advise.click()
    expect(page.locator("#transcript li.persona .said").last).to_have_text(
        "……はい、わかってはいるんですけど。"
    )
    check_a11y(page, "a what-if branch")


def test_it_keeps_the_learners_words_through_a_model_fault_and_asks_again(
    browsing, cora, scenario, fake_llm
):
    page = browsing.page(cora)
    page.on("dialog", lambda dialog: dialog.accept())
    start_practice(page, scenario, "Practise with the AI partner")
    opening = page.locator("#transcript li.persona")
    expect(opening).to_have_count(1)
    check_a11y(page, "the AI-partner screen at its start")

    fake_llm.stream(Reply(status=500), Reply(status=503))
    page.get_by_role("textbox", name="What do you say?").fill("今日はお話を聞かせてください。")
    page.get_by_role("button", name="Say it").click()
    pending = page.locator("#transcript li.pending")
    expect(pending).to_contain_text("The reply did not arrive. Your words are saved.")
    expect(page.locator("#transcript li.learner")).to_contain_text("今日はお話を聞かせてください。")
    expect(pending).to_be_focused()
    check_a11y(page, "a pending reply")

    fake_llm.stream(Reply("はい、聞いてもらえると助かります。"))
    page.keyboard.press("Tab")
    ask_again = page.get_by_role("button", name="Ask again")
    expect_focus_on(page, ask_again)
    page.keyboard.press("Enter")
    answer = page.locator("#transcript li.persona").last
    expect(answer.locator(".said")).to_have_text("はい、聞いてもらえると助かります。")
    expect(pending).to_have_count(0)
    expect_focus_on(page, answer)
    learner_turns = page.locator("#transcript li.learner")
    expect(learner_turns).to_have_count(1)
    check_a11y(page, "the AI partner after asking again")

    page.get_by_role("button", name="End and see feedback").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Feedback")
    expect(page.locator(".transcript")).to_contain_text("はい、聞いてもらえると助かります。")
    check_a11y(page, "the AI-partner debrief")


def test_it_runs_peer_practice_across_three_browsers_to_the_observers_scores(
    browsing, people, scenario
):
    learner = browsing.page(people.alice)
    start_practice(learner, scenario, "Practise with colleagues")
    expect(learner.get_by_role("heading", name="Share with your partners")).to_be_visible()
    check_a11y(learner, "the learner's peer screen")
    links = learner.locator(".link-text a")
    counterpart_url, observer_url = (
        links.nth(0).get_attribute("href"),
        links.nth(1).get_attribute("href"),
    )

    counterpart = browsing.page(people.bob)
    counterpart.goto(counterpart_url)
    expect(counterpart.get_by_text("夜は二時間おきに起きていて")).to_be_visible()
    check_a11y(counterpart, "the counterpart's persona card")

    observer = browsing.page(people.charlie)
    observer.goto(observer_url)
    check_a11y(observer, "the observer's rubric")
    fieldsets = observer.locator("form.rubric fieldset")
    expect(fieldsets.first).to_be_visible()
    first = fieldsets.first
    first.locator("input[type=radio][value='4']").check()
    first.get_by_label("What the learner said (one quote per line)").fill("最近、眠れていますか？")
    first.get_by_label("Comment").fill("開いた質問で聴けていました。")
    fieldsets.nth(1).locator("input[type=radio][value='3']").check()
    observer.get_by_label("Overall comment").fill("落ち着いて話せていました。")
    observer.get_by_role("button", name="Submit scores and end the session").click()
    expect(observer.get_by_text("開いた質問で聴けていました。")).to_be_visible()
    check_a11y(observer, "the observer's thanks")

    # The learner's screen asks every five seconds and opens the feedback by itself.
    expect(learner.get_by_role("heading", level=1)).to_contain_text("Feedback", timeout=15_000)
    expect(learner.get_by_text("開いた質問で聴けていました。")).to_be_visible()
    expect(learner.get_by_text("落ち着いて話せていました。")).to_be_visible()
    check_a11y(learner, "the peer debrief")
