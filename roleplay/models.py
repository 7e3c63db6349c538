import secrets

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.fields.json import KT
from django.db.models.functions import TruncDate
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

from courses.models import Audience, Competency, Enrollment, HoursEntry
from courses.widgets import GroupedCheckboxSelectMultiple
from yorisoi.roles import is_org_admin, is_trainer

from .blocks import EndRuleBlock, ModelLineBlock, NodeBlock, StateVariableBlock
from .schema import Difficulty, InvalidScenario, LearnerRole, ScenarioData, safety_problems
from .scripts import Script, ScriptError, format_numbers, parse_numbers


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
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScenarioQuerySet.as_manager()

    overview_panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        FieldPanel("learner_role"),
        FieldPanel("difficulty"),
        FieldPanel("competencies", widget=GroupedCheckboxSelectMultiple),
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
    # Autocomplete too: trainers type the start of a title in the admin's search box.
    search_fields = [
        index.SearchField("title"),
        index.AutocompleteField("title"),
        index.SearchField("brief"),
    ]
    preview_modes = [("", _("Learner view")), ("outline", _("Script outline"))]

    class Meta:
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        ordering = ["learner_role", "difficulty", "title"]

    def __str__(self):
        return self.title

    # -- plain data ---------------------------------------------------------------------------

    @property
    def data(self) -> ScenarioData:
        """The scenario as checked, typed data; raises InvalidScenario when it breaks a rule."""
        return ScenarioData.parse(self._plain_data())

    def as_data(self) -> dict:
        """The scenario in its stored form: a pack file's content, a session's snapshot."""
        return self.data.dump()

    def _plain_data(self) -> dict:
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
            if value.get("safe"):
                data["safe"] = True
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
    def from_data(
        cls, data: ScenarioData | dict, competencies: dict[str, Competency]
    ) -> "Scenario":
        """An unsaved scenario holding pack data; `competencies` maps codes to objects."""
        data = ScenarioData.parse(data)
        scenario = cls(slug=data.slug)
        scenario.apply_data(data, competencies)
        return scenario

    def apply_data(self, data: ScenarioData | dict, competencies: dict[str, Competency]) -> None:
        """Set every field from pack data (the inverse of as_data), without saving."""
        data = ScenarioData.parse(data)
        persona = data.persona
        self.title = data.title
        self.learner_role = data.learner_role
        self.difficulty = data.difficulty
        self.source = data.source
        self.content_note = data.content_note
        self.brief = data.brief
        self.goals = "\n".join(data.goals)
        self.persona_role = persona.role
        self.persona_name = persona.name
        self.persona_age = persona.age
        self.persona_family = persona.family
        self.persona_style = persona.speaking_style
        self.persona_wants = persona.wants
        self.hidden_facts = "\n".join(data.hidden_facts)
        self.fallback_line = data.fallback_line
        self.turn_limit = data.turn_limit
        self.use_standard_rubric = data.rubric.standard
        self.competencies = [competencies[code] for code in data.competencies]
        criteria = []
        for part in data.rubric.criteria:
            criterion = ScenarioCriterion(
                key=part.key, label=part.label, description=part.description
            )
            criterion.competencies = [competencies[code] for code in part.competencies]
            criteria.append(criterion)
        self.criteria = criteria
        self.set_script_data(data)

    def set_script_data(self, data: ScenarioData | dict) -> None:
        """Fill the StreamFields from pack data (the inverse of the stream part of as_data)."""
        data = ScenarioData.parse(data)
        self.state_variables = [
            {
                "type": "variable",
                "value": {
                    "key": v.key,
                    "label": v.label or v.key,
                    "initial": v.initial,
                    "minimum": v.minimum,
                    "maximum": v.maximum,
                },
            }
            for v in data.state
        ]
        self.end_rules = [
            {"type": "rule", "value": {"condition": r.condition, "goto": r.goto}}
            for r in data.end_when
        ]
        self.model_lines = [
            {"type": "line", "value": {"criterion": m.criterion, "line": m.line, "note": m.note}}
            for m in data.model_lines
        ]
        self.script = [
            {
                "type": "node",
                "value": {
                    "key": n.id,
                    "line": n.line,
                    "ending": n.ending,
                    "summary": n.summary,
                    "choices": [
                        {
                            "key": c.id,
                            "text": c.text,
                            "next": c.next,
                            "effects": format_numbers(c.effects),
                            "scores": format_numbers(c.scores, signed=False),
                            "feedback": c.feedback,
                            "safe": c.safe,
                            "condition": c.condition,
                        }
                        for c in n.choices
                    ],
                },
            }
            for n in data.nodes
        ]

    def build_script(self) -> Script:
        return Script.from_data(self.data)

    @cached_property
    def editor_problems(self) -> dict[str, list[str]]:
        """What stops this scenario from being saved, by the form field that shows it.

        The form checks most fields itself by the same rules as the schema; these are the rules
        only the schema and the script know.
        """
        try:
            script = self.build_script()
        except ScriptError as exc:
            return {"script": [str(exc)]}
        except InvalidScenario as exc:
            found = {}
            for problem in exc.problems:
                field = _editor_field(problem.path)
                if field:
                    found.setdefault(field, []).append(str(problem))
            return found
        # The loader's rule, in the editor too: the safe step must never be what loses.
        problems = script.problems() + [
            f"{p.where}: {p.message}" for p in safety_problems(self.data)
        ]
        return {"script": problems} if problems else {}

    @property
    def script_problems(self) -> list[str]:
        return self.editor_problems.get("script", [])

    def clean(self):
        super().clean()
        if self.editor_problems:
            # The StreamField widget shows one message above the blocks, so all go in one.
            raise ValidationError(
                {
                    field: " ".join(f"({n}) {p}" for n, p in enumerate(problems, start=1))
                    for field, problems in self.editor_problems.items()
                }
            )

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
        except (ScriptError, InvalidScenario) as exc:
            context.update(outline=[], problems=str(exc).splitlines())
        else:
            context.update(outline=script.outline(), problems=script.problems(), script=script)
        return context


