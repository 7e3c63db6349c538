"""The role-play JSON API (DESIGN §4), served under /api/roleplay/ with an OpenAPI schema.

Session-cookie auth with CSRF. A learner reaches only their own sessions; trainers may read the
sessions of their cohorts' trainees but not play them. Anything else is a 404, never a 403, so
the API does not confirm that someone else's session exists.
"""

import json

from django.http import HttpRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.security import django_auth

from . import services
from .models import Mode, PracticeSession, Scenario, Turn

api = NinjaAPI(
    title="Yorisoi role-play API",
    version="1",
    urls_namespace="roleplay_api",
    auth=django_auth,
    docs_url="/docs",
)


class StartIn(Schema):
    scenario: str
    mode: str = Mode.SCRIPTED


class TurnIn(Schema):
    text: str | None = None
    choice: str | None = None


class BranchIn(Schema):
    turn: int


@api.exception_handler(services.PracticeError)
def practice_error(request, exc: services.PracticeError):
    return api.create_response(
        request, {"detail": exc.message, "code": exc.code}, status=exc.status
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
    data = session.scenario_data
    persona = data["persona"]
    turns = [turn_json(t) for t in session.turns.all()]
    return {
        "id": session.pk,
        "scenario": data["slug"],
        "title": data["title"],
        "mode": session.mode,
        "status": session.status,
        "ending": session.ending or None,
        "brief": data["brief"],
        "goals": data.get("goals") or [],
        "content_note": data.get("content_note") or "",
        "persona": {k: persona.get(k) for k in ("role", "name", "age")},
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


def streamed(session, reply, submitted=None):
    """Server-sent events: `learner` (the saved turn), `delta` (reply text as it arrives),
    then `reply` with the same payload as the JSON response."""

    def events():
        if submitted is not None:
            yield sse("learner", {"turn": turn_json(submitted.turn), "notice": submitted.notice})
        while True:
            try:
                text = next(reply)
            except StopIteration as stop:
                yield sse("reply", reply_json(session, stop.value, submitted))
                return
            yield sse("delta", {"text": text})

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


@api.get("/scenarios", summary="Published scenarios the user may play")
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


@api.post("/sessions", summary="Start a practice session")
def start(request, payload: StartIn):
    scenario = get_object_or_404(Scenario.objects.playable(), slug=payload.scenario)
    session = services.start_session(request.user, scenario, payload.mode)
    return session_json(session)


@api.get("/sessions/{session_id}", summary="A session's transcript")
def transcript(request, session_id: int):
    visible = PracticeSession.objects.visible_to(request.user)
    return session_json(get_object_or_404(visible, pk=session_id))


@api.post("/sessions/{session_id}/turns", summary="Say something and get the persona's reply")
def take_turn(request, session_id: int, payload: TurnIn):
    session = own_session(request, session_id)
    submitted = services.submit(session, text=payload.text, choice=payload.choice)
    reply = services.respond(session, submitted.turn)
    if wants_stream(request):
        return streamed(session, reply, submitted)
    return reply_json(session, services.drain(reply), submitted)


@api.post("/sessions/{session_id}/retry", summary="Ask again for a pending reply")
def retry(request, session_id: int):
    session = own_session(request, session_id)
    reply = services.retry(session)
    if wants_stream(request):
        return streamed(session, reply)
    return reply_json(session, services.drain(reply))


@api.post("/sessions/{session_id}/end", summary="End the session and get the debrief")
def end(request, session_id: int):
    session = services.end_session(own_session(request, session_id))
    return {"id": session.pk, "status": session.status, **services.debrief(session)}


@api.post("/sessions/{session_id}/branch", summary="Try again from one of your turns")
def branch(request, session_id: int, payload: BranchIn):
    session = own_session(request, session_id)
    if session.mode == Mode.PEER:
        raise services.PracticeError(_("Peer practice has no turns to try again from."))
    new = services.branch(session, request.user, payload.turn)
    return session_json(new)
