"""StreamField blocks for lessons. One shared StreamBlock; no block runs a query."""

from functools import cached_property, lru_cache
from urllib.parse import parse_qs, urlparse

import markdown
import nh3
from django.apps import apps
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from .widgets import ScenarioSelect

MARKDOWN_EXTENSIONS = ["extra", "sane_lists"]
# The least and most minutes of role-play practice one lesson may assign.
PRACTICE_MINUTES = (5, 120)
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "ruby", "rp", "rt",
    "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip


# A lesson's text changes only when it is published again, but every page view rendered it
# anew (half the lesson page's server time): keep the HTML of recent texts, keyed by the text.
@lru_cache(maxsize=2048)
def render_markdown(source: str) -> str:
    """Markdown to HTML with everything executable stripped (scripts, handlers, js: links)."""
    html = markdown.markdown(source or "", extensions=MARKDOWN_EXTENSIONS)
    clean = nh3.clean(html, tags=ALLOWED_TAGS, link_rel="noopener noreferrer")
    # bandit B308/B703: nh3 has just removed every tag and attribute not on the allow-list.
    return mark_safe(clean)  # nosec B308 B703


# Wagtail's stored rich text refers to pages, documents and images by id through these.
RICH_TEXT_ATTRIBUTES = {
    **nh3.ALLOWED_ATTRIBUTES,
    "a": {"href", "linktype", "id", "title"},
    "embed": {"embedtype", "id", "format", "alt"},
}


def sanitise_rich_text(html: str) -> str:
    """Rich text from a content file: keep Wagtail's markup, drop anything executable."""
    return nh3.clean(
        html, tags=ALLOWED_TAGS | {"embed"}, attributes=RICH_TEXT_ATTRIBUTES, link_rel=None
    )


class MarkdownBlock(blocks.TextBlock):
    class Meta:
        icon = "code"
        label = _("Markdown")
        template = "courses/blocks/markdown.html"
        description = _("Text written in Markdown; HTML and scripts are removed.")

    @cached_property
    def field(self):
        field = super().field
        # In a stream, Wagtail titles a plain block with a heading that is not the textarea's
        # label, so a screen reader announced an unnamed field (axe: label). The label stays
        # lazy: it is translated when the editor is drawn.
        field.widget.attrs["aria-label"] = self.label
        return field


class LessonRichTextBlock(blocks.RichTextBlock):
    @cached_property
    def field(self):
        field = super().field
        # As for MarkdownBlock: the editor is named after the block (axe: aria-input-field-name).
        # Draftail takes the name as an option; the editor's definition is sent to the browser
        # through telepath, which translates the lazy label per request.
        field.widget.options["ariaLabel"] = self.label
        return field


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        choices=[("point", _("Point")), ("caution", _("Caution")), ("example", _("Example"))],
        default="point",
        label=_("Kind"),
    )
    title = blocks.CharBlock(required=False, max_length=120, label=_("Title"))
    body = MarkdownBlock(label=_("Text"))

    class Meta:
        icon = "warning"
        label = _("Callout")
        template = "courses/blocks/callout.html"
        description = _("A highlighted box: a key point, a caution or a worked example.")


class VideoBlock(blocks.StructBlock):
    """A YouTube or Vimeo video, embedded without fetching anything at render time."""

    url = blocks.URLBlock(label=_("Video link"))
    caption = blocks.CharBlock(required=False, max_length=200, label=_("Caption"))

    def embed_url(self, url: str) -> str | None:
        parsed = urlparse(url)
        host = parsed.netloc.lower().removeprefix("www.").removeprefix("m.")
        if host == "youtu.be":
            video_id = parsed.path.strip("/")
        elif host in ("youtube.com", "youtube-nocookie.com"):
            video_id = parse_qs(parsed.query).get("v", [""])[0] or parsed.path.split("/")[-1]
        elif host == "vimeo.com" and parsed.path.strip("/").isdigit():
            return f"https://player.vimeo.com/video/{parsed.path.strip('/')}"
        else:
            return None
        if not video_id.replace("-", "").replace("_", "").isalnum():
            return None
        return f"https://www.youtube-nocookie.com/embed/{video_id}"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["embed_url"] = self.embed_url(value["url"])
        return context

    class Meta:
        icon = "media"
        label = _("Video")
        template = "courses/blocks/video.html"
        description = _("A YouTube or Vimeo link; other links are shown as a plain link.")


