from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import Button
from wagtail.users.views import users
from wagtail.users.views.bulk_actions import AssignRoleBulkAction, SetActiveStateBulkAction

from . import two_factor
from .admin_scope import ScopedViewSetMixin
from .forms import OrgUserCreationForm, OrgUserEditForm, assignable_groups

User = get_user_model()


def manageable_users(user):
    """Superuser accounts are managed by superusers only; org admins manage everyone else."""
    if user.is_superuser:
        return User._default_manager.all()
    return User._default_manager.filter(is_superuser=False)


class ForUserFormMixin:
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_user": self.request.user}


class UserIndexView(users.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().filter(pk__in=manageable_users(self.request.user))


class UserCreateView(ForUserFormMixin, users.CreateView):
    pass


class UserEditView(ForUserFormMixin, users.EditView):
    pass


class UserViewSet(ScopedViewSetMixin, users.UserViewSet):
    """Wagtail's Users screens, with superuser accounts and status out of an org admin's reach.

    Installed through `yorisoi.apps.UsersAdminConfig.user_viewset`.
    """

    index_view_class = UserIndexView
    add_view_class = UserCreateView
    edit_view_class = UserEditView

    def get_queryset(self, request):
        return manageable_users(request.user)

    def get_form_class(self, for_update=False):
        return OrgUserEditForm if for_update else OrgUserCreationForm


class ManageableUsersMixin:
    """Bulk actions skip accounts the user may not manage (a superuser, for an org admin)."""

    def check_perm(self, obj):
        return (
            super().check_perm(obj)
            and manageable_users(self.request.user).filter(pk=obj.pk).exists()
        )


class OrgSetActiveStateBulkAction(ManageableUsersMixin, SetActiveStateBulkAction):
    pass


class OrgAssignRoleBulkAction(ManageableUsersMixin, AssignRoleBulkAction):
    def get_form(self, form_class=None):
        """Only the roles the user may hand out: the org admin role is a superuser's to give."""
        form = super().get_form(form_class)
        form.fields["role"].queryset = assignable_groups(self.request.user)
        return form


# A later hook replaces Wagtail's action of the same type; order puts these after its own.
hooks.register("register_bulk_action", OrgSetActiveStateBulkAction, order=100)
hooks.register("register_bulk_action", OrgAssignRoleBulkAction, order=100)


@hooks.register("register_user_listing_buttons")
def two_factor_reset_button(user, request_user):
    """A way back in for someone who lost their phone and their backup codes."""
    if not two_factor.may_reset(request_user, user):
        return []
    return [
        Button(
            _("Reset two-step sign-in"),
            reverse("two_factor_reset", args=[user.pk]),
            icon_name="key",
            priority=60,
        )
    ]


@hooks.register("register_log_actions")
def register_two_factor_actions(actions):
    """Changes to an account's two-step sign-in, in the audit log of that account."""
    actions.register_action(
        two_factor.ENABLED_ACTION, _("Set up two-step sign-in"), _("Two-step sign-in set up")
    )
    actions.register_action(
        two_factor.DISABLED_ACTION, _("Turn off two-step sign-in"), _("Two-step sign-in turned off")
    )
    actions.register_action(
        two_factor.RESET_ACTION, _("Reset two-step sign-in"), _("Two-step sign-in reset")
    )
    actions.register_action(
        two_factor.BACKUP_CODES_ACTION,
        _("Make new backup codes"),
        _("New backup codes made for two-step sign-in"),
    )