def _editor_field(path: tuple) -> str | None:
    """The editor field for a schema problem at `path`, or None when the form checks it."""
    if path[:2] == ("persona", "age"):
        return "persona_age"
    part = path[0] if path else "script"
    return {
        "state": "script",
        "end_when": "script",
        "nodes": "script",
        "script": "script",
        "model_lines": "model_lines",
        "rubric": NON_FIELD_ERRORS,
    }.get(part)


def script_from_data(data: ScenarioData | dict) -> Script:
    """The playable script of a scenario in its stored form (or already parsed)."""
    return Script.from_data(ScenarioData.parse(data))


class ScenarioCriterion(Orderable, ClusterableModel):
    """A rubric criterion particular to one scenario, scored like the standard ones (1–4)."""

    scenario = ParentalKey(
        Scenario, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("scenario")
    )
    # Orderable's own field has no translatable label; the same field, labelled.
    sort_order = models.IntegerField(_("sort order"), null=True, blank=True, editable=False)
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
        FieldPanel("competencies", widget=GroupedCheckboxSelectMultiple),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")
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
        """A learner's own sessions; a trainer's also those that belong to a cohort they run.

        A session belongs to a cohort when its trainee is enrolled in it, it started within the
        cohort's dates (local days), and its scenario's learner role is the course's audience
        (any role for a course for everyone). Being in someone's cohort does not open a
        trainee's practice before, after or outside that course to its trainers.
        """
        if not user.is_authenticated:
            return self.none()
        if is_org_admin(user):
            return self
        if not is_trainer(user):
            return self.filter(user=user)
        runs = Enrollment.objects.filter(
            models.Q(course__audience=Audience.ALL)
            | models.Q(course__audience=models.OuterRef("played_as")),
            user=models.OuterRef("user"),
            cohort__trainers=user,
            cohort__starts_on__lte=models.OuterRef("started_on"),
            cohort__ends_on__gte=models.OuterRef("started_on"),
        )
        # The role as played, from the snapshot: a deleted scenario keeps its sessions.
        return self.alias(
            played_as=KT("scenario_data__learner_role"), started_on=TruncDate("started_at")
        ).filter(models.Q(user=user) | models.Exists(runs))


def new_secret() -> str:
    return secrets.token_hex(8)


