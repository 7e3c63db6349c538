from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import Button
from wagtail.users.views.bulk_actions import DeleteBulkAction

from yorisoi.roles import is_org_admin

from . import services


@hooks.register("register_user_listing_buttons")
def personal_data_button(user, request_user):
    if is_org_admin(request_user) and user.pk != request_user.pk:
        yield Button(
            _("Personal data (download, delete)"),
            reverse("privacy:user", args=[user.pk]),
            icon_name="user",
            priority=40,
        )


@hooks.register("before_delete_user")
def delete_through_privacy(request, user):
    """Wagtail's own delete would drop the account without the registry's rules (and fail on a
    corrected ledger line or a certificate): every deletion goes through the privacy page."""
    return redirect("privacy:user", user_id=user.pk)


class PrivacyDeleteBulkAction(DeleteBulkAction):
    """Wagtail's bulk delete of users, through the same service as one deletion."""

    def get_execution_context(self):
        return {**super().get_execution_context(), "by": self.request.user}

    @classmethod
    def execute_action(cls, objects, by=None, **kwargs):
        deleted = 0
        for user in objects:
            try:
                services.delete_account(user, by=by)
            except services.PrivacyError:
                # The last superuser: left in place, as the single deletion page explains.
                continue
            deleted += 1
        return deleted, 0


# A later hook replaces Wagtail's action of the same type.
hooks.register("register_bulk_action", PrivacyDeleteBulkAction, order=100)


@hooks.register("register_log_actions")
def register_privacy_actions(actions):
    actions.register_action(
        services.ACCOUNT_DELETED,
        _("Delete an account and its personal data"),
        _("Account deleted with its personal data"),
    )
    actions.register_action(
        services.DATA_EXPORTED, _("Download personal data"), _("Personal data downloaded")
    )
