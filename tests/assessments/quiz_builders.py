"""Builders for quizzes and exams, and for answering them right or wrong."""

from assessments.models import Question, QuestionOption, Quiz
from assessments.papers import PaperQuestion
from assessments.services import AnswerInput
from courses.models import Competency, CompetencyCategory, CompetencyFramework

ALL_TYPES = ("single", "multiple", "true_false", "written", "situational")


def competency(code="HV-LISTEN") -> Competency:
    framework, _ = CompetencyFramework.objects.get_or_create(
        code="home_visitor", defaults={"name": "訪問支援員"}
    )
    category, _ = CompetencyCategory.objects.get_or_create(
        code="HV-1", defaults={"framework": framework, "name": "関わりの基本"}
    )
    found, _ = Competency.objects.get_or_create(
        code=code, defaults={"category": category, "name": "傾聴"}
    )
    return found


OPTIONS = {
    "single": [
        {"text": "まず話を聴く", "correct": True},
        {"text": "すぐに助言する"},
        {"text": "ほかの家庭と比べる"},
    ],
    "multiple": [
        {"text": "コーディネーターに報告する", "correct": True},
        {"text": "記録に残す", "correct": True},
        {"text": "近所の人に相談する"},
    ],
    "situational": [
        {"text": "すぐにコーディネーターに連絡する", "rank": 1, "reason": "一人で抱えない。"},
        {"text": "次の訪問で様子を見る", "rank": 2, "reason": "遅れるおそれがある。"},
        {"text": "母親に内緒にすると約束する", "rank": 3, "reason": "危険を隠すことになる。"},
        {"text": "何もしない", "rank": 4, "reason": "子どもの安全を守れない。"},
    ],
}


def add_question(quiz: Quiz, question_type: str, key: str, order: int = 0) -> Question:
    question = Question(
        quiz=quiz,
        key=key,
        type=question_type,
        text=f"問題 {key}",
        explanation=f"解説 {key}",
        case="訪問先で母親が「もう限界」と言った。" if question_type == "situational" else "",
        answer=True if question_type == "true_false" else None,
        guidance="気持ちを受け止め、報告することに触れているか。"
        if question_type == "written"
        else "",
        sort_order=order,
    )
    question.competencies = [competency()]
    question.save()
    for i, option in enumerate(OPTIONS.get(question_type, [])):
        QuestionOption.objects.create(question=question, sort_order=i, **option)
    return question


def build_quiz(slug="chapter-1", *, types=ALL_TYPES, course=None, kind="quiz", **rules) -> Quiz:
    """A quiz with one question of each of `types`, keyed q1, q2, … in that order."""
    quiz = Quiz.objects.create(
        slug=slug, title=f"確認テスト {slug}", kind=kind, course=course, **rules
    )
    for n, question_type in enumerate(types, start=1):
        add_question(quiz, question_type, f"q{n}", order=n)
    return quiz


def right_answer(question: PaperQuestion) -> AnswerInput:
    if question.type == "true_false":
        return AnswerInput(flag=question.answer)
    if question.type == "written":
        return AnswerInput(text="まず気持ちを受け止めて、コーディネーターに報告します。")
    if question.type == "situational":
        return AnswerInput(choices=[next(o.id for o in question.options if o.rank == 1)])
    return AnswerInput(choices=question.correct_ids)


def wrong_answer(question: PaperQuestion) -> AnswerInput:
    if question.type == "true_false":
        return AnswerInput(flag=not question.answer)
    if question.type == "written":
        return AnswerInput(text="")
    if question.type == "situational":
        return AnswerInput(choices=[next(o.id for o in question.options if o.rank == 3)])
    return AnswerInput(choices=[next(o.id for o in question.options if not o.correct)])
