"""Rubric judges of role-play transcripts.

    from assessments.judges import assess, transcript_of
    judgement = assess(transcript_of(session), rubric, judge="heuristic")

`heuristic` (the default) works offline with Japanese rules; `llm` asks the configured model
and falls back to the rules; people's assessments come from `manual.from_form`. Every judge
returns a `base.Judgement`.
"""

from assessments.rubrics import RubricSpec

from . import heuristic, llm
from .base import JudgeError, JudgeKind, Judgement
from .transcript import LEARNER, Transcript

AUTOMATIC = {JudgeKind.HEURISTIC: heuristic.assess, JudgeKind.LLM: llm.assess}


def assess(transcript: Transcript, rubric: RubricSpec, judge: str = "heuristic") -> Judgement:
    try:
        run = AUTOMATIC[JudgeKind(judge)]
    except (ValueError, KeyError):
        raise JudgeError(
            "unknown_judge", f"unknown judge {judge!r}; use one of: heuristic, llm"
        ) from None
    return run(transcript, rubric)


def transcript_of(session, *, free_text_only: bool = False) -> Transcript:
    """The said turns of a practice session, numbered as stored. Pending replies (not yet
    produced) and empty turns are left out. `free_text_only` keeps of the learner's turns only
    those typed as free text: a scripted session's chosen lines are the author's, already
    scored by the author."""
    turns = session.turns.filter(pending=False).order_by("index")
    return Transcript.model_validate(
        {
            "turns": [
                {"speaker": t.speaker, "text": t.text, "index": t.index}
                for t in turns
                if t.text.strip()
                and not (free_text_only and t.speaker == LEARNER and t.choice and not t.matched)
            ]
        }
    )
