"""Personal data of the privacy app itself and of the Wagtail and Django apps we install.

Wagtail's records of authoring work (pages, revisions, workflow steps, uploads, the audit log)
are the organisation's: they stay, and the link to a deleted account is cleared by each field's
own SET_NULL (the audit log keeps the bare account id, DO_NOTHING, and its labels for the
deleted person's records are blanked by the deletion). A person's own admin settings, page
comments, subscriptions, API tokens and editing presence go with the account.
"""

from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.admin.models import EditingSession, FormState
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import (
    APIToken,
    Comment,
    CommentReply,
    ModelLogEntry,
    Page,
    PageLogEntry,
    PageSubscription,
    Revision,
    TaskState,
    UploadedFile,
    WorkflowState,
)
from wagtail.users.models import UserProfile

from .models import AccessRecord, NoticeAcknowledgement
from .registry import DELETED_NAME, register


def export_access_records(records):
    from courses.services import display_name

    return [
        {
            "kind": record.kind,
            "record": record.label,
            "at": record.at,
            "viewer": display_name(record.viewer) if record.viewer else DELETED_NAME,
        }
        for record in records.select_related("viewer")
    ]


register(
    AccessRecord,
    owner="learner",
    section="access_records",
    export=export_access_records,
    actors=("viewer",),
)
register(NoticeAcknowledgement, section="notices_read", export=("notice", "acknowledged_at"))

register(
    UserProfile,
    section="admin_preferences",
    export=("preferred_language", "current_time_zone"),
)
register(
    Comment,
    section="page_comments",
    export=("page_id", "text", "created_at"),
    actors=("resolved_by",),
)
register(CommentReply, section="page_comment_replies", export=("comment_id", "text", "created_at"))
register(PageSubscription, why="Notification settings for pages; they go with the account.")
register(APIToken, why="Credentials; never exported, they go with the account.")
register(EditingSession, why="Who is editing a page right now; transient.")
register(FormState, why="Unsaved admin form drafts; transient.")
register(TOTPDevice, why="Two-factor sign-in secrets; never exported.")
register(StaticDevice, why="Two-factor backup codes; never exported.")

for model, actors in (
    (Page, ("owner", "locked_by")),
    (Revision, ("user",)),
    (WorkflowState, ("requested_by",)),
    (TaskState, ("finished_by",)),
    (UploadedFile, ("uploaded_by_user",)),
    (Document, ("uploaded_by_user",)),
    (Image, ("uploaded_by_user",)),
    (ModelLogEntry, ("user",)),
    (PageLogEntry, ("user",)),
):
    register(model, owner=None, actors=actors, why="The organisation's authoring records.")
