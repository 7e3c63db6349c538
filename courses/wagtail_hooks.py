import django_filters
from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import ObjectList, extract_panel_definitions_from_model_class
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from yorisoi.admin_scope import ScopedSnippetChooserViewSet, ScopedViewSetMixin
from yorisoi.roles import is_trainer

from .forms import CohortForm, InPersonSessionForm
from .models import (
    Cohort,
    CohortInvitation,
    Competency,
    CompetencyCategory,
    CompetencyFramework,
    HoursEntry,
    InPersonSession,
)


class CompetencyFilterSet(WagtailFilterSet):
    # Named here: the generated label joins the two relations' names ("分類 体系").
    framework = django_filters.ModelChoiceFilter(
        field_name="category__framework",
        queryset=CompetencyFramework.objects.all(),
        label=_("competency framework"),
        empty_label=_("All"),
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Competency
        fields = []


class CompetencyViewSet(SnippetViewSet):
    model = Competency
    icon = "tick"
    list_display = ["code", "name", "category"]
    filterset_class = CompetencyFilterSet
    search_fields = ["code", "name", "name_en"]


class CompetencyFrameworkViewSet(SnippetViewSet):
    model = CompetencyFramework
    icon = "list-ul"
    list_display = ["code", "name"]


class CompetencyCategoryViewSet(SnippetViewSet):
    model = CompetencyCategory
    icon = "folder-open-inverse"
    list_display = ["code", "name", "framework"]


class CompetencyGroup(SnippetViewSetGroup):
    menu_label = _("Competencies")
    menu_icon = "tick"
    items = (CompetencyFrameworkViewSet, CompetencyCategoryViewSet, CompetencyViewSet)


def model_panels(viewset, form_class):
    """The model's own panels with our form class, which narrows a field's choices."""
    exclude = viewset.get_exclude_form_fields()
    panels = extract_panel_definitions_from_model_class(viewset.model, exclude=exclude)
    return ObjectList(panels, base_form_class=form_class).bind_to_model(viewset.model)


def visible_cohorts(request):
    return Cohort.objects.visible_to(request.user)


def visible_sessions(request):
    return InPersonSession.objects.filter(cohort__in=visible_cohorts(request))


class CohortViewSet(ScopedViewSetMixin, SnippetViewSet):
    """Another trainer's cohort is a 404 in every view, the chooser included."""

    model = Cohort
    icon = "group"
    list_display = ["name", "course", "starts_on", "ends_on"]
    chooser_viewset_class = ScopedSnippetChooserViewSet

    def get_queryset(self, request):
        return visible_cohorts(request).select_related("course")

    def get_edit_handler(self):
        return model_panels(self, CohortForm)


class InPersonSessionViewSet(ScopedViewSetMixin, SnippetViewSet):
    model = InPersonSession
    icon = "date"
    list_display = ["title", "cohort", "starts_at", "place", "hours"]
    chooser_viewset_class = ScopedSnippetChooserViewSet

    def get_queryset(self, request):
        return visible_sessions(request).select_related("cohort")

    def get_edit_handler(self):
        # The form limits the cohort to the user's own.
        return model_panels(self, InPersonSessionForm)


class CohortGroup(SnippetViewSetGroup):
    menu_label = _("Cohorts")
    menu_icon = "group"
    items = (CohortViewSet, InPersonSessionViewSet)


register_snippet(CompetencyGroup)
register_snippet(CohortGroup)


class TrainerMenuItem(MenuItem):
    def is_shown(self, request):
        return is_trainer(request.user)


@hooks.register("register_admin_menu_item")
def register_dashboard_link():
    return TrainerMenuItem(
        _("Trainer pages"), reverse("trainer_cohorts"), icon_name="table", order=150
    )


@hooks.register("register_log_actions")
def register_hours_actions(actions):
    """Every line of the hours ledger is recorded in the audit log under one of these."""
    actions.register_action(
        HoursEntry.CREDITED, _("Credit hours"), _("Hours credited to the ledger")
    )
    actions.register_action(
        HoursEntry.CORRECTED, _("Correct hours"), _("Hours corrected in the ledger")
    )
    actions.register_action(
        HoursEntry.REVERSED,
        _("Reverse hours on an attendance change"),
        _("Hours changed in the ledger because attendance changed"),
    )


@hooks.register("register_log_actions")
def register_invitation_actions(actions):
    """How a person joined a cohort they were invited to, or that they declined."""
    actions.register_action(
        CohortInvitation.ACCEPTED_ACTION,
        _("Accept a cohort invitation"),
        _("Cohort invitation accepted"),
    )
    actions.register_action(
        CohortInvitation.CONFIRMED_ACTION,
        _("Confirm a cohort invitation"),
        _("Cohort invitation confirmed by an org admin"),
    )
    actions.register_action(
        CohortInvitation.DECLINED_ACTION,
        _("Decline a cohort invitation"),
        _("Cohort invitation declined"),
    )
