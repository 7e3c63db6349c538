"""What the AI partner is told, and the guard on what it says back.

Learner text only ever travels as `user` messages: the system prompt is built from the
scenario alone, so nothing a learner types can rewrite the persona's instructions. The rubric
is never part of a persona prompt (DESIGN §5).
"""

import unicodedata

from django.template.loader import render_to_string

from .schema import ScenarioData

HISTORY_TURNS = 40
# A reply sharing this many consecutive characters with a secret is treated as leaking it.
LEAK_RUN = 12
MAX_STATE_STEP = 20

# Each function takes the scenario as `ScenarioData` (a session's `data`); a stored snapshot
# is parsed on the way in.


def _feelings(scenario: ScenarioData, state: dict) -> list[dict]:
    return [
        {
            "key": v.key,
            "label": v.label or v.key,
            "value": state.get(v.key, v.initial),
            "max": v.maximum,
        }
        for v in scenario.state
    ]


def persona_system_prompt(scenario: ScenarioData | dict, state: dict, canary: str) -> str:
    scenario = ScenarioData.parse(scenario)
    # A few of the author's lines let the model hear the persona's voice.
    examples = [n.line.strip() for n in scenario.nodes if not n.ending][:4]
    return render_to_string(
        "roleplay/prompts/persona.txt",
        {
            "persona": scenario.persona,
            "brief": scenario.brief.strip(),
            "facts": scenario.hidden_facts,
            "feelings": _feelings(scenario, state),
            "examples": examples,
            "canary": canary,
        },
    ).strip()


def persona_messages(
    scenario: ScenarioData | dict, state: dict, canary: str, turns: list[dict]
) -> list[dict]:
    """System prompt, then the conversation: persona as assistant, learner as user."""
    history = turns[-HISTORY_TURNS:]
    messages = [{"role": "system", "content": persona_system_prompt(scenario, state, canary)}]
    for turn in history:
        role = "assistant" if turn["speaker"] == "persona" else "user"
        messages.append({"role": role, "content": turn["text"]})
    return messages


def state_schema(scenario: ScenarioData | dict) -> dict:
    keys = [v.key for v in ScenarioData.parse(scenario).state]
    properties = {key: {"type": "integer"} for key in keys}
    properties["reason"] = {"type": "string"}
    return {
        "type": "object",
        "properties": properties,
        "required": [*keys, "reason"],
        "additionalProperties": False,
    }


def state_messages(scenario: ScenarioData | dict, state: dict, turns: list[dict]) -> list[dict]:
    scenario = ScenarioData.parse(scenario)
    system = render_to_string(
        "roleplay/prompts/state.txt",
        {
            "persona": scenario.persona,
            "feelings": _feelings(scenario, state),
            "step": MAX_STATE_STEP,
        },
    ).strip()
    transcript = "\n".join(
        f"{'相手役' if t['speaker'] == 'persona' else '学習者'}: {t['text']}" for t in turns[-6:]
    )
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": transcript},
    ]


def validate_state_changes(scenario: ScenarioData | dict, changes) -> dict[str, int]:
    """The model's state changes, checked; ValueError when anything is off."""
    if not isinstance(changes, dict):
        raise ValueError("not an object")
    result = {}
    for var in ScenarioData.parse(scenario).state:
        value = changes.get(var.key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"{var.key} is not an integer")
        if abs(value) > MAX_STATE_STEP:
            raise ValueError(f"{var.key} moves too far")
        result[var.key] = value
    return result


def secrets(scenario: ScenarioData | dict, canary: str) -> list[str]:
    """What the persona's words must never quote: the canary, the hidden facts, and the parts
    of the persona card the learner does not see (what the persona wants, how it is told to
    speak). The family line is left out: a persona says who it lives with, as anyone would.
    A card line shorter than a leak run (丁寧で早口) is a few everyday words, not a quote."""
    scenario = ScenarioData.parse(scenario)
    card = [scenario.persona.wants, scenario.persona.speaking_style]
    return [
        canary,
        *scenario.hidden_facts,
        *(line for line in card if len(normalise(line)) >= LEAK_RUN),
    ]


def _normal_char(char: str) -> str:
    """A character as the leak guard compares it: NFKC, case-folded, and nothing at all for
    spaces, punctuation, symbols and controls, so 「隠 れ た」事実 reads as 隠れた事実."""
    folded = unicodedata.normalize("NFKC", char).casefold()
    return "".join(c for c in folded if unicodedata.category(c)[0] in "LMN")


def normalise(text: str) -> str:
    return unicodedata.normalize("NFC", "".join(_normal_char(c) for c in text))


class LeakGuard:
    """Streams a reply while holding back any tail that could be the start of a secret.

    Text is released as soon as it cannot be part of a leak, so a normal reply flows with no
    delay, and a reply that starts quoting the canary or a hidden fact is stopped before the
    quoted part reaches the learner. Reply and secrets are compared normalised (`normalise`):
    spacing a secret out, changing its width or punctuating it does not get it through.
    """

    def __init__(self, secrets: list[str]):
        self.secrets = [n for n in map(normalise, secrets) if n]
        self.text = ""
        # The normalised reply, and for each of its characters where it starts in `text`.
        self.normal = ""
        self.origins: list[int] = []
        self.released = 0
        self.checked = 0
        self.leaked = False

    def _add(self, delta: str) -> None:
        start = len(self.text)
        self.text += delta
        for position, char in enumerate(delta, start=start):
            for normal in _normal_char(char):
                if unicodedata.combining(normal) and self.normal:
                    # A voicing mark typed apart (ｶﾞ) joins the character before it.
                    self.normal = self.normal[:-1] + unicodedata.normalize(
                        "NFC", self.normal[-1] + normal
                    )
                else:
                    self.normal += normal
                    self.origins.append(position)

    def _held_back(self) -> int:
        """Where the text that might begin a secret starts (the end when nothing might)."""
        longest = 0
        for size in range(1, min(LEAK_RUN, len(self.normal)) + 1):
            tail = self.normal[-size:]
            if any(tail in secret for secret in self.secrets):
                longest = size
            else:
                break
        return self.origins[-longest] if longest else len(self.text)

    def _leaks(self) -> bool:
        """Whether any window of the reply not checked before appears in a secret."""
        text = self.normal
        for secret in self.secrets:
            run = min(LEAK_RUN, len(secret))
            for start in range(max(0, self.checked - run + 1), len(text) - run + 1):
                if text[start : start + run] in secret:
                    return True
        self.checked = len(text)
        return False

    def feed(self, delta: str) -> str:
        """Add model output; return what may be shown now."""
        self._add(delta)
        if self.leaked or self._leaks():
            self.leaked = True
            return ""
        safe_end = self._held_back()
        out = self.text[self.released : safe_end]
        self.released = max(self.released, safe_end)
        return out

    @property
    def shown(self) -> str:
        """What has reached the learner so far."""
        return self.text[: self.released]

    def finish(self) -> str:
        """The rest of the reply once the model is done ("" when it leaked)."""
        if self.leaked or self._leaks():
            self.leaked = True
            return ""
        out = self.text[self.released :]
        self.released = len(self.text)
        return out
