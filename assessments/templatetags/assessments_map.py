from django import template

from assessments.competency_map import MAX_STRENGTH

register = template.Library()


# Shades in half steps of strength, as classes heat-0 … heat-8 in site.css: the CSP allows no
# style attribute, so a cell cannot carry its own colour.
HEAT_STEPS = 2 * MAX_STRENGTH


@register.filter
def heat(strength) -> str:
    """The class of a light cell shade that grows with strength; light enough that dark text
    stays readable, and only an aid: the cell's number carries the meaning."""
    step = round(float(strength) * HEAT_STEPS / MAX_STRENGTH)
    return f"heat-{min(max(step, 0), HEAT_STEPS)}"
