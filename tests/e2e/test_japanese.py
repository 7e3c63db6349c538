"""Every page a trainee and a trainer open, in Japanese, the language they use: axe-core on each
(the other browser tests read the English pages), the page's language declared as ja, and the
Wagtail admin pages an author works in."""

from django.urls import reverse
from playwright.sync_api import expect

from assessments import services as assessment_services
from courses.models import Enrollment
from roleplay import services as roleplay_services
from roleplay.models import Mode
from tests.assessments.quiz_builders import build_quiz
from tests.e2e.browser import check_a11y, e2e

pytestmark = e2e


def visit(page, url, what):
    response = page.goto(url)
    assert response.status == 200, f"{what}: {url} answered {response.status}"
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    check_a11y(page, f"{what} ({url}, in Japanese)")


def ended_session(user, scenario):
    session = roleplay_services.start_session(user, scenario, Mode.SCRIPTED)
    while session.is_active:
        choice = session.current_node().available(session.state)[0]
        roleplay_services.submit(session, choice=choice.id)
        session.refresh_from_db()
    return session


def test_it_passes_axe_on_a_trainees_pages_in_japanese(browsing, people, scenario):
    quiz = build_quiz("ja-quiz", course=people.course, types=("single", "true_false"))
    attempt = assessment_services.start_attempt(people.alice, quiz)
    playing = roleplay_services.start_session(people.alice, scenario, Mode.SCRIPTED)
    ended = ended_session(people.alice, scenario)
    page = browsing.page(people.alice, language="ja")
    walk = [
        ("/me/", "マイページ"),
        (people.course.url, "講座のページ"),
        (people.lessons[0].url, "レッスン"),
        (reverse("my_hours", args=[people.course.pk]), "時間の記録"),
        (reverse("journal"), "振り返りノート"),
        (reverse("roleplay_scenarios"), "ロールプレイの一覧"),
        (reverse("roleplay_scenario", args=[scenario.slug]), "シナリオ"),
        (reverse("roleplay_play", args=[playing.pk]), "ロールプレイの途中"),
        (reverse("roleplay_debrief", args=[ended.pk]), "振り返り（デブリーフ）"),
        (reverse("assessments:quiz", args=[quiz.slug]), "確認テスト"),
        (reverse("assessments:attempt", args=[attempt.pk]), "確認テストの解答"),
        (reverse("assessments:my_competencies"), "コンピテンシー"),
        (reverse("assessments:my_certification", args=[people.course.pk]), "修了の状況"),
        (reverse("privacy:notice"), "個人情報の取り扱い"),
        (reverse("privacy:mine"), "個人データ"),
    ]
    for url, what in walk:
        visit(page, url, what)


def test_it_passes_axe_on_a_trainers_pages_and_the_authoring_admin_in_japanese(
    browsing, people, scenario
):
    ended = ended_session(people.alice, scenario)
    enrolment = Enrollment.objects.get(user=people.alice, course=people.course)
    # The lesson the author edits holds one block of each kind.
    lesson = people.lessons[0]
    lesson.body.extend(
        [
            ("rich_text", "<p>訪問の前に確認すること</p>"),
            ("callout", {"kind": "point", "title": "ポイント", "body": "相手の言葉を繰り返す"}),
            ("key_phrases", {"phrases": [{"say": "大変でしたね", "instead": "頑張って"}]}),
            ("quiz", build_quiz("ja-quiz", course=people.course)),
            ("practice", {"scenario": scenario.slug, "minutes": 15}),
        ]
    )
    lesson.save_revision().publish()
    cohort = people.cohort_a
    page = browsing.page(people.tom, phone=False, language="ja")
    walk = [
        (reverse("trainer_cohorts"), "受講クラスの一覧"),
        (reverse("cohort_dashboard", args=[cohort.pk]), "受講クラスの進捗"),
        (reverse("roster", args=[cohort.pk]), "名簿の取り込み"),
        (reverse("attendance", args=[people.session_a.pk]), "出欠の記録"),
        (reverse("trainee_ledger", args=[enrolment.pk]), "受講者の時間の記録"),
        (reverse("assessments:cohort_competencies", args=[cohort.pk]), "受講クラスの到達度"),
        (reverse("assessments:cohort_certificates", args=[cohort.pk]), "修了証"),
        (reverse("trainer_roleplay"), "練習の記録"),
        (reverse("roleplay_debrief", args=[ended.pk]), "受講者の振り返り"),
        (reverse("assessments:reviews"), "評価の確認"),
        (reverse("assessments:grading"), "採点"),
        (reverse("assessments:registry"), "修了者名簿"),
        (reverse("assessments:exports"), "書き出し"),
        (reverse("wagtailadmin_home"), "管理画面のダッシュボード"),
        (reverse("wagtailadmin_explore", args=[people.course.pk]), "講座のページ一覧"),
        (reverse("wagtailadmin_pages:edit", args=[people.lessons[0].pk]), "レッスンの編集"),
        (
            reverse(
                "wagtailadmin_pages:add",
                args=["courses", "lessonpage", people.lessons[0].get_parent().pk],
            ),
            "レッスンの追加",
        ),
        (reverse("wagtailsnippets_roleplay_scenario:list"), "シナリオの一覧"),
        (reverse("wagtailsnippets_roleplay_scenario:edit", args=[scenario.pk]), "シナリオの編集"),
        (reverse("wagtailsnippets_assessments_quiz:list"), "確認テストの一覧"),
    ]
    for url, what in walk:
        visit(page, url, what)
