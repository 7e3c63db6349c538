import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import (
    FieldPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.fields import StreamField
from wagtail.models import DraftStateMixin, Orderable, PreviewableMixin, RevisionMixin
from wagtail.search import index

from courses.models import Competency, HoursEntry
from yorisoi.roles import is_org_admin, is_trainer

from .blocks import EndRuleBlock, ModelLineBlock, NodeBlock, StateVariableBlock
from .scripts import (
    STANDARD_CRITERIA,
    Script,
    ScriptError,
    format_numbers,
    parse_numbers,
)


class LearnerRole(models.TextChoices):
    HOME_VISITOR = "home_visitor", _("Home visitor")
    COORDINATOR = "coordinator", _("Coordinator")


class Difficulty(models.IntegerChoices):
    EASY = 1, _("Easy")
    MEDIUM = 2, _("Medium")
    HARD = 3, _("Hard")


class Mode(models.TextChoices):
    SCRIPTED = "scripted", _("Scripted")
    LLM = "llm", _("AI partner")
    PEER = "peer", _("Peer practice")


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ScenarioQuerySet(models.QuerySet):
    def playable(self):
        return self.filter(live=True)


class Scenario(DraftStateMixin, RevisionMixin, PreviewableMixin, index.Indexed, ClusterableModel):
    """A practice conversation: who the learner and the persona are, and the branching script.

    `as_data()` is the one plain-data form of a scenario: content-pack files, the session
    snapshot the engines play from, and the outline preview all use it.
    """

    title = models.CharField(_("title"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, allow_unicode=False)
    learner_role = models.CharField(
        _("the learner plays"), max_length=20, choices=LearnerRole.choices
    )
    difficulty = models.PositiveSmallIntegerField(
        _("difficulty"), choices=Difficulty.choices, default=Difficulty.MEDIUM
    )
    competencies = ParentalManyToManyField(
        Competency, blank=True, related_name="scenarios", verbose_name=_("competencies")
    )
    brief = models.TextField(_("situation brief"), help_text=_("Shown to the learner."))
    goals = models.TextField(_("learner goals"), help_text=_("One goal per line."))
    content_note = models.TextField(
        _("content note"), blank=True, help_text=_("Warn learners about sensitive topics.")
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    persona_role = models.CharField(_("persona's role"), max_length=80)
    persona_name = models.CharField(_("persona's name"), max_length=60)
    persona_age = models.PositiveSmallIntegerField(_("persona's age"), null=True, blank=True)
    persona_family = models.TextField(_("family situation"), blank=True)
    persona_style = models.TextField(_("speaking style"), blank=True)
    persona_wants = models.TextField(_("what the persona wants"), blank=True)
    hidden_facts = models.TextField(
        _("hidden facts"),
        blank=True,
        help_text=_("One per line. Only the engine and a peer playing the persona see these."),
    )
    fallback_line = models.CharField(
        _("fallback line"),
        max_length=200,
        blank=True,
        help_text=_("What the persona says when the AI partner cannot answer in time."),
    )
    state_variables = StreamField(
        [("variable", StateVariableBlock())], verbose_name=_("state variables")
    )
    turn_limit = models.PositiveSmallIntegerField(
        _("turn limit"), default=12, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    end_rules = StreamField([("rule", EndRuleBlock())], blank=True, verbose_name=_("end when"))
    script = StreamField(
        [("node", NodeBlock())],
        verbose_name=_("script"),
        help_text=_("The first node starts the conversation; its line is the opening line."),
    )
    use_standard_rubric = models.BooleanField(_("score on the standard rubric"), default=True)
    model_lines = StreamField(
        [("line", ModelLineBlock())], blank=True, verbose_name=_("model lines")
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScenarioQuerySet.as_manager()

    overview_panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        FieldPanel("learner_role"),
        FieldPanel("difficulty"),
        FieldPanel("competencies"),
        FieldPanel("brief"),
        FieldPanel("goals"),
        FieldPanel("content_note"),
        FieldPanel("source"),
    ]
    persona_panels = [
        MultiFieldPanel(
            [
                FieldPanel("persona_role"),
                FieldPanel("persona_name"),
                FieldPanel("persona_age"),
                FieldPanel("persona_family"),
                FieldPanel("persona_style"),
                FieldPanel("persona_wants"),
            ],
            heading=_("Persona card"),
        ),
        FieldPanel("hidden_facts"),
        FieldPanel("fallback_line"),
    ]
    script_panels = [
        FieldPanel("state_variables"),
        FieldPanel("turn_limit"),
        FieldPanel("end_rules"),
        FieldPanel("script"),
    ]
    feedback_panels = [
        FieldPanel("use_standard_rubric"),
        InlinePanel("criteria", label=_("Scenario-specific rubric criteria")),
        FieldPanel("model_lines"),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(overview_panels, heading=_("Overview")),
            ObjectList(persona_panels, heading=_("Persona")),
            ObjectList(script_panels, heading=_("Script")),
            ObjectList(feedback_panels, heading=_("Feedback")),
        ]
    )
    search_fields = [index.SearchField("title"), index.SearchField("brief")]
    preview_modes = [("", _("Learner view")), ("outline", _("Script outline"))]

    class Meta:
        verbose_name = _("scenario")
        ordering = ["learner_role", "difficulty", "title"]

    def __str__(self):
        return self.title

    # -- plain data ---------------------------------------------------------------------------

    def as_data(self) -> dict:
        """The scenario as the content-pack file format holds it (see load_content --help)."""
        return {
            "slug": self.slug,
            "title": self.title,
            "learner_role": self.learner_role,
            "difficulty": self.difficulty,
            "competencies": [c.code for c in self.competencies.all()],
            "source": self.source,
            "content_note": self.content_note,
            "brief": self.brief,
            "goals": lines(self.goals),
            "persona": {
                "role": self.persona_role,
                "name": self.persona_name,
                "age": self.persona_age,
                "family": self.persona_family,
                "speaking_style": self.persona_style,
                "wants": self.persona_wants,
            },
            "hidden_facts": lines(self.hidden_facts),
            "fallback_line": self.fallback_line,
            "state": [
                {
                    "key": v["key"],
                    "label": v["label"],
                    "initial": v["initial"],
                    "min": v["minimum"],
                    "max": v["maximum"],
                }
                for v in self._raw(self.state_variables)
            ],
            "turn_limit": self.turn_limit,
            "end_when": [
                {"if": r["condition"], "goto": r["goto"]} for r in self._raw(self.end_rules)
            ],
            "rubric": {
                "standard": self.use_standard_rubric,
                "criteria": [c.as_data() for c in self.criteria.all()],
            },
            "model_lines": [
                {k: m[k] for k in ("criterion", "line", "note") if m.get(k)}
                for m in self._raw(self.model_lines)
            ],
            "nodes": [self._node_data(n) for n in self._raw(self.script)],
        }

    @staticmethod
    def _raw(stream) -> list[dict]:
        return [dict(item["value"]) for item in stream.raw_data]

    @staticmethod
    def _node_data(node: dict) -> dict:
        def choice(raw: dict) -> dict:
            value = raw.get("value", raw)
            data = {"id": value["key"], "text": value["text"], "next": value["next"]}
            for name in ("effects", "scores"):
                try:
                    data[name] = parse_numbers(value.get(name, ""))
                except ValueError as exc:
                    # Keep the author's text so `clean` can point at it.
                    where = f"node {node['key']!r}, choice {value['key']!r}"
                    raise ScriptError(where, str(exc)) from None
            data["feedback"] = value.get("feedback", "")
            if value.get("condition"):
                data["if"] = value["condition"]
            return data

        data = {"id": node["key"], "line": node["line"]}
        if node.get("choices"):
            data["choices"] = [choice(c) for c in node["choices"]]
        if node.get("ending"):
            data["ending"] = node["ending"]
            data["summary"] = node.get("summary", "")
        return data

    @classmethod
    def from_data(cls, data: dict, competencies: dict[str, Competency]) -> "Scenario":
        """An unsaved scenario holding pack data; `competencies` maps codes to objects."""
        scenario = cls(slug=data["slug"])
        scenario.apply_data(data, competencies)
        return scenario

    def apply_data(self, data: dict, competencies: dict[str, Competency]) -> None:
        """Set every field from pack data (the inverse of as_data), without saving."""
        persona = data["persona"]
        self.title = data["title"]
        self.learner_role = data["learner_role"]
        self.difficulty = data.get("difficulty", Difficulty.MEDIUM)
        self.source = data.get("source") or ""
        self.content_note = data.get("content_note") or ""
        self.brief = data["brief"]
        self.goals = "\n".join(data.get("goals") or ())
        self.persona_role = persona.get("role") or ""
        self.persona_name = persona.get("name") or ""
        self.persona_age = persona.get("age")
        self.persona_family = persona.get("family") or ""
        self.persona_style = persona.get("speaking_style") or ""
        self.persona_wants = persona.get("wants") or ""
        self.hidden_facts = "\n".join(data.get("hidden_facts") or ())
        self.fallback_line = data.get("fallback_line") or ""
        self.turn_limit = data.get("turn_limit") or 12
        rubric = data.get("rubric") or {}
        self.use_standard_rubric = rubric.get("standard", True)
        self.competencies = [competencies[code] for code in data.get("competencies") or ()]
        criteria = []
        for raw in rubric.get("criteria") or ():
            criterion = ScenarioCriterion(
                key=raw["key"], label=raw["label"], description=raw.get("description", "")
            )
            criterion.competencies = [competencies[c] for c in raw.get("competencies") or ()]
            criteria.append(criterion)
        self.criteria = criteria
        self.set_script_data(data)

    def set_script_data(self, data: dict) -> None:
        """Fill the StreamFields from pack data (the inverse of the stream part of as_data)."""
        self.state_variables = [
            {
                "type": "variable",
                "value": {
                    "key": v["key"],
                    "label": v.get("label") or v["key"],
                    "initial": v.get("initial", 0),
                    "minimum": v.get("min", 0),
                    "maximum": v.get("max", 100),
                },
            }
            for v in data["state"]
        ]
        self.end_rules = [
            {"type": "rule", "value": {"condition": r["if"], "goto": r["goto"]}}
            for r in data.get("end_when") or ()
        ]
        self.model_lines = [
            {
                "type": "line",
                "value": {
                    "criterion": m["criterion"],
                    "line": m["line"],
                    "note": m.get("note", ""),
                },
            }
            for m in data.get("model_lines") or ()
        ]
        self.script = [
            {
                "type": "node",
                "value": {
                    "key": n["id"],
                    "line": n["line"],
                    "ending": n.get("ending", ""),
                    "summary": n.get("summary", ""),
                    "choices": [
                        {
                            "key": c["id"],
                            "text": c["text"],
                            "next": c["next"],
                            "effects": format_numbers(c.get("effects") or {}),
                            "scores": format_numbers(c.get("scores") or {}, signed=False),
                            "feedback": c.get("feedback", ""),
                            "condition": c.get("if", ""),
                        }
                        for c in n.get("choices") or ()
                    ],
                },
            }
            for n in data["nodes"]
        ]

    def build_script(self) -> Script:
        data = self.as_data()
        return script_from_data(data)

    @cached_property
    def script_problems(self) -> list[str]:
        try:
            return self.build_script().problems()
        except ScriptError as exc:
            return [str(exc)]

    def clean(self):
        super().clean()
        problems = self.script_problems
        if problems:
            # The StreamField widget shows one message above the blocks, so all go in one.
            numbered = " ".join(f"({n}) {p}" for n, p in enumerate(problems, start=1))
            raise ValidationError({"script": numbered})

    # -- preview ------------------------------------------------------------------------------

    def get_preview_template(self, request, mode_name):
        if mode_name == "outline":
            return "roleplay/scenario_outline.html"
        return "roleplay/scenario_preview.html"

    def get_preview_context(self, request, mode_name):
        context = super().get_preview_context(request, mode_name)
        context["scenario"] = self
        try:
            script = self.build_script()
        except ScriptError as exc:
            context.update(outline=[], problems=[str(exc)])
        else:
            context.update(outline=script.outline(), problems=script.problems(), script=script)
        return context


def script_from_data(data: dict) -> Script:
    """The playable script of a scenario in its plain-data form."""
    rubric = data.get("rubric") or {}
    criteria = (STANDARD_CRITERIA if rubric.get("standard", True) else ()) + tuple(
        c["key"] for c in rubric.get("criteria") or ()
    )
    return Script.from_data(
        variables=data["state"],
        nodes=data["nodes"],
        end_rules=data.get("end_when") or (),
        turn_limit=data.get("turn_limit") or 0,
        criteria=criteria,
    )


class ScenarioCriterion(Orderable, ClusterableModel):
    """A rubric criterion particular to one scenario, scored like the standard ones (1–4)."""

    scenario = ParentalKey(Scenario, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("label"), max_length=80)
    description = models.TextField(_("what it looks for"))
    competencies = ParentalManyToManyField(
        Competency, blank=True, related_name="rubric_criteria", verbose_name=_("competencies")
    )

    panels = [
        FieldPanel("key"),
        FieldPanel("label"),
        FieldPanel("description"),
        FieldPanel("competencies"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("rubric criterion")
        constraints = [
            models.UniqueConstraint(fields=["scenario", "key"], name="unique_scenario_criterion")
        ]

    def __str__(self):
        return self.label

    def as_data(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "description": self.description,
            "competencies": [c.code for c in self.competencies.all()],
        }


# --- Practice sessions ----------------------------------------------------------------------


class SessionStatus(models.TextChoices):
    ACTIVE = "active", _("In progress")
    ENDED = "ended", _("Ended")


class PracticeSessionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A learner's own sessions; a trainer's also those of trainees in their cohorts."""
        if not user.is_authenticated:
            return self.none()
        if is_org_admin(user):
            return self
        if is_trainer(user):
            return self.filter(
                models.Q(user=user) | models.Q(user__enrollments__cohort__trainers=user)
            ).distinct()
        return self.filter(user=user)


def new_secret() -> str:
    return secrets.token_hex(8)


class PracticeSession(models.Model):
    """One practice conversation. It plays from a snapshot of the scenario taken at the start,
    so editing a scenario never breaks a conversation in progress or an old transcript."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_sessions"
    )
    # Deleting a scenario keeps its transcripts: they play from their own snapshot.
    scenario = models.ForeignKey(
        Scenario, null=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    scenario_data = models.JSONField()
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    status = models.CharField(
        pgettext_lazy("practice session", "status"),
        max_length=10,
        choices=SessionStatus.choices,
        default=SessionStatus.ACTIVE,
    )
    node = models.CharField(max_length=60, blank=True)
    state = models.JSONField(default=dict)
    ending = models.CharField(_("ending"), max_length=10, blank=True)
    canary = models.CharField(max_length=32, default=new_secret)
    peer_code = models.CharField(max_length=32, blank=True, db_index=True)
    branched_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="branches"
    )
    started_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    hours_entry = models.ForeignKey(
        HoursEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PracticeSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("practice session")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.scenario_data.get('title', '')} ({self.get_mode_display()})"

    @cached_property
    def script(self) -> Script:
        return script_from_data(self.scenario_data)

    @property
    def is_active(self) -> bool:
        return self.status == SessionStatus.ACTIVE

    def current_node(self):
        return self.script.nodes.get(self.node)


class Speaker(models.TextChoices):
    LEARNER = "learner", _("Learner")
    PERSONA = "persona", _("Persona")


class Turn(models.Model):
    """One utterance. Learner turns are saved before any model is asked for a reply."""

    session = models.ForeignKey(PracticeSession, on_delete=models.CASCADE, related_name="turns")
    index = models.PositiveIntegerField()
    speaker = models.CharField(max_length=10, choices=Speaker.choices)
    text = models.TextField(blank=True)
    node = models.CharField(max_length=60, blank=True)
    choice = models.CharField(max_length=60, blank=True)
    matched = models.BooleanField(
        default=False, help_text=_("Free text matched to the nearest scripted choice.")
    )
    masked = models.JSONField(default=list, blank=True)
    state_after = models.JSONField(default=dict)
    pending = models.BooleanField(default=False)
    error = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    model = models.CharField(max_length=100, blank=True)
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["session", "index"]
        constraints = [
            models.UniqueConstraint(fields=["session", "index"], name="unique_turn_index")
        ]

    def __str__(self):
        return f"{self.session_id}#{self.index} {self.speaker}"


class ScoreSource(models.TextChoices):
    SCRIPTED = "scripted", _("Scored from the scripted choices")
    PEER = "peer", _("Peer observer")


class SessionScore(models.Model):
    """Rubric scores for a session: `{criterion: {"level": 1-4|None, "evidence": [...],
    "comment": "..."}}`, the shape `assess_transcript` prints."""

    session = models.ForeignKey(PracticeSession, on_delete=models.CASCADE, related_name="scores")
    source = models.CharField(max_length=20, choices=ScoreSource.choices)
    scorer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scores = models.JSONField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.session_id} {self.source}"
