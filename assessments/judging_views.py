"""The learner's and trainer's actions on a session's judgements: ask the model again, follow a
pending judgement, and the learner's self-assessment. Someone else's session is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from roleplay.models import PracticeSession

from . import judging
from .judges.manual import FormError
from .models import JudgeKind


def _visible(request, session_id) -> PracticeSession:
    """The learner's own session, or one of their trainees' for a trainer."""
    return get_object_or_404(PracticeSession.objects.visible_to(request.user), pk=session_id)


@login_required
@require_POST
def retry_judgement(request, session_id):
    session = _visible(request, session_id)
    try:
        judging.retry_model_judge(session)
    except judging.JudgingError as exc:
        messages.error(request, exc.message)
    return redirect("roleplay_debrief", session_id=session.pk)


@login_required
def judging_status(request, session_id):
    """What a debrief waiting for the model polls: the model judgement's status."""
    session = _visible(request, session_id)
    model = session.judgements.filter(judge=JudgeKind.LLM).first()
    return JsonResponse({"status": model.status if model else None})


@login_required
def self_assessment(request, session_id):
    session = get_object_or_404(PracticeSession, pk=session_id, user=request.user)
    if session.is_active:
        messages.info(request, _("Finish the practice before assessing it."))
        return redirect("roleplay_play", session_id=session.pk)
    rubric = judging.rubric_of(session)
    own = session.judgements.filter(judge=JudgeKind.SELF).first()
    values, errors, status = _form_values(own), {}, 200
    if request.method == "POST":
        values = request.POST
        try:
            judging.save_self_assessment(session, request.user, request.POST)
        except FormError as exc:
            errors, status = exc.errors, 400
        except judging.JudgingError as exc:
            messages.error(request, exc.message)
            return redirect("roleplay_debrief", session_id=session.pk)
        else:
            messages.success(request, _("Your self-assessment is saved."))
            return redirect("roleplay_debrief", session_id=session.pk)
    rows = [
        {
            "key": c.key,
            "label": c.label,
            "description": c.description,
            "blocker": c.blocker,
            "level": str(values.get(f"{c.key}-level") or ""),
            "evidence": values.get(f"{c.key}-evidence") or "",
            "comment": values.get(f"{c.key}-comment") or "",
            "better_line": values.get(f"{c.key}-better_line") or "",
            "errors": [
                errors[f"{c.key}-{field}"]
                for field in ("level", "evidence", "comment", "better_line")
                if f"{c.key}-{field}" in errors
            ],
        }
        for c in rubric.criteria
    ]
    return render(
        request,
        "assessments/self_assessment.html",
        {"session": session, "rows": rows, "levels": ("1", "2", "3", "4"), "errors": errors},
        status=status,
    )


def _form_values(judgement) -> dict:
    """A stored self-assessment as the form's fields, so it can be changed."""
    if judgement is None:
        return {}
    values = {}
    for key, score in judgement.result.get("scores", {}).items():
        values[f"{key}-level"] = score.get("level") or ""
        values[f"{key}-evidence"] = "\n".join(score.get("evidence") or [])
        values[f"{key}-comment"] = score.get("comment", "")
        values[f"{key}-better_line"] = score.get("better_line", "")
    return values
