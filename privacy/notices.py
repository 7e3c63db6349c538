"""One-time notices a user acknowledges once (stored per user)."""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from .models import NoticeAcknowledgement


def acknowledge(user, notice: str) -> None:
    NoticeAcknowledgement.objects.get_or_create(user=user, notice=notice)


def has_read(user, notice: str) -> bool:
    return NoticeAcknowledgement.objects.filter(user=user, notice=notice).exists()


def practice_notice_pending(request, next_url: str):
    """Before a learner's first practice session: a redirect to the notice that practice must
    not use real families' details, coming back to `next_url`; None once it has been read."""
    if has_read(request.user, NoticeAcknowledgement.PRACTICE):
        return None
    return redirect(f"{reverse('privacy:practice_notice')}?{urlencode({'next': next_url})}")