class PracticeSession(models.Model):
    """One practice conversation. It plays from a snapshot of the scenario taken at the start,
    so editing a scenario never breaks a conversation in progress or an old transcript."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="practice_sessions",
        verbose_name=_("learner"),
    )
    # Deleting a scenario keeps its transcripts: they play from their own snapshot.
    scenario = models.ForeignKey(
        Scenario,
        null=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
        verbose_name=_("scenario"),
    )
    scenario_data = models.JSONField(_("scenario as played"))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    status = models.CharField(
        pgettext_lazy("practice session", "status"),
        max_length=10,
        choices=SessionStatus.choices,
        default=SessionStatus.ACTIVE,
    )
    node = models.CharField(_("current node"), max_length=60, blank=True)
    state = models.JSONField(_("state"), default=dict)
    ending = models.CharField(_("ending"), max_length=10, blank=True)
    canary = models.CharField(_("canary token"), max_length=32, default=new_secret)
    peer_code = models.CharField(_("peer practice code"), max_length=32, blank=True, db_index=True)
    branched_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="branches",
        verbose_name=_("tried again from"),
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last activity at"), default=timezone.now)
    # Kept with each learner turn, so the turn limit is checked without counting the transcript.
    learner_turns = models.PositiveIntegerField(_("learner turns"), default=0)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    hours_entry = models.ForeignKey(
        HoursEntry,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("hours entry"),
    )

    objects = PracticeSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("practice session")
        verbose_name_plural = _("practice sessions")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.scenario_data.get('title', '')} ({self.get_mode_display()})"

    @cached_property
    def data(self) -> ScenarioData:
        """The scenario as it was when the session started, typed (see `scenario_data`)."""
        return ScenarioData.parse(self.scenario_data)

    @cached_property
    def script(self) -> Script:
        return Script.from_data(self.data)

    def share_parsed(self, other: "PracticeSession") -> None:
        """Take the parsed scenario of `other`, the same session read again. The snapshot never
        changes once a session has started, and parsing it was a turn's costliest step (each
        read of the row parsed it anew)."""
        if other.pk == self.pk:
            for name in ("data", "script"):
                if name in other.__dict__:
                    self.__dict__.setdefault(name, other.__dict__[name])

    @property
    def is_active(self) -> bool:
        return self.status == SessionStatus.ACTIVE

    def current_node(self):
        return self.script.nodes.get(self.node)

    def fiction(self) -> str:
        """All of the scenario's own text: names in it are the exercise's invented people, so
        the privacy guard leaves them alone in turns, notes and scores about this session."""
        data = self.scenario_data
        persona = data.get("persona") or {}
        parts = [persona.get("name", ""), persona.get("family", ""), data.get("brief", "")]
        parts += [node.get("line", "") for node in data.get("nodes") or ()]
        return "\n".join(parts)

    @property
    def ending_node(self):
        """The ending node the conversation reached, or None (still going, or stopped by the
        learner). The one answer to "which ending", for the debrief, the API and the command."""
        node = self.current_node()
        if node is not None and node.ending:
            return node
        if not self.ending:
            return None
        # Sessions ended by a rule before the ending's node was recorded kept only its kind.
        return next((n for n in self.script.endings if n.ending == self.ending), None)


class Speaker(models.TextChoices):
    LEARNER = "learner", _("Learner")
    PERSONA = "persona", _("Persona")


class Turn(models.Model):
    """One utterance. Learner turns are saved before any model is asked for a reply."""

    session = models.ForeignKey(
        PracticeSession,
        on_delete=models.CASCADE,
        related_name="turns",
        verbose_name=_("practice session"),
    )
    index = models.PositiveIntegerField(_("position"))
    speaker = models.CharField(_("speaker"), max_length=10, choices=Speaker.choices)
    text = models.TextField(_("words"), blank=True)
    node = models.CharField(_("node"), max_length=60, blank=True)
    choice = models.CharField(_("choice"), max_length=60, blank=True)
    matched = models.BooleanField(
        _("matched to a choice"),
        default=False,
        help_text=_("Free text matched to the nearest scripted choice."),
    )
    masked = models.JSONField(_("masked information"), default=list, blank=True)
    state_after = models.JSONField(_("state after the turn"), default=dict)
    pending = models.BooleanField(_("reply pending"), default=False)
    error = models.CharField(_("error"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    duration_ms = models.PositiveIntegerField(_("reply time (ms)"), null=True, blank=True)
    model = models.CharField(_("AI model"), max_length=100, blank=True)
    prompt_tokens = models.PositiveIntegerField(_("prompt tokens"), default=0)
    completion_tokens = models.PositiveIntegerField(_("completion tokens"), default=0)

    class Meta:
        verbose_name = _("turn")
        verbose_name_plural = _("turns")
        ordering = ["session", "index"]
        constraints = [
            models.UniqueConstraint(fields=["session", "index"], name="unique_turn_index")
        ]

    def __str__(self):
        return f"{self.session_id}#{self.index} {self.speaker}"


class AIUsage(models.Model):
    """A learner's use of the AI partner on one day (Japan's date): learner turns, and tokens
    as reserved before each reply and settled once its real usage is known. The daily quota
    locks and reads this one row; summing the day's turns instead cost more the longer the
    learner's history grew, on every turn."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    day = models.DateField(_("day"))
    turns = models.PositiveIntegerField(_("learner turns"), default=0)
    tokens = models.PositiveBigIntegerField(_("tokens"), default=0)

    class Meta:
        verbose_name = _("AI partner use")
        verbose_name_plural = _("AI partner use")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="unique_ai_usage_day")]

    def __str__(self):
        return f"{self.user_id} {self.day}"


class ScoreSource(models.TextChoices):
    SCRIPTED = "scripted", _("Scored from the scripted choices")
    PEER = "peer", _("Peer observer")


class SessionScore(models.Model):
    """Rubric scores for a session: `{criterion: {"level": 1-4|None, "evidence": [...],
    "comment": "..."}}`, the shape `assess_transcript` prints."""

    session = models.ForeignKey(
        PracticeSession,
        on_delete=models.CASCADE,
        related_name="scores",
        verbose_name=_("practice session"),
    )
    source = models.CharField(_("scored by"), max_length=20, choices=ScoreSource.choices)
    scorer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("scorer"),
    )
    scores = models.JSONField(_("scores"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("session score")
        verbose_name_plural = _("session scores")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.session_id} {self.source}"
