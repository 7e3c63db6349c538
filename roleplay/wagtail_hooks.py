from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Scenario


class ScenarioViewSet(SnippetViewSet):
    model = Scenario
    icon = "comment"
    menu_label = _("Scenarios")
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["title", "learner_role", "difficulty", "live", "updated_at"]
    list_filter = ["learner_role", "difficulty", "live"]
    search_fields = ["title", "brief"]


register_snippet(ScenarioViewSet)
