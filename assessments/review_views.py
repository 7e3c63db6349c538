"""Trainer review of role-play sessions: the queue, one session's review, and agreement."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from courses.services import display_name
from courses.views import trainer_required
from privacy.access import AccessKind, record_access

from . import review
from .review import ReviewError

QUEUE_PAGE_SIZE = 20
STATUS_BY_CODE = {"invalid_form": 400, "invalid_comment": 400, "invalid_turn": 400}
STATE_LABELS = {
    "": gettext_lazy("To review"),
    "unreviewed": gettext_lazy("Not reviewed by anyone"),
    "reviewed": gettext_lazy("Reviewed by another trainer"),
    "mine": gettext_lazy("Reviewed by me"),
}


def reviewable(request, session_id):
    """A session the trainer may review; any other id is a 404, so ids reveal nothing."""
    sessions = review.reviewable_sessions(request.user).select_related("user", "scenario")
    return get_object_or_404(sessions, pk=session_id)


@trainer_required
def queue(request):
    state = request.GET.get("state", "")
    if state not in review.QUEUE_STATES:
        state = ""
    scenario = request.GET.get("scenario", "")
    sessions = review.review_queue(request.user, scenario=scenario, state=state)
    page = Paginator(sessions, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "assessments/review_queue.html",
        {
            "page": page,
            "sessions": page,
            "state": state,
            "states": STATE_LABELS.items(),
            "scenario": scenario,
            "scenarios": review.queue_scenarios(request.user),
        },
    )


def review_response(request, session, *, status=200, **page_options):
    page = review.review_page(session, request.user, **page_options)
    return render(
        request,
        "assessments/review_session.html",
        {"review": page, "session": session, "learner": display_name(session.user)},
        status=status,
    )


def refuse(request, session, error: ReviewError, **page_options):
    """The review page again, saying what went wrong and keeping what was typed."""
    if error.code not in STATUS_BY_CODE:
        # The trainer may no longer review the session (not_found): it is gone for them.
        raise Http404
    status = STATUS_BY_CODE[error.code]
    return review_response(request, session, status=status, error=error.message, **page_options)


@trainer_required
def session_review(request, session_id):
    session = reviewable(request, session_id)
    record_access(request, AccessKind.REVIEW, session)
    return review_response(request, session, blind=request.GET.get("blind") == "1")


@require_POST
@trainer_required
def submit(request, session_id):
    session = reviewable(request, session_id)
    blind = request.POST.get("blind") == "1"
    try:
        review.record_review(session, request.POST, by=request.user, blind=blind)
    except ReviewError as error:
        return refuse(
            request, session, error, blind=blind, posted=request.POST, errors=error.errors
        )
    messages.success(request, _("Your review is saved."))
    return redirect("assessments:review", session_id=session.pk)


@require_POST
@trainer_required
def comment(request, session_id):
    session = reviewable(request, session_id)
    blind = request.POST.get("blind") == "1"
    try:
        turn_index = int(request.POST.get("turn", ""))
        review.add_comment(session, turn_index, request.POST.get("text", ""), by=request.user)
    except ValueError:
        error = ReviewError("invalid_turn", _("This turn is not part of the conversation."))
    except ReviewError as caught:
        error = caught
    else:
        url = reverse("assessments:review", args=[session.pk])
        query = "?blind=1" if blind else ""
        return redirect(f"{url}{query}#turn-{turn_index}")
    draft = (request.POST.get("turn", ""), request.POST.get("text", ""))
    return refuse(request, session, error, blind=blind, draft=draft)


@trainer_required
def agreement(request):
    blind_only = request.GET.get("ratings") == "blind"
    return render(
        request,
        "assessments/review_agreement.html",
        {
            "report": review.agreement_report(blind_only=blind_only),
            "double_rated": review.double_rated(request.user, blind_only=blind_only),
            "blind_only": blind_only,
            "min_sessions": review.KAPPA_MIN_SESSIONS,
        },
    )
