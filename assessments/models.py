import random
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable
from wagtail.snippets.models import register_snippet

from courses.blocks import render_markdown
from courses.models import Competency, CoursePage, Enrollment
from yorisoi.roles import is_org_admin, is_trainer

from .forms import QuizForm
from .papers import Paper, PaperOption, PaperQuestion, QuestionType
from .rubrics import DEFAULT_PASS_MEAN, STANDARD, STANDARD_KEY, CriterionSpec, RubricSpec

# === Quizzes and exams ======================================================================


class QuizKind(models.TextChoices):
    QUIZ = "quiz", _("Quiz")
    EXAM = "exam", _("Final exam")


class Quiz(ClusterableModel):
    """A chapter quiz or a course's final exam (修了試験), with its questions.

    Learners answer a frozen copy of it (see `build_paper`), so it can be edited at any time.
    """

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=160)
    kind = models.CharField(
        _("kind"), max_length=10, choices=QuizKind.choices, default=QuizKind.QUIZ
    )
    course = models.ForeignKey(
        CoursePage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quizzes",
        verbose_name=_("course"),
        help_text=_("Only learners enrolled in this course may take it. Required for an exam."),
    )
    intro = models.TextField(
        _("introduction"), blank=True, help_text=_("Shown before starting. Markdown.")
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=70,
        validators=[MaxValueValidator(100)],
        help_text=_("Percent of the maximum points needed to pass."),
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=0, help_text=_("0 means unlimited.")
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty for no time limit."),
    )
    available_from = models.DateTimeField(_("open from"), null=True, blank=True)
    available_until = models.DateTimeField(
        _("open until"),
        null=True,
        blank=True,
        help_text=_("Answers are accepted until this time, whatever the time limit."),
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=False)
    shuffle_options = models.BooleanField(_("shuffle options"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    base_form_class = QuizForm
    panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        FieldPanel("kind"),
        FieldPanel("course"),
        FieldPanel("intro"),
        MultiFieldPanel(
            [
                FieldPanel("pass_mark"),
                FieldPanel("attempts_allowed"),
                FieldPanel("time_limit_minutes"),
                FieldPanel("available_from"),
                FieldPanel("available_until"),
                FieldPanel("shuffle_questions"),
                FieldPanel("shuffle_options"),
            ],
            heading=_("Rules"),
        ),
        InlinePanel("questions", label=_("Questions"), min_num=1),
    ]

    class Meta:
        verbose_name = _("quiz or exam")
        verbose_name_plural = _("quizzes and exams")
        ordering = ["kind", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["course"], condition=Q(kind="exam"), name="one_exam_per_course"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_exam(self) -> bool:
        return self.kind == QuizKind.EXAM

    def intro_html(self):
        return render_markdown(self.intro)

    def clean(self):
        super().clean()
        if self.kind == QuizKind.EXAM and self.course_id is None:
            raise ValidationError({"course": _("An exam certifies a course: choose the course.")})
        opens, closes = self.available_from, self.available_until
        if opens and closes and closes <= opens:
            raise ValidationError(
                {"available_until": _("The closing time must be after the opening time.")}
            )
        if self.kind == QuizKind.EXAM and self.course_id:
            others = Quiz.objects.filter(kind=QuizKind.EXAM, course_id=self.course_id)
            if others.exclude(pk=self.pk).exists():
                raise ValidationError({"course": _("This course already has a final exam.")})

    def build_paper(self, rng: random.Random | None = None) -> Paper:
        """A frozen copy of the quiz for one attempt, shuffled as the quiz asks."""
        rng = rng or random.Random()
        questions = []
        for question in self.questions.prefetch_related("options", "competencies"):
            paper_question = question.as_paper_question()
            if self.shuffle_options and question.type != QuestionType.TRUE_FALSE:
                rng.shuffle(paper_question.options)
            questions.append(paper_question)
        if self.shuffle_questions:
            rng.shuffle(questions)
        return Paper(
            title=self.title, kind=self.kind, pass_mark=self.pass_mark, questions=questions
        )

    # -- the content-pack form (see quiz-format in load_content --help) ---------------------------

    def as_data(self) -> dict:
        data = {"slug": self.slug, "title": self.title, "kind": self.kind}
        if self.course_id:
            data["course"] = self.course.slug
        if self.intro:
            data["intro"] = self.intro
        data.update(
            pass_mark=self.pass_mark,
            attempts_allowed=self.attempts_allowed,
            shuffle_questions=self.shuffle_questions,
            shuffle_options=self.shuffle_options,
        )
        if self.time_limit_minutes:
            data["time_limit_minutes"] = self.time_limit_minutes
        data["questions"] = [
            q.as_data() for q in self.questions.prefetch_related("options", "competencies")
        ]
        return data


def default_points(question_type: str) -> int:
    return 2 if question_type == QuestionType.SITUATIONAL else 1


def new_question_key() -> str:
    return "q-" + get_random_string(6, "abcdefghijklmnopqrstuvwxyz0123456789")


class Question(Orderable, ClusterableModel):
    quiz = ParentalKey(
        Quiz, on_delete=models.CASCADE, related_name="questions", verbose_name=_("quiz")
    )
    sort_order = models.IntegerField(_("sort order"), null=True, blank=True, editable=False)
    key = models.SlugField(
        _("key"),
        max_length=40,
        blank=True,
        help_text=_("Left empty, one is made up. Content packs match questions by it."),
    )
    type = models.CharField(
        pgettext_lazy("question", "type"), max_length=12, choices=QuestionType.choices
    )
    case = models.TextField(
        _("case"), blank=True, help_text=_("Situational judgement: who, where, what was said.")
    )
    text = models.TextField(_("question"))
    points = models.PositiveSmallIntegerField(
        _("points"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty: 1 point (situational judgement: 2)."),
    )
    answer = models.BooleanField(
        _("the statement is true"), null=True, blank=True, help_text=_("True or false only.")
    )
    explanation = models.TextField(
        _("explanation"), help_text=_("Why the right answer is right; shown after submitting.")
    )
    guidance = models.TextField(
        _("grading guidance"),
        blank=True,
        help_text=_("Written answers: what a good answer contains. Trainers only."),
    )
    competencies = ParentalManyToManyField(
        Competency, related_name="questions", verbose_name=_("competencies")
    )

    panels = [
        FieldPanel("type"),
        FieldPanel("key"),
        FieldPanel("case"),
        FieldPanel("text"),
        FieldPanel("answer"),
        FieldPanel("points"),
        FieldPanel("competencies"),
        FieldPanel("explanation"),
        FieldPanel("guidance"),
        InlinePanel(
            "options",
            label=_("Options / responses"),
            help_text=_(
                "Single and multiple choice: tick the right options. Situational judgement: "
                "rank each response, 1 = best, with the reason."
            ),
        ),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["quiz", "key"], name="unique_question_key"),
        ]

    def __str__(self):
        return self.text[:60]

    def save(self, *args, **kwargs):
        if not self.key:
            self.key = new_question_key()
        super().save(*args, **kwargs)

    @property
    def effective_points(self) -> int:
        return self.points or default_points(self.type)

    def as_paper_question(self) -> PaperQuestion:
        return PaperQuestion(
            key=self.key,
            type=self.type,
            text=self.text,
            case=self.case,
            points=Decimal(self.effective_points),
            explanation=self.explanation,
            guidance=self.guidance,
            competencies=[c.code for c in self.competencies.all()],
            answer=self.answer,
            options=[
                PaperOption(id=o.pk, text=o.text, correct=o.correct, rank=o.rank, reason=o.reason)
                for o in self.options.all()
            ],
        )

    def as_data(self) -> dict:
        data = {"key": self.key, "type": self.type}
        if self.case:
            data["case"] = self.case
        data["text"] = self.text
        if self.type == QuestionType.TRUE_FALSE:
            data["answer"] = bool(self.answer)
        data["competencies"] = [c.code for c in self.competencies.all()]
        if self.points:
            data["points"] = self.points
        data["explanation"] = self.explanation
        if self.guidance:
            data["guidance"] = self.guidance
        options = list(self.options.all())
        if self.type == QuestionType.SITUATIONAL:
            data["responses"] = [
                {"text": o.text, "rank": o.rank, "reason": o.reason} for o in options
            ]
        elif options:
            data["options"] = [
                {"text": o.text, "correct": True} if o.correct else {"text": o.text}
                for o in options
            ]
        return data


class QuestionOption(Orderable):
    """A choice of a choice question, or a ranked response of a situational item."""

    question = ParentalKey(
        Question, on_delete=models.CASCADE, related_name="options", verbose_name=_("question")
    )
    sort_order = models.IntegerField(_("sort order"), null=True, blank=True, editable=False)
    text = models.TextField(_("text"))
    correct = models.BooleanField(_("correct"), default=False)
    rank = models.PositiveSmallIntegerField(
        _("rank"), null=True, blank=True, help_text=_("Situational judgement: 1 = best.")
    )
    reason = models.TextField(
        _("reason"), blank=True, help_text=_("Situational judgement: why it has this rank.")
    )

    panels = [FieldPanel("text"), FieldPanel("correct"), FieldPanel("rank"), FieldPanel("reason")]

    class Meta(Orderable.Meta):
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self):
        return self.text[:60]


# --- Attempts and answers -------------------------------------------------------------------


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Waiting for grading")
    GRADED = "graded", _("Graded")


class AttemptQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A learner's own attempts; a trainer's also those of trainees in cohorts they run
        (of the quiz's course, when it has one); org admins see all."""
        if not user.is_authenticated:
            return self.none()
        if is_org_admin(user):
            return self
        if not is_trainer(user):
            return self.filter(user=user)
        runs = Enrollment.objects.filter(user=OuterRef("user"), cohort__trainers=user)
        return self.filter(
            Q(user=user)
            | Exists(runs.filter(course=OuterRef("course")))
            | (Q(course__isnull=True) & Exists(runs))
        )


class Attempt(models.Model):
    """One sitting of a quiz by one learner, answered from its own frozen paper."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="quiz_attempts",
        verbose_name=_("learner"),
    )
    # Deleting a quiz keeps its results: each attempt holds its own paper.
    quiz = models.ForeignKey(
        Quiz, null=True, on_delete=models.SET_NULL, related_name="attempts", verbose_name=_("quiz")
    )
    course = models.ForeignKey(
        CoursePage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("course"),
    )
    number = models.PositiveSmallIntegerField(_("attempt number"))
    paper = models.JSONField(_("question paper"))
    status = models.CharField(
        pgettext_lazy("attempt", "status"),
        max_length=12,
        choices=AttemptStatus.choices,
        default=AttemptStatus.IN_PROGRESS,
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(_("maximum score"), max_digits=7, decimal_places=2)
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "quiz", "number"], name="unique_attempt_number"
            ),
            # Two tabs starting at once resume one attempt instead of opening two.
            models.UniqueConstraint(
                fields=["user", "quiz"],
                condition=Q(status="in_progress"),
                name="one_attempt_in_progress",
            ),
        ]

    def __str__(self):
        # Never an answer: this string is stored in the audit log.
        return f"{self.paper.get('title', '')} #{self.number} ({self.user})"

    @cached_property
    def sheet(self) -> Paper:
        return Paper.model_validate(self.paper)

    @property
    def is_in_progress(self) -> bool:
        return self.status == AttemptStatus.IN_PROGRESS

    def is_overdue(self, now=None) -> bool:
        return self.deadline is not None and (now or timezone.now()) >= self.deadline

    def seconds_left(self, now=None) -> int | None:
        if self.deadline is None:
            return None
        return max(0, int((self.deadline - (now or timezone.now())).total_seconds()))

    @property
    def percent(self) -> int | None:
        if self.score is None or not self.max_score:
            return None
        return int(self.score * 100 / self.max_score)

    @staticmethod
    def deadline_for(quiz: Quiz, started_at):
        ends = [quiz.available_until] if quiz.available_until else []
        if quiz.time_limit_minutes:
            ends.append(started_at + timedelta(minutes=quiz.time_limit_minutes))
        return min(ends) if ends else None

    def finish(self, answers: list["Answer"], now) -> None:
        """Total the points of graded answers; decide pass or fail once nothing waits for a
        trainer. Unanswered questions count zero."""
        waiting = any(a.points is None for a in answers)
        self.score = sum((a.points for a in answers if a.points is not None), Decimal(0))
        if waiting:
            self.status = AttemptStatus.SUBMITTED
            self.passed = None
            return
        self.status = AttemptStatus.GRADED
        self.graded_at = now
        self.passed = self.score * 100 >= self.max_score * self.sheet.pass_mark


class Answer(models.Model):
    """A learner's answer to one question of an attempt, saved as they go."""

    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, related_name="answers", verbose_name=_("attempt")
    )
    question_key = models.CharField(_("question key"), max_length=40)
    choices = models.JSONField(_("chosen options"), default=list, blank=True)
    flag = models.BooleanField(_("true or false"), null=True, blank=True)
    text = models.TextField(_("written answer"), blank=True)
    saved_at = models.DateTimeField(_("saved at"), default=timezone.now)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2, null=True, blank=True)
    feedback = models.TextField(_("trainer's comment"), blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("graded by"),
    )
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question_key"], name="unique_answer"),
        ]

    def __str__(self):
        # Never the answer itself: this string can end up in logs and admin screens.
        return f"answer to {self.question_key} in attempt {self.attempt_id}"

    @property
    def question(self) -> PaperQuestion | None:
        return self.attempt.sheet.question(self.question_key)

    @property
    def is_blank(self) -> bool:
        return not self.choices and self.flag is None and not self.text.strip()


