import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Value, When
from django.db.models.fields.json import KT
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.services import display_name
from privacy.access import AccessKind, record_access
from privacy.notices import practice_notice_pending
from yorisoi.roles import COORDINATOR, is_trainer, role_names

from . import llm, services
from .debrief import debrief_of, rubric_criteria, sections_of
from .forms import ObserverForm
from .models import Mode, PracticeSession, Scenario, ScoreSource, SessionStatus

SESSIONS_PAGE_SIZE = 20
PEER_ROLES = ("persona", "observer")


@login_required
def scenario_list(request):
    # A list needs titles, not scripts: the script and each session's scenario snapshot are the
    # largest columns we have, and decoding them made this page grow with every session.
    scenarios = (
        Scenario.objects.playable()
        .only("slug", "title", "learner_role", "difficulty", "content_note", "brief")
        .prefetch_related("competencies")
    )
    # The learner's own role first: a trainee home visitor should not scroll past every
    # coordinator scenario (the alphabetical order put those first) to find their own.
    own = "coordinator" if COORDINATOR in role_names(request.user) else "home_visitor"
    scenarios = scenarios.order_by(
        Case(When(learner_role=own, then=Value(0)), default=Value(1)), "difficulty", "title"
    )
    role = request.GET.get("role")
    if role in ("home_visitor", "coordinator"):
        scenarios = scenarios.filter(learner_role=role)
    mine = (
        PracticeSession.objects.filter(user=request.user)
        .only("status", "mode", "started_at")
        .annotate(title=KT("scenario_data__title"))
    )
    page = Paginator(mine, SESSIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "roleplay/scenario_list.html",
        {"scenarios": scenarios, "sessions": page, "page": page, "role": role},
    )


@login_required
def scenario_detail(request, slug):
    scenario = get_object_or_404(Scenario.objects.playable(), slug=slug)
    return render(
        request,
        "roleplay/scenario_detail.html",
        {
            "scenario": scenario,
            "goals": scenario.as_data()["goals"],
            "llm_ready": llm.is_configured(),
        },
    )


@login_required
@require_POST
def start(request, slug):
    scenario = get_object_or_404(Scenario.objects.playable(), slug=slug)
    notice = practice_notice_pending(request, reverse("roleplay_scenario", args=[slug]))
    if notice is not None:
        return notice
    try:
        session = services.start_session(request.user, scenario, request.POST.get("mode", ""))
    except services.PracticeError as exc:
        messages.error(request, exc.message)
        return redirect("roleplay_scenario", slug=slug)
    if session.mode == Mode.PEER:
        return redirect("roleplay_peer", session_id=session.pk)
    return redirect("roleplay_play", session_id=session.pk)


def own_session(request, session_id) -> PracticeSession:
    return get_object_or_404(PracticeSession, pk=session_id, user=request.user)


def visible_session(request, session_id) -> PracticeSession:
    return get_object_or_404(PracticeSession.objects.visible_to(request.user), pk=session_id)


@login_required
def play(request, session_id):
    session = own_session(request, session_id)
    if session.mode == Mode.PEER:
        return redirect("roleplay_peer", session_id=session.pk)
    if session.status == SessionStatus.ENDED:
        return redirect("roleplay_debrief", session_id=session.pk)
    labels = {
        "you": _("You"),
        "chose": _("You chose:"),
        "pending": _("The reply did not arrive. Your words are saved."),
        "incomplete": _("The reply was cut off here. Your words are saved."),
        "retry": _("Ask again"),
        "failed": _("Something went wrong. Your words are saved; please try again."),
        "ended": _("The conversation has ended."),
        "feedback": _("See feedback"),
        "confirm_end": _("End this conversation and see the feedback?"),
    }
    return render(
        request,
        "roleplay/play.html",
        {"session": session, "labels": labels, "max_input": settings.YORISOI_ROLEPLAY_MAX_INPUT},
    )


@login_required
def debrief(request, session_id):
    session = visible_session(request, session_id)
    if session.is_active and session.user_id == request.user.pk:
        return redirect("roleplay_play", session_id=session.pk)
    record_access(request, AccessKind.DEBRIEF, session)
    sections = sections_of(session, request)
    data = debrief_of(session, request, sections)
    return render(
        request,
        "roleplay/debrief.html",
        {
            "session": session,
            "debrief": data,
            "sections": sections,
            "turns": session.turns.all(),
            "chart": state_chart(data),
            "is_owner": session.user_id == request.user.pk,
            "learner": display_name(session.user),
        },
    )


