"""Wagtail user forms: only a superuser may grant superuser status or the org admin role."""

from django.contrib.auth.models import Group
from wagtail.users.forms import UserCreationForm, UserEditForm

from .roles import ORG_ADMIN


def assignable_groups(user):
    """The roles `user` may hand out: a superuser any; anyone else every role but org admin,
    so that an org admin cannot make more org admins (or one of themselves, again)."""
    groups = Group.objects.order_by("name")
    if user is not None and user.is_superuser:
        return groups
    return groups.exclude(name=ORG_ADMIN)


class SuperuserFieldMixin:
    """Drops the "Administrator" (is_superuser) field unless the editor is a superuser, and
    offers only the roles the editor may assign.

    Without the field the posted value is ignored, so a forged `is_superuser=on` changes
    nothing; a forged org admin group id is not a valid choice.
    """

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.for_user = for_user
        if for_user is None or not for_user.is_superuser:
            self.fields.pop("is_superuser", None)
        if "groups" in self.fields:
            self.fields["groups"].queryset = assignable_groups(for_user)

    def clean_groups(self):
        """The chosen roles, plus any role the account holds that the editor cannot assign:
        leaving it off the form must not take it away."""
        chosen = list(self.cleaned_data.get("groups") or [])
        if self.instance.pk is None:
            return chosen
        kept = self.instance.groups.exclude(pk__in=assignable_groups(self.for_user))
        return chosen + list(kept)


class OrgUserCreationForm(SuperuserFieldMixin, UserCreationForm):
    pass


class OrgUserEditForm(SuperuserFieldMixin, UserEditForm):
    pass
