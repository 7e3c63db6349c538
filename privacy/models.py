from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessKind(models.TextChoices):
    DEBRIEF = "debrief", _("Role-play feedback")
    TRANSCRIPT = "transcript", _("Role-play transcript")
    PRACTICE_LIST = "practice_list", _("List of role-play sessions")
    REVIEW = "review", _("Role-play review")
    HOURS = "hours", _("Hours ledger")
    RESULT = "result", _("Quiz or exam result")
    EXPORT = "export", _("Download of all your data")


class AccessRecord(models.Model):
    """Someone other than the learner opened the learner's records. Who, when and what, never
    the content: the learner reads these on their privacy page."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="access_records",
        verbose_name=_("learner"),
    )
    # A viewer who leaves stays in the learner's list as a deleted account.
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("viewed by"),
    )
    kind = models.CharField(_("what"), max_length=20, choices=AccessKind.choices)
    # The record's audit-log name (e.g. a scenario or course title), never learner text.
    label = models.CharField(_("record"), max_length=200, blank=True)
    object_id = models.CharField(_("record id"), max_length=40, blank=True)
    at = models.DateTimeField(_("viewed at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("access record")
        verbose_name_plural = _("access records")
        indexes = [models.Index(fields=["learner", "-at"], name="access_by_learner")]

    def __str__(self):
        return f"{self.kind} of {self.learner_id} by {self.viewer_id}"


class NoticeAcknowledgement(models.Model):
    """A user has read a one-time notice (e.g. not to use real families' details in practice)."""

    PRACTICE = "roleplay_practice"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notice_acknowledgements",
        verbose_name=_("user"),
    )
    notice = models.CharField(_("notice"), max_length=40)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), default=timezone.now)

    class Meta:
        verbose_name = _("notice acknowledgement")
        verbose_name_plural = _("notice acknowledgements")
        constraints = [models.UniqueConstraint(fields=["user", "notice"], name="acknowledged_once")]

    def __str__(self):
        return f"{self.notice} read by {self.user_id}"
