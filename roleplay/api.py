"""The role-play JSON API (DESIGN §4), served under /api/roleplay/ with an OpenAPI schema.

Session-cookie auth with CSRF. A learner reaches only their own sessions; trainers may read the
sessions of their cohorts' trainees but not play them. Anything else is a 404, never a 403, so
the API does not confirm that someone else's session exists.
"""

import functools
import json
import logging
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import HttpError, ValidationError
from ninja.security import django_auth

from privacy import notices
from privacy.access import AccessKind, record_access
from privacy.models import NoticeAcknowledgement
from yorisoi.roles import is_trainer

from . import services
from .debrief import debrief_of
from .models import Mode, PracticeSession, Scenario, SessionStatus, Speaker, Turn
from .replies import Reply
from .schema import LearnerRole, PublicPersona

logger = logging.getLogger(__name__)


def staff_only(view):
    """The API's documentation page and OpenAPI document are for trainers and admins, who build
    on the API: others signed in get a 404, like any page they may not see."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_trainer(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


api = NinjaAPI(
    title="Yorisoi role-play API",
    version="1",
    urls_namespace="roleplay_api",
    auth=django_auth,
    docs_url="/docs",
    docs_decorator=staff_only,
)


class StartIn(Schema):
    scenario: str
    mode: str = Mode.SCRIPTED


class TurnIn(Schema):
    text: str | None = None
    choice: str | None = None


class BranchIn(Schema):
    turn: int


# --- what each endpoint returns (the OpenAPI document is generated from these) -------------


class ScenarioOut(Schema):
    slug: str
    title: str
    learner_role: LearnerRole
    difficulty: int = Field(ge=1, le=3)
    modes: list[Mode]


class VariableOut(Schema):
    """A state variable the learner sees move, such as trust (信頼)."""

    key: str
    label: str
    min: int
    max: int


class TurnOut(Schema):
    index: int
    speaker: Speaker
    text: str
    choice: str | None = Field(description="The scripted choice this turn picked, if any.")
    matched: bool = Field(description="Free text matched to the nearest scripted choice.")
    masked: list[str] = Field(description="Kinds of personal information masked in the text.")
    pending: bool = Field(description="A reply that could not be produced yet; retry asks again.")
    error: str | None
    state: dict[str, int] = Field(description="The state after this turn.")
    at: str = Field(description="When the turn was said (ISO 8601).")


class ChoiceOut(Schema):
    id: str
    text: str


class SessionOut(Schema):
    """A session and its transcript, with the part of the scenario the learner may see: never
    the hidden facts or the rubric."""

    id: int
    scenario: str = Field(description="The scenario's slug.")
    title: str
    mode: Mode
    status: SessionStatus
    ending: str | None
    brief: str
    goals: list[str]
    content_note: str
    persona: PublicPersona
    variables: list[VariableOut]
    state: dict[str, int]
    turns: list[TurnOut]
    choices: list[ChoiceOut] = Field(description="The scripted choices on offer now.")
    pending: bool


class ReplyOut(Schema):
    """The persona's reply; after a learner's turn also that turn as saved, a notice when
    personal information was masked, and which choice free text matched."""

    turn: TurnOut
    state: dict[str, int]
    pending: bool
    status: SessionStatus
    ending: str | None
    choices: list[ChoiceOut]
    learner_turn: TurnOut | None = None
    notice: str | None = None
    matched: ChoiceOut | None = None


class EndingOut(Schema):
    kind: str
    summary: str


class RuleHitOut(Schema):
    """A rule that fired: which, on which turn, on which words."""

    rule: str
    label: str
    turn: int
    quote: str


class CriterionScoreOut(Schema):
    level: int | None = Field(ge=1, le=4, description="None: the conversation gave no occasion.")
    evidence: list[str] = Field(description="The learner's own words, quoted.")
    comment: str
    better_line: str = Field(description="A better line to say; empty at level 4.")
    rules: list[RuleHitOut] = Field(description="The rules that set the level, by turn.")


class MomentOut(Schema):
    """A turn where a better choice was on offer, with that choice."""

    turn: int
    persona_said: str
    you_said: str
    feedback: str
    better: str
    why_better: str
    gap: float


class ModelLineOut(Schema):
    criterion: str
    line: str
    note: str | None = None


class TurnSkillsOut(Schema):
    turn: int
    codes: list[str]


class SkillsOut(Schema):
    """Conversation-skill counts per learner turn, after MITI 4, with target bands."""

    learner_turns: int
    counts: dict[str, int] = Field(
        description="open_question, closed_question, reflection, affirmation, "
        "advice_with_permission, advice_without_permission"
    )
    reflection_to_question: float | None
    open_question_share: float | None
    bands: dict[str, str | None] = Field(description="good, fair or below against `targets`.")
    targets: dict[str, dict[str, float]]
    turns: list[TurnSkillsOut]


class JudgementOut(Schema):
    judge: str = Field(description="scripted, heuristic, llm, observer, self or trainer.")
    status: str = Field(description="pending (being judged), done or failed.")
    passed: bool | None
    error: str | None


class DebriefOut(Schema):
    """The debrief. Rubric scores come from the session's judgements: the author's choice
    scores (scripted), the observer's (peer), or the AI judge's once it is done and the
    automatic rules' until then (AI partner)."""

    id: int
    status: SessionStatus
    ending: EndingOut | None
    variables: list[VariableOut]
    state_curve: list[dict[str, int]] = Field(description="The state after each reply.")
    model_lines: list[ModelLineOut]
    minutes_credited: int
    scores: dict[str, CriterionScoreOut] | None = None
    scored_by: str | None = Field(None, description="The judge of `scores`.")
    scorer: str | None = Field(None, description="The observer's name in peer practice.")
    comment: str = Field("", description="The observer's overall comment.")
    passed: bool | None = None
    judging: str | None = Field(
        None, description="The AI judge's status: pending, done, failed; None when not asked."
    )
    criterion_labels: dict[str, str] = {}
    moments: list[MomentOut] = []
    skills: SkillsOut | None = None
    judgements: list[JudgementOut] = []


