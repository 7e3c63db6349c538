from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _


class PasswordCheckForm(forms.Form):
    """The account's password again, before the account is deleted. It goes through the sign-in
    backends, so the login throttle counts wrong guesses here too."""

    password = forms.CharField(
        label=_("Your password"), strip=False, widget=forms.PasswordInput(attrs={"autofocus": True})
    )

    def __init__(self, request, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self):
        user = self.request.user
        password = self.cleaned_data["password"]
        checked = authenticate(self.request, username=user.get_username(), password=password)
        if checked is None or checked.pk != user.pk:
            raise forms.ValidationError(_("That is not your password."))
        return password


class ConfirmDeletionForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that this account and its records will be deleted for good."),
    )
