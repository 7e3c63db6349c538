"""Admin widgets for authoring, in panels and in blocks; never on learner pages."""

from itertools import groupby

from django import forms
from django.db.models import prefetch_related_objects


def category_order(category):
    framework = category.framework
    return (framework.sort_order, framework.code, category.sort_order, category.code)


class GroupedCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Competencies as checkboxes under their framework and category headings.

    A flat multiple select of some fifty competencies needs Ctrl-click and hides what is
    chosen; grouped checkboxes show the whole framework the way trainers read it.
    """

    template_name = "courses/widgets/grouped_checkboxes.html"

    class Media:
        css = {"all": ["courses/css/grouped_checkboxes.css"]}

    def optgroups(self, name, value, attrs=None):
        """One group per category, the group's label being the category itself."""
        choices = list(self.choices)
        prefetch_related_objects(
            [option.instance for option, _label in choices], "category__framework"
        )
        # Stable: competencies keep the queryset's order within their category.
        choices.sort(key=lambda choice: category_order(choice[0].instance.category))
        groups = []
        for index, (category, members) in enumerate(
            groupby(choices, key=lambda choice: choice[0].instance.category)
        ):
            options = [
                self.create_option(
                    name,
                    option,
                    label,
                    str(option) in value,
                    index,
                    subindex=subindex,
                    attrs=attrs,
                )
                for subindex, (option, label) in enumerate(members)
            ]
            groups.append((category, options, index))
        return groups

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["frameworks"] = [
            (framework, list(categories))
            for framework, categories in groupby(
                context["widget"]["optgroups"], key=lambda group: group[0].framework
            )
        ]
        return context


class ScenarioSelect(forms.Select):
    """The practice block's list of scenarios, by title. Wagtail lets a commentable field grow
    with what it holds, and long titles made this one wider than the editor's column, under
    the minimap: the style sheet keeps it inside."""

    class Media:
        css = {"all": ["courses/css/scenario_select.css"]}

    def __init__(self, attrs=None, choices=()):
        super().__init__({"class": "scenario-select", **(attrs or {})}, choices)