class ErrorOut(Schema):
    detail: str | list[dict[str, Any]] = Field(
        description="What went wrong; a list of field problems when the request is malformed."
    )
    code: str | None = Field(None, description="Why the role-play refused, e.g. `ended`.")


# The HTTP status of each refusal the services make; the services speak in codes only.
STATUS_OF = {
    "invalid": 400,
    "choice": 400,
    "too_long": 400,
    "not_observer": 403,
    "notice_pending": 403,
    "not_found": 404,
    "ended": 409,
    "llm_unavailable": 409,
    "not_pending": 409,
    "reply_in_progress": 409,
    "no_match": 422,
    "quota": 429,
}


# Every status a request can be refused with: not logged in, malformed, refused by the rules,
# too large or with a character that cannot be saved (yorisoi/middleware.py), or a failure.
REFUSED = frozenset({401, 413, 422, 500, *STATUS_OF.values()})


@api.exception_handler(services.PracticeError)
def practice_error(request, exc: services.PracticeError):
    return api.create_response(
        request, {"detail": exc.message, "code": exc.code}, status=STATUS_OF[exc.code]
    )


# Every other refusal and failure answers in the same {"detail", "code"} shape.
@api.exception_handler(Http404)
def not_found(request, exc: Http404):
    return api.create_response(
        request, {"detail": _("Not found."), "code": "not_found"}, status=404
    )


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    code = "not_authenticated" if exc.status_code == 401 else "refused"
    return api.create_response(
        request, {"detail": exc.message, "code": code}, status=exc.status_code
    )


@api.exception_handler(ValidationError)
def malformed(request, exc: ValidationError):
    return api.create_response(request, {"detail": exc.errors, "code": "malformed"}, status=422)


@api.exception_handler(Exception)
def server_error(request, exc: Exception):
    """The traceback is logged, never the request body: it holds what the learner typed."""
    logger.error("Role-play API error on %s %s", request.method, request.path, exc_info=exc)
    return api.create_response(
        request,
        {
            "detail": _("Something went wrong. Please try again in a moment."),
            "code": "server_error",
        },
        status=500,
    )


def turn_json(turn: Turn) -> dict:
    return {
        "index": turn.index,
        "speaker": turn.speaker,
        "text": turn.text,
        "choice": turn.choice or None,
        "matched": turn.matched,
        "masked": turn.masked,
        "pending": turn.pending,
        "error": turn.error or None,
        "state": turn.state_after,
        "at": turn.created_at.isoformat(),
    }


def session_json(session: PracticeSession) -> dict:
    """The transcript and what the learner may see: never hidden facts or the rubric."""
    data = session.data
    turns = [turn_json(t) for t in session.turns.all()]
    return {
        "id": session.pk,
        "scenario": data.slug,
        "title": data.title,
        "mode": session.mode,
        "status": session.status,
        "ending": session.ending or None,
        "brief": data.brief,
        "goals": data.goals,
        "content_note": data.content_note,
        "persona": data.public_persona(),
        "variables": [
            {"key": v.key, "label": v.label, "min": v.minimum, "max": v.maximum}
            for v in session.script.variables
        ],
        "state": session.state,
        "turns": turns,
        "choices": choices_json(session),
        "pending": bool(turns and turns[-1]["pending"]),
    }


def choices_json(session: PracticeSession) -> list[dict]:
    """The scripted choices on offer now; none in the other modes or after the end."""
    node = session.current_node()
    if session.mode != Mode.SCRIPTED or not session.is_active or node is None:
        return []
    return [{"id": c.id, "text": c.text} for c in node.available(session.state)]


