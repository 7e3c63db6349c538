from django import template

from courses.blocks import render_markdown

register = template.Library()


@register.filter
def markdown(value):
    return render_markdown(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
