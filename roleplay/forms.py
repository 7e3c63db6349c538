from django import forms
from django.utils.translation import gettext_lazy as _

LEVEL_CHOICES = [("1", "1"), ("2", "2"), ("3", "3"), ("4", "4"), ("", _("no occasion"))]
MAX_EVIDENCE_CHARS = 1000
MAX_CRITERION_COMMENT = 500
MAX_COMMENT = 2000


class ObserverForm(forms.Form):
    """The peer observer's rubric form: per criterion a level, quotes and a comment, posted
    as `<key>-level`, `<key>-evidence` and `<key>-comment`. It checks the shape of what was
    sent; what may be scored, and when, is the service's rule."""

    comment = forms.CharField(
        label=_("Overall comment"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, criteria, **kwargs):
        """criteria: (key, label, what it looks for) of each criterion, in order."""
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for key, label, _description in criteria:
            self.fields[f"{key}-level"] = forms.ChoiceField(
                label=label,
                choices=LEVEL_CHOICES,
                required=False,
                initial="",
                widget=forms.RadioSelect,
            )
            self.fields[f"{key}-evidence"] = forms.CharField(
                label=_("What the learner said (one quote per line)"),
                required=False,
                max_length=MAX_EVIDENCE_CHARS,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"{key}-comment"] = forms.CharField(
                label=_("Comment"), required=False, max_length=MAX_CRITERION_COMMENT
            )
        # The overall comment comes after the criteria on the page.
        self.fields["comment"] = self.fields.pop("comment")

    def rows(self):
        """Per criterion: its label, what it looks for, and its three bound fields."""
        return [
            {
                "label": label,
                "description": description,
                "level": self[f"{key}-level"],
                "evidence": self[f"{key}-evidence"],
                "comment": self[f"{key}-comment"],
            }
            for key, label, description in self.criteria
        ]

    def scores(self) -> dict:
        """The scores in the shape record_peer_scores takes."""
        data = self.cleaned_data
        return {
            key: {
                "level": int(data[f"{key}-level"]) if data[f"{key}-level"] else None,
                "evidence": data[f"{key}-evidence"].splitlines(),
                "comment": data[f"{key}-comment"],
            }
            for key, _label, _description in self.criteria
        }