def reply_json(session: PracticeSession, reply: Turn, submitted=None) -> dict:
    payload = {
        "turn": turn_json(reply),
        "state": session.state,
        "pending": reply.pending,
        "status": session.status,
        "ending": session.ending or None,
        "choices": choices_json(session),
    }
    if submitted is not None:
        payload["learner_turn"] = turn_json(submitted.turn)
        payload["notice"] = submitted.notice
        if submitted.matched:
            payload["matched"] = {"id": submitted.matched.id, "text": submitted.matched.text}
    return payload


def own_session(request, session_id: int) -> PracticeSession:
    return get_object_or_404(PracticeSession, pk=session_id, user=request.user)


def wants_stream(request: HttpRequest) -> bool:
    return "text/event-stream" in request.headers.get("Accept", "")


def sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


class EventStream:
    """Server-sent events: `learner` (the saved turn), `delta` (reply text as it arrives),
    then `reply` with the same payload as the JSON response.

    Django closes it when the response ends, also when the client went away early or before
    it began; closing finishes and saves the reply."""

    def __init__(self, session: PracticeSession, reply: Reply, submitted=None):
        self.session, self.reply, self.submitted = session, reply, submitted

    def __iter__(self):
        if self.submitted is not None:
            turn = turn_json(self.submitted.turn)
            yield sse("learner", {"turn": turn, "notice": self.submitted.notice})
        for text in self.reply:
            yield sse("delta", {"text": text})
        yield sse("reply", reply_json(self.session, self.reply.turn, self.submitted))

    def close(self):
        self.reply.close()


def streamed(session, reply: Reply, submitted=None):
    response = StreamingHttpResponse(
        EventStream(session, reply, submitted), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


@api.get(
    "/scenarios",
    summary="Published scenarios the user may play",
    response={200: list[ScenarioOut], REFUSED: ErrorOut},
)
def list_scenarios(request):
    modes = services.available_modes()
    return [
        {
            "slug": s.slug,
            "title": s.title,
            "learner_role": s.learner_role,
            "difficulty": s.difficulty,
            "modes": modes,
        }
        for s in Scenario.objects.playable()
    ]


@api.post(
    "/sessions", summary="Start a practice session", response={200: SessionOut, REFUSED: ErrorOut}
)
def start(request, payload: StartIn):
    scenario = get_object_or_404(Scenario.objects.playable(), slug=payload.scenario)
    # As on the site: a learner's first practice comes after the notice that it must not use
    # real families' details, which is read on the site.
    if not notices.has_read(request.user, NoticeAcknowledgement.PRACTICE):
        raise services.PracticeError(
            _(
                "Before your first practice, read the notice on what not to write, on the "
                "site: %(url)s"
            )
            % {"url": request.build_absolute_uri(reverse("privacy:practice_notice"))},
            code="notice_pending",
        )
    session = services.start_session(request.user, scenario, payload.mode)
    return session_json(session)


@api.get(
    "/sessions/{session_id}",
    summary="A session's transcript",
    response={200: SessionOut, REFUSED: ErrorOut},
)
def transcript(request, session_id: int):
    visible = PracticeSession.objects.visible_to(request.user)
    session = get_object_or_404(visible, pk=session_id)
    record_access(request, AccessKind.TRANSCRIPT, session)
    return session_json(session)


@api.post(
    "/sessions/{session_id}/turns",
    summary="Say something and get the persona's reply",
    description="With `Accept: text/event-stream` the reply streams as server-sent events: "
    "`learner`, then `delta` as the words arrive, then `reply` with this response's body.",
    response={200: ReplyOut, REFUSED: ErrorOut},
    exclude_unset=True,
)
def take_turn(request, session_id: int, payload: TurnIn):
    submitted = services.submit(
        session_id, user=request.user, text=payload.text, choice=payload.choice
    )
    session = submitted.session
    if wants_stream(request):
        return streamed(session, submitted.reply, submitted)
    return reply_json(session, submitted.reply.turn, submitted)


@api.post(
    "/sessions/{session_id}/retry",
    summary="Ask again for a pending reply",
    description="Streams like a turn with `Accept: text/event-stream`.",
    response={200: ReplyOut, REFUSED: ErrorOut},
    exclude_unset=True,
)
def retry(request, session_id: int):
    session = own_session(request, session_id)
    reply = services.retry(session)
    if wants_stream(request):
        return streamed(session, reply)
    return reply_json(session, reply.turn)


@api.post(
    "/sessions/{session_id}/end",
    summary="End the session and get the debrief",
    response={200: DebriefOut, REFUSED: ErrorOut},
)
def end(request, session_id: int):
    session = services.end_session(own_session(request, session_id))
    return {"id": session.pk, "status": session.status, **debrief_of(session)}


@api.post(
    "/sessions/{session_id}/branch",
    summary="Try again from one of your turns",
    response={200: SessionOut, REFUSED: ErrorOut},
)
def branch(request, session_id: int, payload: BranchIn):
    session = own_session(request, session_id)
    new = services.branch(session, request.user, payload.turn)
    return session_json(new)