@login_required
@require_POST
def branch(request, session_id):
    session = own_session(request, session_id)
    turn = request.POST.get("turn", "")
    try:
        new = services.branch(session, request.user, int(turn) if turn.isdigit() else -1)
    except services.PracticeError as exc:
        messages.error(request, exc.message)
        return redirect("roleplay_debrief", session_id=session.pk)
    return redirect("roleplay_play", session_id=new.pk)


def state_chart(data: dict, width: int = 320, height: int = 120) -> list[dict]:
    """Polyline points per state variable, for a small inline SVG with no script."""
    curve = data["state_curve"]
    if len(curve) < 2:
        return []
    lines = []
    step = width / (len(curve) - 1)
    for var in data["variables"]:
        span = (var["max"] - var["min"]) or 1

        def y(point, var=var, span=span):
            return height - (point.get(var["key"], var["min"]) - var["min"]) / span * height

        points = " ".join(f"{i * step:.1f},{y(p):.1f}" for i, p in enumerate(curve))
        lines.append({"label": var["label"], "points": points, "last": curve[-1].get(var["key"])})
    return lines


# --- Peer practice ------------------------------------------------------------------------


@login_required
def peer(request, session_id):
    """The learner's screen in peer practice: the brief, the timer and links for partners."""
    session = own_session(request, session_id)
    if session.mode != Mode.PEER:
        return redirect("roleplay_play", session_id=session.pk)
    labels = {"persona": _("Link for the counterpart"), "observer": _("Link for the observer")}
    links = []
    for role in PEER_ROLES:
        url = request.build_absolute_uri(
            reverse("roleplay_peer_join", args=[session.peer_code, role])
        )
        links.append(
            {"role": role, "label": labels[role], "url": url, "qr": qr_svg(url, labels[role])}
        )
    return render(
        request,
        "roleplay/peer_learner.html",
        {"session": session, "data": session.scenario_data, "links": links},
    )


def qr_svg(url: str, title: str) -> str:
    """A QR code of the link as inline SVG, so a partner can open it with their phone's
    camera; drawn on the server, with nothing fetched from elsewhere."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=4, omitsize=True, svgclass="qr", title=title)
    # bandit B308/B703: segno's own SVG markup: path data and the title, which segno escapes.
    return mark_safe(svg)  # nosec B308 B703


@login_required
def peer_status(request, session_id):
    """What the learner's peer screen polls, to open the feedback once the scores are in."""
    session = own_session(request, session_id)
    return JsonResponse(
        {
            "status": session.status,
            "debrief": reverse("roleplay_debrief", args=[session.pk]),
        }
    )


@login_required
def peer_join(request, code, role):
    """A colleague's screen: the persona card with hidden facts, or the observer's rubric."""
    session = get_object_or_404(PracticeSession, peer_code=code, mode=Mode.PEER)
    if role not in PEER_ROLES:
        raise Http404
    if session.user_id == request.user.pk:
        # The learner must not see the hidden facts or score themselves.
        messages.info(request, _("These links are for your partners; you play the learner."))
        return redirect("roleplay_peer", session_id=session.pk)
    data = session.scenario_data
    context = {"session": session, "data": data, "role": role}
    if role == "persona":
        return render(request, "roleplay/peer_persona.html", context)
    if session.scores.filter(source=ScoreSource.PEER, scorer=request.user).exists():
        return redirect("roleplay_peer_done", code=code)
    form = ObserverForm(request.POST or None, criteria=rubric_criteria(data))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.record_peer_scores(
                    session, request.user, form.scores(), form.cleaned_data["comment"]
                )
            except services.PracticeError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("roleplay_peer_done", code=code)
    context["form"] = form
    return render(request, "roleplay/peer_observer.html", context, status=status)


@login_required
def peer_done(request, code):
    """The observer's own page after scoring: thanks, and the scores they gave. The learner's
    feedback stays the learner's."""
    session = get_object_or_404(PracticeSession, peer_code=code, mode=Mode.PEER)
    score = get_object_or_404(session.scores.filter(source=ScoreSource.PEER, scorer=request.user))
    labels = {key: label for key, label, _text in rubric_criteria(session.scenario_data)}
    return render(
        request,
        "roleplay/peer_observer_done.html",
        {
            "session": session,
            "data": session.scenario_data,
            "learner": display_name(session.user),
            "score": score,
            "labels": labels,
        },
    )


# --- Trainers -----------------------------------------------------------------------------


@login_required
def trainer_sessions(request):
    if not is_trainer(request.user):
        raise PermissionDenied
    sessions = (
        PracticeSession.objects.visible_to(request.user)
        .exclude(user=request.user)
        .select_related("user", "scenario")
    )
    page = Paginator(sessions, SESSIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    record_access(request, AccessKind.PRACTICE_LIST, *page)
    return render(request, "roleplay/trainer_sessions.html", {"sessions": page, "page": page})
