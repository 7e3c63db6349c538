"""What every judge reads: a list of turns, each the learner's or the persona's."""

from typing import Literal

from pydantic import BaseModel, Field

LEARNER = "learner"
PERSONA = "persona"


class TranscriptTurn(BaseModel):
    speaker: Literal["learner", "persona"]
    text: str = Field(max_length=20_000)
    # The turn's own number (Turn.index) when it comes from a practice session; its
    # position in the list otherwise.
    index: int | None = None


class Transcript(BaseModel):
    turns: list[TranscriptTurn]

    def numbered(self) -> list[TranscriptTurn]:
        """The turns with `index` filled in, so every rule can say which turn it fired on."""
        return [
            t if t.index is not None else t.model_copy(update={"index": n})
            for n, t in enumerate(self.turns)
        ]

    def learner_texts(self) -> list[str]:
        return [t.text for t in self.turns if t.speaker == LEARNER]
