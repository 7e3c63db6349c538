from decimal import Decimal

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from yorisoi.roles import is_trainer

from .blocks import LessonBodyBlock, render_markdown


class Audience(models.TextChoices):
    HOME_VISITOR = "home_visitor", _("Home visitors")
    COORDINATOR = "coordinator", _("Coordinators")
    ALL = "all", _("Everyone")


class Delivery(models.TextChoices):
    ONLINE = "online", _("Online")
    LECTURE = "lecture", _("In-person lecture")
    GROUP_WORK = "group_work", _("Group work")
    ACCOMPANIED_VISIT = "accompanied_visit", _("Accompanied visit")


# --- Competency framework ---------------------------------------------------------------


class CompetencyFramework(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("competency framework")
        verbose_name_plural = _("competency frameworks")

    def __str__(self):
        return self.name


class CompetencyCategory(models.Model):
    framework = models.ForeignKey(
        CompetencyFramework, on_delete=models.CASCADE, related_name="categories"
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["framework__sort_order", "sort_order", "code"]
        verbose_name = _("competency category")
        verbose_name_plural = _("competency categories")

    def __str__(self):
        return f"{self.code} {self.name}"


class Competency(models.Model):
    category = models.ForeignKey(
        CompetencyCategory, on_delete=models.CASCADE, related_name="competencies"
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=160, blank=True)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    panels = [
        FieldPanel("category"),
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("name_en"),
        FieldPanel("description"),
    ]

    class Meta:
        ordering = ["category__framework__sort_order", "category__sort_order", "sort_order"]
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")

    def __str__(self):
        return f"{self.code} {self.name}"


# --- Curriculum pages --------------------------------------------------------------------


class LearnerPage(Page):
    """Base for pages only signed-in users may read; the catalogue stays public."""

    class Meta:
        abstract = True

    def serve(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().serve(request, *args, **kwargs)


class CourseIndexPage(Page):
    intro = models.TextField(_("introduction"), blank=True, help_text=_("Markdown."))

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1

    class Meta:
        verbose_name = _("course catalogue")

    def intro_html(self):
        return render_markdown(self.intro)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["courses"] = CoursePage.objects.child_of(self).live().specific()
        return context


class CoursePage(LearnerPage):
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.ALL
    )
    required_hours = models.DecimalField(
        _("hours required for certification"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    intro = models.TextField(_("introduction"), blank=True, help_text=_("Markdown."))
    self_enrol = models.BooleanField(_("learners may enrol themselves"), default=True)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("audience"),
        FieldPanel("required_hours"),
        FieldPanel("self_enrol"),
        FieldPanel("intro"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary")]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.ModulePage"]

    class Meta:
        verbose_name = _("course")

    @property
    def required_minutes(self) -> int:
        return int(self.required_hours * 60)

    def intro_html(self):
        return render_markdown(self.intro)

    def lessons(self):
        """Live lessons of this course in curriculum order (tree order)."""
        return LessonPage.objects.live().descendant_of(self).order_by("path")

    def modules(self):
        return ModulePage.objects.live().child_of(self).order_by("path")

    def get_context(self, request, *args, **kwargs):
        from .services import course_progress

        context = super().get_context(request, *args, **kwargs)
        context["enrollment"] = Enrollment.objects.filter(user=request.user, course=self).first()
        context["progress"] = course_progress(request.user, self)
        return context


class ModulePage(LearnerPage):
    summary = models.CharField(_("summary"), max_length=300, blank=True)

    content_panels = Page.content_panels + [FieldPanel("summary")]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage"]

    class Meta:
        verbose_name = _("module")

    def serve(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            # A module is a chapter heading; its course page lists its lessons.
            return redirect(self.get_parent().url + f"#module-{self.slug}")
        return super().serve(request, *args, **kwargs)


class LessonPage(LearnerPage):
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(1)]
    )
    delivery = models.CharField(
        _("delivery mode"), max_length=20, choices=Delivery.choices, default=Delivery.ONLINE
    )
    competencies = ParentalManyToManyField(
        Competency, blank=True, related_name="lessons", verbose_name=_("competencies")
    )
    body = StreamField(LessonBodyBlock(), blank=True, verbose_name=_("body"))
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("Where this lesson draws from.")
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("duration_minutes"),
        FieldPanel("delivery"),
        FieldPanel("competencies"),
        FieldPanel("body"),
        FieldPanel("source"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
    ]
    parent_page_types = ["courses.ModulePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("lesson")

    def course(self):
        return CoursePage.objects.ancestor_of(self).first()

    def serve(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_trainer(request.user):
            course = self.course()
            if not Enrollment.objects.filter(user=request.user, course=course).exists():
                return redirect(course.url)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        user = request.user
        course = self.course()
        siblings = list(course.lessons().only("id", "title", "url_path"))
        index_ = next(i for i, lesson in enumerate(siblings) if lesson.pk == self.pk)
        context.update(
            course=course,
            previous_lesson=siblings[index_ - 1] if index_ > 0 else None,
            next_lesson=siblings[index_ + 1] if index_ + 1 < len(siblings) else None,
            completed=LessonCompletion.objects.filter(user=user, lesson=self).exists(),
            journal_answers=dict(
                JournalEntry.objects.filter(user=user, lesson=self).values_list("block_id", "text")
            ),
        )
        return context

    def reflection_prompt(self, block_id: str) -> str | None:
        for child in self.body:
            if child.block_type == "reflection" and child.id == block_id:
                return child.value["prompt"]
        return None


# --- Enrolment, cohorts and sessions ------------------------------------------------------


class CohortQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Org admins see every cohort; trainers only the cohorts they run."""
        from yorisoi.roles import is_org_admin

        if is_org_admin(user):
            return self
        if is_trainer(user):
            return self.filter(trainers=user)
        return self.none()


class Cohort(models.Model):
    course = models.ForeignKey(
        CoursePage, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("course")
    )
    name = models.CharField(_("name"), max_length=80, help_text=_("For example 第12期."))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="cohorts_run", verbose_name=_("trainers")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.UniqueConstraint(fields=["course", "name"], name="unique_cohort_name"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="cohort_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.course.title} {self.name}"

    def expected_fraction(self, today=None) -> float:
        """How far through the cohort's schedule we are, from 0 to 1."""
        today = today or timezone.localdate()
        total = (self.ends_on - self.starts_on).days or 1
        elapsed = (today - self.starts_on).days
        return min(max(elapsed / total, 0.0), 1.0)


class Enrollment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="enrollments")
    cohort = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="enrollments"
    )
    enrolled_at = models.DateTimeField(default=timezone.now)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["enrolled_at"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="unique_enrollment")]

    def __str__(self):
        return f"{self.user} → {self.course.title}"

    def credited_minutes(self) -> int:
        return (
            HoursEntry.objects.filter(user=self.user, course=self.course).aggregate(
                total=Sum("minutes")
            )["total"]
            or 0
        )


class InPersonSession(models.Model):
    """A scheduled in-person training session of a cohort (講義・演習・同行訪問)."""

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("cohort")
    )
    title = models.CharField(_("title"), max_length=160)
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=200)
    hours = models.DecimalField(
        _("hours"), max_digits=4, decimal_places=2, validators=[MinValueValidator(Decimal("0.25"))]
    )
    lesson = models.ForeignKey(
        LessonPage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
        verbose_name=_("lesson"),
    )

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("in-person session")
        verbose_name_plural = _("in-person sessions")

    def __str__(self):
        return f"{self.title} ({timezone.localtime(self.starts_at):%Y-%m-%d})"

    @property
    def minutes(self) -> int:
        return int(self.hours * 60)


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


