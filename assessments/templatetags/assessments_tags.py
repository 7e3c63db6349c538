from decimal import Decimal

from django import template

from assessments import services

register = template.Library()


@register.simple_tag(takes_context=True)
def quiz_status(context, quiz):
    """The signed-in learner's standing with a quiz, for the lesson block (two small queries)."""
    request = context.get("request")
    if quiz is None or request is None or not request.user.is_authenticated:
        return None
    return services.quiz_status(request.user, quiz)


@register.filter
def points(value) -> str:
    """1.00 → 1, 0.50 → 0.5: points as people write them."""
    if value is None:
        return ""
    return f"{Decimal(value).normalize():f}"
