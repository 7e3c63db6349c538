"""Scoping of Wagtail admin viewsets to what the signed-in user may see."""

import functools

from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenMultipleView,
    SnippetChosenView,
)


class ScopedViewSetMixin:
    """Every view of the viewset that names an object answers 404 for one outside
    `get_queryset(request)`.

    Wagtail scopes only the listing with `get_queryset`; copy, history, usage, inspect,
    revisions, lock and the rest each look the object up on their own, so the check sits
    in front of all of them instead of in each view class.
    """

    def get_queryset(self, request):
        raise NotImplementedError

    def construct_view(self, view_class, **kwargs):
        view = super().construct_view(view_class, **kwargs)

        @functools.wraps(view)
        def scoped_view(request, *args, **url_kwargs):
            if "pk" in url_kwargs and not self.is_visible(request, url_kwargs["pk"]):
                raise Http404
            return view(request, *args, **url_kwargs)

        return scoped_view

    def is_visible(self, request, pk) -> bool:
        try:
            return self.get_queryset(request).filter(pk=unquote(str(pk))).exists()
        except (ValueError, ValidationError):
            return False


class ScopedChooserMixin:
    """Chooser views list and return only what the model's snippet viewset lets the user see."""

    scope = None

    def get_object_list(self):
        return self.scope(self.request)

    def get_object(self, pk):
        return self.scope(self.request).get(pk=pk)

    def get_objects(self, pks):
        return self.scope(self.request).filter(pk__in=pks)


class ScopedChooseView(ScopedChooserMixin, ChooseView):
    pass


class ScopedChooseResultsView(ScopedChooserMixin, ChooseResultsView):
    pass


class ScopedChosenView(ScopedChooserMixin, SnippetChosenView):
    pass


class ScopedChosenMultipleView(ScopedChooserMixin, SnippetChosenMultipleView):
    pass


class ScopedSnippetChooserViewSet(SnippetChooserViewSet):
    """The chooser of a snippet whose viewset uses `ScopedViewSetMixin`."""

    choose_view_class = ScopedChooseView
    choose_results_view_class = ScopedChooseResultsView
    chosen_view_class = ScopedChosenView
    chosen_multiple_view_class = ScopedChosenMultipleView

    def scope(self, request):
        return self.model.snippet_viewset.get_queryset(request)

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(scope=self.scope, **kwargs)
