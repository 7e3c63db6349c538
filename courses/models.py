from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.validators import MinValueValidator
from django.db import models, router
from django.db.models import Q, Sum
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.log_actions import log
from wagtail.models import Page, PageViewRestriction
from wagtail.search import index

from yorisoi.roles import is_trainer

from .blocks import LessonBodyBlock, render_markdown
from .widgets import GroupedCheckboxSelectMultiple


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
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("competency framework")
        verbose_name_plural = _("competency frameworks")

    def __str__(self):
        return self.name


class CompetencyCategory(models.Model):
    framework = models.ForeignKey(
        CompetencyFramework,
        on_delete=models.CASCADE,
        related_name="categories",
        verbose_name=_("competency framework"),
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["framework__sort_order", "sort_order", "code"]
        verbose_name = _("competency category")
        verbose_name_plural = _("competency categories")

    def __str__(self):
        return f"{self.code} {self.name}"


class Competency(models.Model):
    category = models.ForeignKey(
        CompetencyCategory,
        on_delete=models.CASCADE,
        related_name="competencies",
        verbose_name=_("competency category"),
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=160, blank=True)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

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


def loaded(model, **values):
    """An instance of `model` with only these fields loaded from a row already read; the others
    are deferred, read from the database when first used, as with QuerySet.only()."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(router.db_for_read(model), names, [values[name] for name in names])


class LearnerPage(Page):
    """Base for pages only signed-in users may read; the catalogue stays public."""

    class Meta:
        abstract = True

    def serve(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().serve(request, *args, **kwargs)

    def get_view_restrictions(self):
        """Wagtail's view-restriction check in one query instead of two: the ancestors follow
        from the page's own path, so only the restrictions need reading. As in Wagtail, a page
        that is an alias answers with the restrictions of its source page."""
        lineage = Page.objects.filter(
            path__in=[self.path[:n] for n in range(self.steplen, len(self.path) + 1, self.steplen)]
        )
        return PageViewRestriction.objects.filter(
            Q(page__in=lineage.filter(alias_of__isnull=True))
            | Q(page__in=lineage.filter(alias_of__isnull=False).values("alias_of"))
        )


class CourseIndexPage(Page):
    intro = models.TextField(_("introduction"), blank=True, help_text=_("Markdown."))

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1

    class Meta:
        verbose_name = _("course catalogue")
        verbose_name_plural = _("course catalogues")

    def intro_html(self):
        return render_markdown(self.intro)

    def route(self, request, path_components):
        """Find a course, module or lesson by its URL path in two queries, instead of Wagtail's
        two per level of the tree. The page type follows from the depth (parent_page_types fix
        the tree). A lesson's second query is its course's outline, which the lesson page reads
        anyway; a page under an unpublished parent stays hidden."""
        levels = (CoursePage, ModulePage, LessonPage)
        if not path_components or len(path_components) > len(levels):
            return super().route(request, path_components)
        model = levels[len(path_components) - 1]
        url_path = self.url_path + "/".join(path_components) + "/"
        try:
            # url_path is unique: slugs are unique among siblings.
            page = model.objects.live().get(url_path=url_path)
        except model.DoesNotExist:
            raise Http404 from None
        if model is ModulePage:
            if not CoursePage.objects.live().filter(path=page.path[: -page.steplen]).exists():
                raise Http404
        elif model is LessonPage and page.module_title() is None:
            raise Http404
        return page.route(request, [])

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
    practice_counts = models.BooleanField(
        _("role-play practice counts toward the required hours"),
        default=False,
        help_text=_(
            "Off: practice time is shown beside the course hours but does not count toward "
            "certification."
        ),
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("audience"),
        FieldPanel("required_hours"),
        FieldPanel("self_enrol"),
        FieldPanel("practice_counts"),
        FieldPanel("intro"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary")]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.ModulePage"]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    @property
    def required_minutes(self) -> int:
        return int(self.required_hours * 60)

    def counted_minutes(self, course_minutes: int, practice_minutes: int) -> int:
        """The minutes that count toward this course's required hours."""
        return course_minutes + (practice_minutes if self.practice_counts else 0)

    def intro_html(self):
        return render_markdown(self.intro)

    def lessons(self):
        """Live lessons of this course in curriculum order (tree order)."""
        return LessonPage.objects.live().descendant_of(self).order_by("path")

    def modules(self):
        return ModulePage.objects.live().child_of(self).order_by("path")

    def get_context(self, request, *args, **kwargs):
        from .services import course_outline, course_progress

        context = super().get_context(request, *args, **kwargs)
        context["enrollment"] = Enrollment.objects.filter(user=request.user, course=self).first()
        context["progress"] = course_progress(request.user, self)
        context["outline"] = course_outline(request.user, self)
        return context


class ModulePage(LearnerPage):
    summary = models.CharField(_("summary"), max_length=300, blank=True)

    content_panels = Page.content_panels + [FieldPanel("summary")]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage"]

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")

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
        FieldPanel("competencies", widget=GroupedCheckboxSelectMultiple),
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
        verbose_name_plural = _("lessons")

    def course(self):
        # Asked for by serve() and get_context() in one request, and found already when the
        # catalogue routed the request here: look it up once.
        if "_course" not in self.__dict__:
            self._course = CoursePage.objects.ancestor_of(self).first()
        return self._course

    def outline(self) -> list[tuple]:
        """The course's live modules and lessons in tree order, as (path, depth, title, URL)
        rows of one light query (no page objects): the lesson page takes its module's title and
        the lessons either side from it. The same query reads the course's own row, which gives
        the lesson page all it needs of its course (see course()); empty when the course is not
        live."""
        if "_outline" not in self.__dict__:
            course_path = self.path[: -2 * self.steplen]  # a lesson is a course's grandchild
            rows = list(
                Page.objects.live()
                .filter(path__startswith=course_path)
                .order_by("path")
                .values_list("pk", "path", "depth", "title", "url_path")
            )
            if not rows or rows[0][1] != course_path:
                self._outline = []
                return self._outline
            pk, path, depth, title, url_path = rows[0]
            if "_course" not in self.__dict__:
                # Only these fields are loaded; any other is read when first used, as with
                # QuerySet.only().
                self._course = loaded(
                    CoursePage,
                    id=pk,
                    page_ptr_id=pk,
                    path=path,
                    depth=depth,
                    title=title,
                    url_path=url_path,
                    live=True,
                )
            # A page's URL is its course's plus the rest of its url_path.
            prefix, skip = self._course.url, len(url_path)
            self._outline = [
                (path, depth, title, prefix + url_path[skip:])
                for _pk, path, depth, title, url_path in rows[1:]
            ]
        return self._outline

    def module_title(self) -> str | None:
        """The title of this lesson's module, or None when the module is not live."""
        module_path = self.path[: -self.steplen]
        return next((row[2] for row in self.outline() if row[0] == module_path), None)

    def neighbours(self) -> tuple[dict | None, dict | None]:
        """The live lessons before and after this one in the course, as title and URL."""
        lessons = [
            {"path": path, "title": title, "url": url}
            for path, depth, title, url in self.outline()
            if depth == self.depth
        ]
        index_ = next(i for i, lesson in enumerate(lessons) if lesson["path"] == self.path)
        return (
            lessons[index_ - 1] if index_ > 0 else None,
            lessons[index_ + 1] if index_ + 1 < len(lessons) else None,
        )

    def enrolment_of(self, user, course_id=None):
        """The user's enrolment in this lesson's course (or in course `course_id`), or None.
        serve() checks it, and the lesson plan and a quiz block on the page take the answer
        from here instead of asking the database again."""
        course_id = course_id or self.course().pk
        enrolments = self.__dict__.setdefault("_enrolments", {})
        if (user.pk, course_id) not in enrolments:
            enrolment = Enrollment.objects.only("pk", "cohort_id")
            try:
                enrolments[user.pk, course_id] = enrolment.get(user=user, course_id=course_id)
            except Enrollment.DoesNotExist:
                enrolments[user.pk, course_id] = None
        return enrolments[user.pk, course_id]

    def serve(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not is_trainer(user) and self.enrolment_of(user) is None:
            return redirect(self.course().url)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from .services import lesson_plan

        context = super().get_context(request, *args, **kwargs)
        user = request.user
        previous_lesson, next_lesson = self.neighbours()
        context.update(
            course=self.course(),
            previous_lesson=previous_lesson,
            next_lesson=next_lesson,
            completed=LessonCompletion.objects.filter(user=user, lesson=self).exists(),
            # One answer per reflection (a unique constraint): no order needed.
            journal_answers=dict(
                JournalEntry.objects.filter(user=user, lesson=self)
                .order_by()
                .values_list("block_id", "text")
            ),
            plan=lesson_plan(user, self),
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
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

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

    def expected_fraction(self, today=None, start=None) -> float:
        """How far through the cohort's schedule we are, from 0 to 1; with `start`, how far
        through the part of it from that day on (a trainee who joined late)."""
        today = today or timezone.localdate()
        start = max(start or self.starts_on, self.starts_on)
        total = (self.ends_on - start).days or 1
        elapsed = (today - start).days
        return min(max(elapsed / total, 0.0), 1.0)


class Enrollment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrollments",
        verbose_name=_("learner"),
    )
    course = models.ForeignKey(
        CoursePage, on_delete=models.CASCADE, related_name="enrollments", verbose_name=_("course")
    )
    cohort = models.ForeignKey(
        Cohort,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enrollments",
        verbose_name=_("cohort"),
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("enrolled by"),
    )

    class Meta:
        ordering = ["enrolled_at"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="unique_enrollment")]

    def __str__(self):
        return f"{self.user} → {self.course.title}"

    def minutes_totals(self) -> tuple[int, int]:
        """(minutes that count toward the required hours, role-play practice minutes)."""
        totals = HoursEntry.objects.filter(
            user_id=self.user_id, course_id=self.course_id
        ).aggregate(**bucket_sums())
        practice = totals["practice_minutes"]
        return self.course.counted_minutes(totals["course_minutes"], practice), practice

    def credited_minutes(self) -> int:
        """Minutes that count toward the course's required hours."""
        return self.minutes_totals()[0]

    def practice_minutes(self) -> int:
        """Role-play practice minutes credited in this course, counted toward it or not."""
        return self.minutes_totals()[1]

    def credit(
        self,
        minutes: int,
        source: str,
        *,
        by,
        lesson=None,
        session=None,
        reason: str = "",
        corrects: "HoursEntry | None" = None,
        period=None,
    ) -> "HoursEntry":
        """Add a line to this learner's hours ledger for the course and log it for audit.

        Every ledger line is written here. A line without `corrects` is a credit. A line with
        `corrects` adjusts that credit: a trainer's correction (source CORRECTION, with a
        reason) or an attendance change (the credit's own source, a reversal). Adjustments
        carry the credit's lesson and session, so the lines of one session add up to what it
        is worth. `period` is the (start, end) of the time a practice credit covers.

        The caller runs in a transaction and has locked what it re-checked (the credit being
        corrected, the session, the learner), so two requests cannot write the same line.
        """
        if corrects is not None:
            if (corrects.user_id, corrects.course_id) != (self.user_id, self.course_id):
                raise ValueError("A ledger line can only adjust a credit in the same ledger.")
            if corrects.corrects_id is not None:
                raise ValueError("Adjust the credit itself, not a line that adjusts it.")
            lesson_id, session_id = corrects.lesson_id, corrects.session_id
        elif source == HoursSource.CORRECTION:
            raise ValueError("A correction must name the credit it corrects.")
        else:
            lesson_id = lesson.pk if lesson else None
            session_id = session.pk if session else None
        start, end = period or (None, None)
        entry = HoursEntry.objects.create(
            user_id=self.user_id,
            course_id=self.course_id,
            minutes=minutes,
            source=source,
            lesson_id=lesson_id,
            session_id=session_id,
            corrects=corrects,
            reason=reason,
            period_start=start,
            period_end=end,
            created_by=by,
        )
        log(
            entry,
            entry.audit_action,
            user=by,
            data={
                "learner": self.user_id,
                "course": self.course_id,
                "minutes": minutes,
                "source": source,
                "corrects": corrects.pk if corrects else None,
            },
        )
        return entry


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class CohortInvitation(models.Model):
    """An invitation to a cohort for everyone a roster names, whether or not they had an account.

    A roster names people by e-mail, and anyone can type anyone's e-mail: enrolling an existing
    account would open its practice and hours to the trainer who typed it. The person joins when
    they answer with their invitation link (or on their own page), or when an org admin confirms.
    New and existing accounts are invited alike, so the cohort page cannot tell them apart.
    """

    ACCEPTED_ACTION = "yorisoi.invitation.accept"
    CONFIRMED_ACTION = "yorisoi.invitation.confirm"
    DECLINED_ACTION = "yorisoi.invitation.decline"

    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("cohort")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="cohort_invitations",
        verbose_name=_("invited person"),
    )
    # As the roster gave them: the trainer sees what they typed, never the account's own data.
    name = models.CharField(_("name on the roster"), max_length=150)
    email = models.EmailField(_("e-mail on the roster"))
    # Only the account the roster created may choose its first password with the link: the
    # link is in the trainer's hands, and an older account without a password is not theirs
    # to take over.
    new_account = models.BooleanField(_("account created by the roster"), default=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("invited by"),
    )
    status = models.CharField(
        pgettext_lazy("invitation", "status"),
        max_length=10,
        choices=InvitationStatus.choices,
        default=InvitationStatus.PENDING,
    )
    created_at = models.DateTimeField(_("invited at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("answered by"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("cohort invitation")
        verbose_name_plural = _("cohort invitations")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "user"], name="unique_cohort_invitation")
        ]

    def __str__(self):
        return f"invitation of {self.user_id} to cohort {self.cohort_id}"

    @property
    def pending(self) -> bool:
        return self.status == InvitationStatus.PENDING


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
        InPersonSession,
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name=_("in-person session"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name=_("learner"),
    )
    status = models.CharField(
        pgettext_lazy("attendance", "status"), max_length=10, choices=AttendanceStatus.choices
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

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
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lesson_completions",
        verbose_name=_("learner"),
    )
    lesson = models.ForeignKey(
        LessonPage, on_delete=models.CASCADE, related_name="completions", verbose_name=_("lesson")
    )
    completed_at = models.DateTimeField(_("completed at"), default=timezone.now)

    class Meta:
        verbose_name = _("lesson completion")
        verbose_name_plural = _("lesson completions")
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
    """One line of the hours ledger. Entries are never edited: a correction is a new line.

    Lines are written by Enrollment.credit only. A credit stands alone; every other line
    adjusts one credit (`corrects`): a trainer's correction, or a reversal when attendance
    changes. A credit's net value is the credit plus its adjustments.
    """

    CREDITED = "yorisoi.hours.credit"
    CORRECTED = "yorisoi.hours.correct"
    REVERSED = "yorisoi.hours.reverse"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="hours_entries",
        verbose_name=_("learner"),
    )
    course = models.ForeignKey(
        CoursePage, on_delete=models.CASCADE, related_name="hours_entries", verbose_name=_("course")
    )
    minutes = models.IntegerField(_("minutes"))
    # A lesson's "source" is where it draws from (出典); a ledger line's is what it credits.
    source = models.CharField(
        pgettext_lazy("hours ledger", "source"), max_length=12, choices=HoursSource.choices
    )
    lesson = models.ForeignKey(
        LessonPage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("lesson"),
    )
    session = models.ForeignKey(
        InPersonSession,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("in-person session"),
    )
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    # The stretch of time a practice credit covers, so overlapping sessions count once.
    period_start = models.DateTimeField(_("practice from"), null=True, blank=True)
    period_end = models.DateTimeField(_("practice until"), null=True, blank=True)

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
            # One credit per learner and session; attendance changes adjust it.
            models.UniqueConstraint(
                fields=["user", "session"],
                condition=Q(source="session", corrects__isnull=True),
                name="session_credited_once",
            ),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True, period_end__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="practice_period_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.minutes:+d} min ({self.get_source_display()})"

    def describe(self) -> str:
        if self.source == HoursSource.CORRECTION:
            return self.reason
        if self.lesson_id and self.lesson:
            return self.lesson.title
        if self.session_id and self.session:
            return str(self.session)
        return self.reason

    @property
    def is_reversal(self) -> bool:
        """A line written because attendance changed; only its credit can be corrected."""
        return self.corrects_id is not None and self.source != HoursSource.CORRECTION

    @property
    def audit_action(self) -> str:
        if self.corrects_id is None:
            return self.CREDITED
        return self.REVERSED if self.is_reversal else self.CORRECTED

    def net_minutes(self) -> int:
        """This credit plus the corrections and reversals made to it."""
        return self.minutes + sum(c.minutes for c in self.corrections.all())


