from django import template

from courses.models import as_hours

register = template.Library()


@register.filter
def hours(minutes):
    """A total in minutes, shown as hours with one decimal (courses.models.as_hours)."""
    return f"{as_hours(minutes or 0):.1f}"
