from decimal import Decimal

from django import template

from assessments import services
from courses.models import LessonPage

register = template.Library()


@register.simple_tag(takes_context=True)
def quiz_status(context, quiz):
    """The signed-in learner's standing with a quiz, for the lesson block (two small queries).
    On a lesson page the page has usually asked already whether the learner is enrolled."""
    request = context.get("request")
    if quiz is None or request is None or not request.user.is_authenticated:
        return None
    page, enrolled = context.get("page"), None
    if isinstance(page, LessonPage) and quiz.course_id:
        enrolled = page.enrolment_of(request.user, quiz.course_id) is not None
    return services.quiz_status(request.user, quiz, enrolled=enrolled)


@register.filter
def points(value) -> str:
    """1.00 → 1, 0.50 → 0.5: points as people write them."""
    if value is None:
        return ""
    return f"{Decimal(value).normalize():f}"
