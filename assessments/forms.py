from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm

from .papers import question_problems

MAX_WRITTEN_CHARS = 4000


class QuizForm(WagtailAdminModelForm):
    """The quiz editor: checks each question's options as a whole, which no single form can."""

    def clean(self):
        cleaned = super().clean()
        questions = self.formsets.get("questions")
        if questions is None:
            return cleaned
        problems = []
        keys = set()
        for number, form in enumerate(self._kept(questions), start=1):
            data = form.cleaned_data
            options = [
                {"correct": o.cleaned_data.get("correct"), "rank": o.cleaned_data.get("rank")}
                for o in self._kept(form.formsets["options"])
            ]
            for problem in question_problems(
                data.get("type", ""), options, data.get("answer"), data.get("case", "")
            ):
                problems.append(
                    _("Question %(n)d: %(problem)s") % {"n": number, "problem": problem}
                )
            key = data.get("key")
            if key and key in keys:
                problems.append(
                    _("Question %(n)d: the key “%(key)s” is used twice.")
                    % {"n": number, "key": key}
                )
            keys.add(key)
        if problems:
            raise ValidationError(problems)
        return cleaned

    @staticmethod
    def _kept(formset):
        """The formset's valid forms that will be saved, in their order on screen."""
        kept = []
        for form in formset.forms:
            if not form.is_valid() or form.cleaned_data.get("DELETE"):
                continue
            if form.instance.pk is None and not form.has_changed():
                continue  # an empty extra form, which is not saved
            kept.append(form)
        if formset.can_order:
            kept.sort(key=lambda form: form.cleaned_data.get("ORDER") or 0)
        return kept


class IntegerListField(forms.Field):
    """Several values of one name (checkboxes, radios), each an integer."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": _("The form was changed: an option is not valid.")}

    def to_python(self, value):
        if not value:
            return []
        if not isinstance(value, list | tuple):
            value = [value]
        try:
            return [int(v) for v in value]
        except (TypeError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class AnswerForm(forms.Form):
    """One answer as the attempt page posts it, with or without JavaScript."""

    question = forms.CharField(max_length=40)
    choice = IntegerListField(required=False)
    flag = forms.TypedChoiceField(
        choices=[
            ("true", pgettext_lazy("statement", "True")),
            ("false", pgettext_lazy("statement", "False")),
        ],
        coerce=lambda value: value == "true",
        required=False,
        empty_value=None,
    )
    text = forms.CharField(required=False, max_length=MAX_WRITTEN_CHARS, strip=False)


class GradeForm(forms.Form):
    points = forms.DecimalField(
        label=_("Points"), min_value=Decimal(0), max_digits=6, decimal_places=2
    )
    comment = forms.CharField(
        label=_("Comment for the learner"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