class ReflectionBlock(blocks.StructBlock):
    prompt = blocks.TextBlock(
        label=_("Question to reflect on"),
        help_text=_("One question; each learner's answer stays private."),
    )

    class Meta:
        icon = "edit"
        label = _("Reflection prompt")
        template = "courses/blocks/reflection.html"
        description = _("A question whose answer is saved to the learner's private journal.")


class PhraseBlock(blocks.StructBlock):
    say = blocks.CharBlock(label=_("Say this"), max_length=300)
    instead = blocks.CharBlock(label=_("Rather than this"), max_length=300)


class KeyPhrasesBlock(blocks.StructBlock):
    phrases = blocks.ListBlock(PhraseBlock(), min_num=1, label=_("Phrase pairs"))

    class Meta:
        icon = "openquote"
        label = _("Key phrases")
        template = "courses/blocks/key_phrases.html"
        description = _("Pairs of phrases: what to say, and what to avoid saying.")


class LessonImageBlock(ImageBlock):
    """Wagtail's image block with alt text. Wagtail labels its image field with a plain
    English string; this one is translated like every other label."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.child_blocks["image"].label = _("Image")


def scenario_choices() -> list[tuple[str, str]]:
    """The published role-play scenarios, by title, for an author to choose from. Looked up
    by name: courses must not import roleplay."""
    scenarios = apps.get_model("roleplay", "Scenario").objects.playable().order_by("title")
    listed = [(s.slug, f"{s.title}（{s.slug}）") for s in scenarios.only("slug", "title")]
    return [("", "---------"), *listed]


class ScenarioBlock(blocks.RegexBlock):
    """A scenario's slug, chosen in the page editor from the published scenarios instead of
    typed. What it accepts is still a slug's form: the content loader checks a pack's slugs
    against the pack itself, before its scenarios are in the database. A slug no longer
    published matches no option: the editor shows none chosen, and the page cannot be
    published until one is (a draft may be saved without, as with any required field)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.field.widget = ScenarioSelect(choices=scenario_choices)


class PracticeBlock(blocks.StructBlock):
    """A role-play the lesson asks the learner to practise, named by its slug: courses must not
    import roleplay, so the content loader checks that the scenario exists and suits the course.
    Its minutes count toward what the lesson's hours rest on (`manage.py load_content --check`)."""

    scenario = ScenarioBlock(
        regex=r"^[-a-zA-Z0-9_]+$",
        max_length=80,
        label=_("Scenario"),
        help_text=_("Only published scenarios are listed."),
        error_messages={"invalid": _("Use letters, digits, - and _.")},
    )
    minutes = blocks.IntegerBlock(
        min_value=PRACTICE_MINUTES[0],
        max_value=PRACTICE_MINUTES[1],
        label=_("Minutes"),
        help_text=_("About how long the learner should practise."),
    )
    note = blocks.CharBlock(
        required=False,
        max_length=200,
        label=_("Note"),
        help_text=_("What to try in this practice, shown under the link."),
    )

    class Meta:
        icon = "group"
        label = _("Role-play practice")
        template = "courses/blocks/practice.html"
        description = _("A role-play scenario to practise for about so many minutes.")


class LessonBodyBlock(blocks.StreamBlock):
    rich_text = LessonRichTextBlock(
        icon="pilcrow",
        label=_("Rich text"),
        template="courses/blocks/rich_text.html",
        description=_("Formatted text edited in the page editor."),
    )
    markdown = MarkdownBlock()
    callout = CalloutBlock()
    video = VideoBlock()
    image = LessonImageBlock(
        label=_("Image"),
        template="courses/blocks/image.html",
        description=_("An image with alternative text."),
    )
    reflection = ReflectionBlock()
    key_phrases = KeyPhrasesBlock()
    # Named by string: courses must not import assessments, which renders the block.
    quiz = SnippetChooserBlock(
        "assessments.Quiz",
        icon="tasks",
        label=_("Quiz"),
        template="assessments/blocks/quiz.html",
        description=_("A chapter quiz or a final exam: start, resume and the learner's result."),
    )
    practice = PracticeBlock()
