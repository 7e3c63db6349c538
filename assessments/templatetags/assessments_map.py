from django import template

from assessments.competency_map import MAX_STRENGTH

register = template.Library()


@register.filter
def heat(strength) -> str:
    """A light cell shade that grows with strength; light enough that dark text stays
    readable, and only an aid: the cell's number carries the meaning."""
    alpha = 0.08 + 0.42 * float(strength) / MAX_STRENGTH
    return f"rgba(47, 79, 127, {alpha:.2f})"
