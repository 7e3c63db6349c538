"""Wagtail user forms: only a superuser may grant superuser status."""

from wagtail.users.forms import UserCreationForm, UserEditForm


class SuperuserFieldMixin:
    """Drops the "Administrator" (is_superuser) field unless the editor is a superuser.

    Without the field the posted value is ignored, so a forged `is_superuser=on` changes
    nothing.
    """

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if for_user is None or not for_user.is_superuser:
            self.fields.pop("is_superuser", None)


class OrgUserCreationForm(SuperuserFieldMixin, UserCreationForm):
    pass


class OrgUserEditForm(SuperuserFieldMixin, UserEditForm):
    pass
