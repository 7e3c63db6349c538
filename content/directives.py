"""A lesson's body: Markdown between `::: KIND [args]` ... `:::` directives, as StreamField blocks.
A directive without content may stand on one line: `::: quiz SLUG :::`,
`::: practice SCENARIO-SLUG MINUTES [note] :::`.

Every block is checked as the page editor would check it, so a lesson that loads can also be
saved in the admin; each problem is reported at the line of its directive.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import translation
from PIL import Image as PILImage
from wagtail.images.utils import get_allowed_image_extensions

from courses.blocks import PRACTICE_MINUTES, LessonBodyBlock, sanitise_rich_text

from .fields import Fields, PackContext, YamlDoc

DIRECTIVE = re.compile(r"^:::\s+(?P<kind>\S+)\s*(?P<args>.*?)\s*$")
CALLOUTS = ("point", "caution", "example")
DIRECTIVES = (*CALLOUTS, "phrases", "reflection", "video", "image", "richtext", "quiz", "practice")
# Directives whose arguments say everything: they take no content between their lines.
ONE_LINERS = ("video", "image", "quiz", "practice")
ONE_LINER_ARGUMENTS = {
    "video": "URL [caption]",
    "image": "FILE [alt text]",
    "quiz": "SLUG",
    "practice": "SCENARIO-SLUG MINUTES [note]",
}
BODY_BLOCK = LessonBodyBlock()


@dataclass
class Block:
    """A lesson body block as StreamField data, except that an image names its media file."""

    type: str
    value: str | dict
    line: int = 0  # where its directive is, for problems found when the pack meets the site


@dataclass
class Directive:
    kind: str
    args: str
    line: int
    content: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.content).strip()


def read_body(context: PackContext, file: str, lines: list[str], first_line: int) -> list[Block]:
    """The blocks of a lesson body whose first line is line `first_line` of `file`."""
    return BodyReader(context, file).read(lines, first_line)


class BodyReader:
    def __init__(self, context: PackContext, file: str):
        self.context, self.file = context, file
        self.blocks: list[Block] = []
        self.markdown: list[str] = []

    def error(self, line: int, message: str):
        self.context.error(self.file, line, message)

    def read(self, lines: list[str], first_line: int) -> list[Block]:
        opened: Directive | None = None
        for number, line in enumerate(lines, start=first_line):
            if not line.startswith(":::"):
                (opened.content if opened else self.markdown).append(line)
            elif line.rstrip() == ":::":
                if opened is None:
                    self.error(number, "':::' closes no directive")
                else:
                    self.blocks.extend(self.directive(opened))
                    opened = None
            elif match := DIRECTIVE.match(line):
                if opened:
                    self.error(
                        opened.line, f"'::: {opened.kind}' is not closed before line {number}"
                    )
                self.flush_markdown()
                opened = Directive(match["kind"], match["args"], number)
                if opened.kind not in DIRECTIVES:
                    known = ", ".join(DIRECTIVES)
                    self.error(number, f"unknown directive '{opened.kind}'; use one of: {known}")
                if opened.args == ":::" or opened.args.endswith(" :::"):
                    opened.args = opened.args.removesuffix(":::").rstrip()
                    self.blocks.extend(self.directive(opened))
                    opened = None
            else:
                self.error(number, "a directive line reads '::: KIND [arguments]'")
        if opened:
            self.error(opened.line, f"'::: {opened.kind}' is never closed with ':::'")
        self.flush_markdown()
        return self.blocks

    def flush_markdown(self):
        text = "\n".join(self.markdown).strip()
        if text:
            self.blocks.append(Block("markdown", text))
        self.markdown.clear()

    def directive(self, directive: Directive) -> list[Block]:
        """The block for one directive, or none (with errors) if it is malformed."""
        kind, args, line, content = directive.kind, directive.args, directive.line, directive.text
        errors_before = len(self.context.errors)
        if kind not in DIRECTIVES:  # reported where it opened
            return []
        if kind in ONE_LINERS:
            if content:
                self.error(line, f"'::: {kind}' takes no content between its lines")
            if not args:
                what = ONE_LINER_ARGUMENTS[kind]
                self.error(line, f"'::: {kind}' needs its {what} on the same line")
            elif kind == "quiz" and len(args.split()) > 1:
                self.error(line, "'::: quiz' takes one quiz slug")
        else:
            if args and kind not in CALLOUTS:
                self.error(line, f"'::: {kind}' takes no arguments after its name")
            if not content:
                self.error(line, f"'::: {kind}' is empty")
        target, rest = (args.split(maxsplit=1) + ["", ""])[:2]
        if kind in CALLOUTS:
            block = Block("callout", {"kind": kind, "title": args, "body": content})
        elif kind == "reflection":
            block = Block("reflection", {"prompt": content})
        elif kind == "richtext":
            block = Block("rich_text", sanitise_rich_text(content))
        elif kind == "phrases":
            block = Block("key_phrases", {"phrases": self.phrases(directive)})
        elif kind == "video":
            block = Block("video", {"url": target, "caption": rest})
        elif kind == "quiz":
            # The slug becomes the quiz's id when the lesson is loaded (see content.quizzes).
            block = Block("quiz", target, line)
        elif kind == "practice":
            block = Block("practice", self.practice(line, target, rest) if args else {}, line)
        else:
            self.check_image(line, target)
            # No alt text marks a decorative image, as alt="" does in HTML.
            block = Block("image", {"file": target, "alt_text": rest, "decorative": not rest})
        if len(self.context.errors) > errors_before:
            return []
        if block.type not in ("image", "quiz"):
            for message in editor_problems(block):
                self.error(line, f"'::: {kind}': {message}")
        return [block]

    def practice(self, line: int, slug: str, rest: str) -> dict:
        """The value of `::: practice SLUG MINUTES [note] :::`. Whether the scenario exists and
        suits the course is checked once the whole pack is read (`content.scenarios`)."""
        minutes, _, note = rest.partition(" ")
        low, high = PRACTICE_MINUTES
        if not minutes.isdecimal() or not low <= int(minutes) <= high:
            self.error(
                line,
                f"'::: practice' takes whole minutes from {low} to {high} after the scenario "
                f"slug, not {minutes or 'nothing'}",
            )
            return {}
        return {"scenario": slug, "minutes": int(minutes), "note": note.strip()}

    def phrases(self, directive: Directive) -> list[dict]:
        text = "\n".join(directive.content)
        doc = YamlDoc(self.file, text, self.context.errors, first_line=directive.line + 1)
        if not doc.valid or not text.strip():
            return []
        if not isinstance(doc.data, list):
            doc.error("'::: phrases' holds a YAML list of '- say: ...' / '  instead: ...' pairs")
            return []
        phrases = []
        for index, item in enumerate(doc.data):
            fields = Fields(doc, (index,), item, "a phrase")
            phrases.append({"say": fields.text("say"), "instead": fields.text("instead")})
            fields.finish()
        return phrases

    def check_image(self, line: int, name: str):
        if not name:
            return
        media = (self.context.root / "media").resolve()
        path = (media / name).resolve()
        extensions = get_allowed_image_extensions()
        if not path.is_relative_to(media) or not path.is_file():
            self.error(line, f"image '{name}' is not in the pack's media/ folder")
        elif path.suffix.lower().lstrip(".") not in extensions:
            self.error(line, f"image '{name}' must be one of the types {', '.join(extensions)}")
        else:
            try:
                with PILImage.open(path) as image:
                    image.verify()
            except Exception:  # Pillow raises many exception types for a broken file.
                self.error(line, f"image '{name}' cannot be read as an image")


def editor_problems(block: Block) -> list[str]:
    """What the page editor would reject in this block: lengths, URLs, required parts."""
    child_block = BODY_BLOCK.child_blocks[block.type]
    # In English, like every other message of the loader, whatever the site's language.
    with translation.override("en"):
        try:
            child_block.clean(child_block.to_python(block.value))
        except ValidationError as exc:
            return _messages(exc)
    return []


def _messages(error: ValidationError, prefix: str = "") -> list[str]:
    nested = getattr(error, "block_errors", None)
    if nested is None:
        return [prefix + message for message in error.messages]
    messages = [
        prefix + message for plain in error.non_block_errors.as_data() for message in plain.messages
    ]
    for key, child_error in nested.items():
        label = f"#{key + 1}" if isinstance(key, int) else key
        messages += _messages(child_error, f"{prefix}{label}: ")
    return messages