# Late arrivals still attended the session; excused and absent trainees did not.
CREDITED_STATUSES = {AttendanceStatus.PRESENT, AttendanceStatus.LATE}


class Attendance(models.Model):
    session = models.ForeignKey(
        InPersonSession, on_delete=models.CASCADE, related_name="attendances"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendances"
    )
    status = models.CharField(_("status"), max_length=10, choices=AttendanceStatus.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="unique_attendance")
        ]

    def __str__(self):
        return f"{self.user} @ {self.session}: {self.get_status_display()}"


# --- Learning records ---------------------------------------------------------------------


class LessonCompletion(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_completions"
    )
    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="unique_lesson_completion")
        ]

    def __str__(self):
        return f"{self.user} ✓ {self.lesson_id}"


class HoursSource(models.TextChoices):
    LESSON = "lesson", _("Lesson")
    SESSION = "session", _("In-person session")
    ROLEPLAY = "roleplay", _("Role-play practice")
    CORRECTION = "correction", _("Correction")


class HoursEntry(models.Model):
    """One line of the hours ledger. Entries are never edited: a correction is a new line."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hours_entries"
    )
    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="hours_entries")
    minutes = models.IntegerField(_("minutes"))
    source = models.CharField(_("source"), max_length=12, choices=HoursSource.choices)
    lesson = models.ForeignKey(
        LessonPage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    session = models.ForeignKey(
        InPersonSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("hours entry")
        verbose_name_plural = _("hours ledger")
        constraints = [
            # A lesson is credited once per learner, whatever happens to the request.
            models.UniqueConstraint(
                fields=["user", "lesson"],
                condition=Q(source="lesson"),
                name="lesson_credited_once",
            ),
            models.CheckConstraint(
                condition=~Q(source="correction") | ~Q(reason=""),
                name="correction_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.minutes:+d} min ({self.get_source_display()})"

    def describe(self) -> str:
        if self.lesson_id and self.lesson:
            return self.lesson.title
        if self.session_id and self.session:
            return str(self.session)
        return self.reason

    def net_minutes(self) -> int:
        """This entry plus the corrections made to it."""
        return self.minutes + sum(c.minutes for c in self.corrections.all())


class JournalEntry(models.Model):
    """A learner's private answer to a reflection prompt. Only its author ever sees it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journal_entries"
    )
    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="+")
    block_id = models.CharField(max_length=64)
    prompt = models.TextField()
    text = models.TextField(_("answer"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "lesson", "block_id"], name="unique_journal_answer"
            )
        ]

    def __str__(self):
        # Never the answer itself: this string can end up in logs and admin screens.
        return f"journal of {self.user} on lesson {self.lesson_id}"
