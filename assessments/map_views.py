"""Competency maps (a learner's own, a cohort's for its trainers), the registry of certified
home visitors, and the CSV exports municipalities ask for."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Enrollment
from courses.views import trainer_required, visible_cohort

from . import registry
from .competency_map import MAX_STRENGTH, chart, competency_map, competency_maps
from .registry import ExportForm, RegistryFilter

REGISTRY_PAGE_SIZE = 50


def _chart(cmap):
    return chart(
        cmap,
        no_evidence=_("no evidence yet"),
        title_format=_("%(name)s: strength %(strength)s (%(evidence)s pieces of evidence)"),
    )


@login_required
def my_competencies(request):
    cmap = competency_map(request.user).relevant()
    return render(
        request,
        "assessments/map_learner.html",
        {"map": cmap, "chart": _chart(cmap), "max_strength": MAX_STRENGTH},
    )


@login_required
def cohort_competencies(request, cohort_id):
    # Not trainer_required: a trainee asking is told nothing more than about an unknown id.
    cohort = visible_cohort(request, cohort_id)
    enrollments = list(
        Enrollment.objects.filter(cohort=cohort)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    maps = competency_maps([e.user for e in enrollments])
    any_map = next(iter(maps.values()), None)
    competencies = [row.competency for row in any_map.rows] if any_map else []
    rows = [(e.user, maps[e.user_id].rows) for e in enrollments]
    return render(
        request,
        "assessments/map_cohort.html",
        {
            "cohort": cohort,
            "competencies": competencies,
            "rows": rows,
            "max_strength": MAX_STRENGTH,
        },
    )


def registry_keeper_required(view):
    """Org admins, trainers and coordinators keep the registry; anyone else gets a 404, so
    the page does not even show that it exists."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not registry.may_keep_registry(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@registry_keeper_required
def registry_page(request):
    filters = RegistryFilter.from_query(request.GET)
    page = Paginator(registry.registry(filters), REGISTRY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "assessments/registry_list.html",
        {
            "page": page,
            "rows": registry.registry_rows(page.object_list),
            "filters": filters,
            "statuses": registry.STATUS_FILTERS,
            "due_days": registry.DUE_SOON_DAYS,
            "fiscal_year": registry.fiscal_year(timezone.localdate()),
        },
    )


@registry_keeper_required
def registry_csv(request):
    filters = RegistryFilter.from_query(request.GET)
    return registry.registry_csv(registry.registry(filters))


@trainer_required
def exports(request):
    form = ExportForm(request.GET or None, user=request.user)
    empty = False
    if form.is_valid():
        export = registry.municipality_export(**form.cleaned_data)
        if export.rows:
            return export.response()
        empty = True
    return render(
        request,
        "assessments/registry_exports.html",
        {"form": form, "empty": empty},
        status=400 if form.is_bound and form.errors else 200,
    )
