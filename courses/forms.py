import unicodedata

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from yorisoi.roles import ORG_ADMIN, TRAINER

from .models import AttendanceStatus, Cohort
from .services import awaits_invitation, display_name

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


class AttendanceForm(forms.Form):
    """One status per trainee of a session's cohort, posted as `status-<user id>`."""

    PREFIX = "status-"

    def __init__(self, *args, trainees, **kwargs):
        """trainees: (user id, name, recorded status or "") for each trainee of the cohort."""
        super().__init__(*args, **kwargs)
        self.names = {}
        for user_id, name, status in trainees:
            key = f"{self.PREFIX}{user_id}"
            self.names[key] = name
            self.fields[key] = forms.ChoiceField(
                label=name,
                choices=AttendanceStatus.choices,
                required=False,
                initial=status,
                widget=forms.RadioSelect,
            )

    def clean(self):
        data = super().clean()
        # A key for someone outside the cohort is a stale or forged form: save nothing.
        if any(key.startswith(self.PREFIX) and key not in self.fields for key in self.data):
            raise forms.ValidationError(
                _("A trainee in this form is not in the session's cohort."), code="outsider"
            )
        return data

    def rows(self):
        return [(self.names[key], self[key]) for key in self.fields]

    def statuses(self) -> dict[int, str]:
        """The statuses given in the form, by user id."""
        return {
            int(key.removeprefix(self.PREFIX)): value
            for key, value in self.cleaned_data.items()
            if value
        }


def _folded(address: str) -> str:
    return unicodedata.normalize("NFKC", address).casefold()


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, which also reaches trainees who have not accepted their invitation
    yet: they have no usable password, and a lost invitation must not lock them out."""

    def get_users(self, email):
        User = get_user_model()
        field = User.get_email_field_name()
        candidates = User._default_manager.filter(**{f"{field}__iexact": email, "is_active": True})
        return (
            user
            for user in candidates
            if (user.has_usable_password() or awaits_invitation(user))
            and _folded(email) == _folded(getattr(user, field))
        )


class CohortForm(WagtailAdminModelForm):
    """The admin form of a cohort: the trainers picker lists trainers and org admins, not
    every account (trainees' names and e-mails are no business of the picker)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainers"].queryset = (
            get_user_model()
            .objects.filter(Q(groups__name__in=(TRAINER, ORG_ADMIN)) | Q(is_superuser=True))
            .distinct()
            .order_by("last_name", "first_name", "username")
        )
        # People are picked by their names, family name first, as everywhere else on the site.
        self.fields["trainers"].label_from_instance = display_name


class InPersonSessionForm(WagtailAdminModelForm):
    """The admin form of an in-person session: only a cohort the user runs can be chosen."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = Cohort.objects.visible_to(self.for_user)
