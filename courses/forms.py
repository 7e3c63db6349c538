from django import forms
from django.utils.translation import gettext_lazy as _

MAX_ROSTER_BYTES = 1024 * 1024


class RosterForm(forms.Form):
    file = forms.FileField(
        label=_("Roster CSV"),
        required=False,
        help_text=_("UTF-8 CSV with a header row: 氏名,メールアドレス (or name,email)."),
    )
    text = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > MAX_ROSTER_BYTES:
                raise forms.ValidationError(_("The file is larger than 1 MB."))
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(
                    _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
                ) from None
        if not data.get("text"):
            raise forms.ValidationError(_("Choose a CSV file."))
        return data


class CorrectionForm(forms.Form):
    minutes = forms.IntegerField(label=_("Corrected minutes"), min_value=0, max_value=100_000)
    reason = forms.CharField(label=_("Reason"), max_length=300)