# === end of quizzes and exams ===============================================================


# === Rubrics for judging role-plays (H6) =====================================================


class RubricQuerySet(models.QuerySet):
    def spec(self, key: str = STANDARD_KEY) -> RubricSpec:
        """The stored rubric `key` as the judges read it. The standard rubric falls back to
        its built-in definition, so deleting it in the admin cannot stop sessions being
        judged; any other unknown key raises Rubric.DoesNotExist."""
        rubric = self.filter(key=key).prefetch_related("criteria").first()
        if rubric is not None:
            return rubric.spec()
        if key == STANDARD_KEY:
            return STANDARD
        raise self.model.DoesNotExist(key)


@register_snippet
class Rubric(ClusterableModel):
    """The criteria role-plays are judged on, editable by trainers; `standard` is the default
    (DESIGN §4). The pass rule itself is code: `RubricSpec.passed`."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    pass_mean = models.DecimalField(
        _("mean level to pass"),
        max_digits=3,
        decimal_places=2,
        default=DEFAULT_PASS_MEAN,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_(
            "A session passes when no blocker is at level 1 and the mean of the levels given "
            "reaches this."
        ),
    )

    panels = [
        FieldPanel("key"),
        FieldPanel("name"),
        FieldPanel("pass_mean"),
        InlinePanel("criteria", label=_("Criteria"), min_num=1),
    ]

    objects = RubricQuerySet.as_manager()

    class Meta:
        ordering = ["key"]
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")

    def __str__(self):
        return self.name

    def spec(self) -> RubricSpec:
        return RubricSpec(
            key=self.key,
            name=self.name,
            pass_mean=self.pass_mean,
            criteria=[
                CriterionSpec(
                    key=c.key, label=c.label, description=c.description, blocker=c.blocker
                )
                for c in self.criteria.all()
            ],
        )


class RubricCriterion(Orderable, ClusterableModel):
    rubric = ParentalKey(
        Rubric, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("rubric")
    )
    sort_order = models.IntegerField(_("sort order"), null=True, blank=True, editable=False)
    key = models.CharField(
        _("key"),
        max_length=40,
        validators=[
            RegexValidator(
                r"^[a-z][a-z0-9_]*$", _("Use lower-case letters, digits and _, e.g. empathy.")
            )
        ],
        help_text=_(
            "The criterion's name in scores. The automatic judge knows the standard keys "
            "(empathy, non_directive, strengths, needs_elicitation, boundaries, "
            "confidentiality, safety); other criteria are left to people."
        ),
    )
    label = models.CharField(_("label"), max_length=80)
    description = models.TextField(_("what it looks for"))
    blocker = models.BooleanField(
        _("blocker"),
        default=False,
        help_text=_("A session with this criterion at level 1 does not pass, whatever the rest."),
    )
    competencies = ParentalManyToManyField(
        Competency,
        blank=True,
        related_name="assessment_criteria",
        verbose_name=_("competencies"),
    )

    panels = [
        FieldPanel("key"),
        FieldPanel("label"),
        FieldPanel("description"),
        FieldPanel("blocker"),
        FieldPanel("competencies"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")
        constraints = [
            models.UniqueConstraint(fields=["rubric", "key"], name="unique_rubric_criterion")
        ]

    def __str__(self):
        return self.label


# === Judgements of role-play sessions (H6b) ==================================================


class JudgeKind(models.TextChoices):
    HEURISTIC = "heuristic", _("Automatic (rules)")
    LLM = "llm", _("Automatic (AI)")
    SCRIPTED = "scripted", _("Author's choice scores")
    SELF = "self", _("Self-assessment")
    OBSERVER = "observer", _("Observer")
    TRAINER = "trainer", _("Trainer")


# A session gets at most one judgement from each of these: they are derived from the session,
# not opinions of a person.
AUTOMATIC_JUDGES = (JudgeKind.HEURISTIC, JudgeKind.LLM, JudgeKind.SCRIPTED)


class JudgementStatus(models.TextChoices):
    PENDING = "pending", _("Being judged")
    DONE = "done", _("Judged")
    FAILED = "failed", _("Judge failed")


class Judgement(models.Model):
    """One judge's view of one role-play session, in the judges' result structure
    (`result`: rubric, judge, scores per criterion, skills, passed)."""

    session = models.ForeignKey(
        "roleplay.PracticeSession",
        on_delete=models.CASCADE,
        related_name="judgements",
        verbose_name=_("practice session"),
    )
    judge = models.CharField(_("judge"), max_length=12, choices=JudgeKind.choices)
    rubric = models.CharField(_("rubric"), max_length=40, default="standard")
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=JudgementStatus.choices,
        default=JudgementStatus.DONE,
    )
    result = models.JSONField(_("result"), default=dict)
    passed = models.BooleanField(_("passed"), null=True)
    # Why the judge could not answer ("timeout", "malformed", ...): a code, never learner text.
    error = models.CharField(_("error"), max_length=40, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    # A calibration rating, made without seeing the other ratings of the session.
    blind = models.BooleanField(_("blind rating"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("judgement")
        verbose_name_plural = _("judgements")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "judge"],
                condition=Q(judge__in=["heuristic", "llm", "scripted"]),
                name="one_automatic_judgement_per_session",
            ),
            models.UniqueConstraint(
                fields=["session", "by"],
                condition=Q(judge="trainer"),
                name="one_trainer_judgement_per_session_and_trainer",
            ),
            models.UniqueConstraint(
                fields=["session"],
                condition=Q(judge="self"),
                name="one_self_judgement_per_session",
            ),
        ]

    def __str__(self):
        return f"{self.get_judge_display()} · session {self.session_id}"


# === Trainer review of role-plays (H6c) =======================================================

TURN_COMMENT_LENGTH = 1000


class TurnComment(models.Model):
    """A trainer's note on one turn of a practice session, seen by the trainers who may review
    it. The text is masked by the privacy guard before it is stored."""

    session = models.ForeignKey(
        "roleplay.PracticeSession",
        on_delete=models.CASCADE,
        related_name="turn_comments",
        verbose_name=_("practice session"),
    )
    turn_index = models.PositiveIntegerField(_("turn"))
    # A trainer who leaves keeps their notes in the record.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("comment"), max_length=TURN_COMMENT_LENGTH)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["session", "turn_index", "created_at", "pk"]
        verbose_name = _("turn comment")
        verbose_name_plural = _("turn comments")

    def __str__(self):
        # Never the text: this string is stored in the audit log.
        return f"comment on turn {self.turn_index} of session {self.session_id}"


# === Certification (H12) =====================================================================


@register_snippet
class CertificationRule(ClusterableModel):
    """What a trainee of a course must have done to be certified (認定), set by trainers.
    The checks themselves are in `assessments.certification.eligibility`."""

    course = models.OneToOneField(
        CoursePage,
        on_delete=models.CASCADE,
        related_name="certification_rule",
        verbose_name=_("course"),
    )
    min_hours = models.DecimalField(
        _("minimum hours"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Course hours needed. Leave empty to use the course's required hours."),
    )
    exam_required = models.BooleanField(
        _("final exam must be passed"),
        default=True,
        help_text=_("The course's final exam must have been passed."),
    )
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("minimum attendance (%)"),
        default=80,
        validators=[MaxValueValidator(100)],
        help_text=_("Share of the recorded in-person sessions the trainee attended."),
    )
    valid_years = models.PositiveSmallIntegerField(
        _("valid for (years)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty for certificates that do not expire."),
    )
    renewal_course = models.ForeignKey(
        CoursePage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("renewal course"),
        help_text=_("Completing this course's hours renews the certificate (e.g. follow-up)."),
    )
    number_prefix = models.CharField(
        _("certificate number prefix"),
        max_length=20,
        default="YH",
        validators=[RegexValidator(r"^[A-Za-z0-9]+$", _("Use letters and digits only."))],
    )

    panels = [
        FieldPanel("course"),
        FieldPanel("min_hours"),
        FieldPanel("exam_required"),
        FieldPanel("min_attendance_percent"),
        FieldPanel("valid_years"),
        FieldPanel("renewal_course"),
        FieldPanel("number_prefix"),
        InlinePanel("required_scenarios", label=_("Required scenarios")),
    ]

    class Meta:
        verbose_name = _("certification rule")
        verbose_name_plural = _("certification rules")

    def __str__(self):
        return str(self.course)

    @property
    def hours_needed(self) -> Decimal:
        return self.min_hours if self.min_hours is not None else self.course.required_hours


class RequiredScenario(Orderable):
    rule = ParentalKey(
        CertificationRule,
        on_delete=models.CASCADE,
        related_name="required_scenarios",
        verbose_name=_("certification rule"),
    )
    sort_order = models.IntegerField(_("sort order"), null=True, blank=True, editable=False)
    scenario = models.ForeignKey(
        "roleplay.Scenario", on_delete=models.CASCADE, related_name="+", verbose_name=_("scenario")
    )
    min_level = models.PositiveSmallIntegerField(
        _("minimum mean level"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("Mean level of the session's judgement, with no blocker at level 1."),
    )

    panels = [FieldPanel("scenario"), FieldPanel("min_level")]

    class Meta(Orderable.Meta):
        verbose_name = _("required scenario")
        verbose_name_plural = _("required scenarios")

    def __str__(self):
        return str(self.scenario)


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class CertificateQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A holder's own certificates; a trainer's also those of trainees in cohorts of the
        course they run; org admins see all."""
        if not user.is_authenticated:
            return self.none()
        if is_org_admin(user):
            return self
        if not is_trainer(user):
            return self.filter(user=user)
        runs = Enrollment.objects.filter(
            user=OuterRef("user"), course=OuterRef("course"), cohort__trainers=user
        )
        return self.filter(Q(user=user) | Exists(runs))


