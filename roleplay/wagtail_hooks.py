from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import DateColumn, LiveStatusTagColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Scenario
from .privacy import kept_text_notice


class ScenarioViewSet(SnippetViewSet):
    model = Scenario
    icon = "comment"
    menu_label = _("Scenarios")
    menu_order = 210
    add_to_admin_menu = True
    # Wagtail's status tag (公開 / 下書き) rather than the raw True/False of `live`.
    list_display = [
        "title",
        "learner_role",
        "difficulty",
        LiveStatusTagColumn(),
        DateColumn("updated_at", label=_("Updated"), sort_key="updated_at"),
    ]
    list_filter = ["learner_role", "difficulty", "live"]


register_snippet(ScenarioViewSet)


# A journal reflection stays in the learner's words; the guard only points out what it sees.
hooks.register("yorisoi_kept_text_notices", kept_text_notice)
