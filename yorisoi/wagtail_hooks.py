from django.contrib.auth import get_user_model
from wagtail import hooks
from wagtail.users.views import users
from wagtail.users.views.bulk_actions import AssignRoleBulkAction, SetActiveStateBulkAction

from .admin_scope import ScopedViewSetMixin
from .forms import OrgUserCreationForm, OrgUserEditForm

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
    pass


# A later hook replaces Wagtail's action of the same type; order puts these after its own.
hooks.register("register_bulk_action", OrgSetActiveStateBulkAction, order=100)
hooks.register("register_bulk_action", OrgAssignRoleBulkAction, order=100)