class Certificate(models.Model):
    """A certificate (認定証) issued to one trainee for one course. The holder's name and the
    course title are frozen at issue, so later renames do not change what was certified."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("holder"),
    )
    course = models.ForeignKey(
        CoursePage, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("course")
    )
    cohort = models.ForeignKey(
        "courses.Cohort",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("cohort"),
    )
    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    holder_name = models.CharField(_("holder's name"), max_length=150)
    course_title = models.CharField(_("course title"), max_length=255)
    issued_on = models.DateField(_("issue date"))
    expires_on = models.DateField(_("expiry date"), null=True, blank=True)
    code = models.CharField(_("verification code"), max_length=32, unique=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revocation"), max_length=300, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("issued by"),
    )
    renewed_at = models.DateTimeField(_("renewed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_certificate_per_course",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=models.F("issued_on")),
                name="certificate_expires_after_issue",
            ),
        ]

    def __str__(self):
        return self.number

    def status_on(self, day) -> str:
        if self.revoked_at is not None:
            return CertificateStatus.REVOKED
        if self.expires_on is not None and self.expires_on < day:
            return CertificateStatus.EXPIRED
        return CertificateStatus.VALID

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    def get_status_display(self) -> str:
        return CertificateStatus(self.status).label


class CertificateCounter(models.Model):
    """The last number used per prefix and year; its row is locked while a number is taken,
    so numbers have no gaps or duplicates."""

    key = models.CharField(_("key"), max_length=40, unique=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("certificate counter")
        verbose_name_plural = _("certificate counters")

    def __str__(self):
        return f"{self.key}: {self.last}"


# === Open Badges signing keys (H12b) =========================================================


class SigningKey(models.Model):
    """An Ed25519 key pair the organisation signs Open Badges credentials with. The newest key
    without `retired_at` signs; retired keys stay published so what they signed still verifies,
    and are never deleted. The private half is stored encrypted (see `assessments.badges`)."""

    kid = models.CharField(_("key id"), max_length=64, unique=True)
    public_jwk = models.JSONField(_("public key (JWK)"))
    private_key_encrypted = models.TextField(_("private key (encrypted)"), editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")

    def __str__(self):
        return self.kid

    def jwk(self) -> dict:
        """The public JWK; a retired key says since when, for readers of the key set."""
        if self.retired_at is None:
            return dict(self.public_jwk)
        return {**self.public_jwk, "retired": self.retired_at.isoformat()}