# Practice lines: role-play credits and the corrections made to them.
PRACTICE_LINES = Q(source=HoursSource.ROLEPLAY) | Q(corrects__source=HoursSource.ROLEPLAY)


def bucket_sums() -> dict:
    """Aggregates that split ledger lines into course minutes and practice minutes."""
    return {
        "course_minutes": Sum("minutes", filter=~PRACTICE_LINES, default=0),
        "practice_minutes": Sum("minutes", filter=PRACTICE_LINES, default=0),
    }


def as_hours(minutes: int) -> Decimal:
    """Minutes as hours with one decimal: the one unit totals are shown in.

    Rounded down, so a total never reads as meeting a requirement it does not meet.
    """
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


class JournalEntry(models.Model):
    """A learner's private answer to a reflection prompt. Only its author ever sees it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="journal_entries",
        verbose_name=_("learner"),
    )
    lesson = models.ForeignKey(
        LessonPage, on_delete=models.CASCADE, related_name="+", verbose_name=_("lesson")
    )
    block_id = models.CharField(_("block id"), max_length=64)
    prompt = models.TextField(_("reflection question"))
    text = models.TextField(pgettext_lazy("reflection", "answer"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "lesson", "block_id"], name="unique_journal_answer"
            )
        ]

    def __str__(self):
        # Never the answer itself: this string can end up in logs and admin screens.
        return f"journal of {self.user} on lesson {self.lesson_id}"
