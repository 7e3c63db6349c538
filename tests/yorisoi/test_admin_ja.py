"""The admin in Japanese: every label of ours is translated, Wagtail's own strings too, and no
raw values (True, good/mixed/poor) or English plurals ("シナリオs") reach a Japanese trainer."""

import gettext
import json
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from wagtail import blocks
from wagtail.fields import StreamField
from wagtail.users.models import UserProfile
from wagtail.users.utils import get_gravatar_url

from courses.models import Competency, CompetencyCategory, CompetencyFramework, CourseIndexPage
from tests.factories import build_scenario
from yorisoi.roles import ensure_groups

OUR_APPS = ("yorisoi", "courses", "content", "roleplay", "assessments")
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
ENGLISH_WORD = re.compile(r"\b[A-Za-z][a-z]{2,}\b")
CATALOGUES = [Path(settings.BASE_DIR) / "locale" / "ja" / "LC_MESSAGES" / "django.po"] + sorted(
    (Path(settings.BASE_DIR) / "locale" / "wagtail" / "ja" / "LC_MESSAGES").glob("*.po")
)


def untranslated(text) -> str | None:
    """The English text when Japanese shows the same words, else None."""
    with translation.override("en"):
        english = str(text)
    with translation.override("ja"):
        japanese = str(text)
    return english if english == japanese else None


def our_models():
    for label in OUR_APPS:
        yield from apps.get_app_config(label).get_models()


def own_fields(model):
    """The fields a model declares (a page's title, slug etc. are Wagtail's Page's)."""
    fields = model._meta.local_fields + model._meta.local_many_to_many
    return [field for field in fields if not field.auto_created]


def test_it_translates_every_model_field_and_choice_of_our_apps():
    english = []
    for model in our_models():
        name = model.__name__
        for text in (model._meta.verbose_name, model._meta.verbose_name_plural):
            english.append((name, untranslated(text)))
        for field in own_fields(model):
            where = f"{name}.{field.name}"
            english.append((where, untranslated(field.verbose_name)))
            if field.help_text:
                english.append((f"{where} help", untranslated(field.help_text)))
            for value, label in field.flatchoices or ():
                english.append((f"{where}={value}", untranslated(label)))
    assert [(where, text) for where, text in english if text] == []


def block_labels(block, path):
    """(path, label) of every block below `block`, and of every choice of its choice blocks."""
    children = block.child_blocks if hasattr(block, "child_blocks") else {}
    if isinstance(block, blocks.ListBlock):
        children = {"item": block.child_block}
    for name, child in children.items():
        where = f"{path}.{name}"
        if not isinstance(block, blocks.ListBlock):
            yield where, child.label
        if isinstance(child, blocks.ChoiceBlock):
            for value, label in child.field.choices:
                yield f"{where}={value}", label
        if getattr(child.meta, "help_text", None):
            yield f"{where} help", child.meta.help_text
        yield from block_labels(child, where)


def test_it_translates_every_block_label_and_choice():
    english = []
    for model in our_models():
        for field in own_fields(model):
            if isinstance(field, StreamField):
                path = f"{model.__name__}.{field.name}"
                english += [
                    (where, untranslated(label))
                    for where, label in block_labels(field.stream_block, path)
                ]
    assert [(where, text) for where, text in english if text] == []


@pytest.fixture
def admin_pages(people):
    """The admin screens a trainer works in, for our models."""
    ensure_groups(catalogue=CourseIndexPage.objects.get())
    framework = CompetencyFramework.objects.create(code="hv", name="訪問支援員コンピテンシー")
    category = CompetencyCategory.objects.create(framework=framework, code="HV-1", name="基本")
    competency = Competency.objects.create(category=category, code="HV-LISTEN", name="傾聴")
    scenario = build_scenario()
    return [
        reverse("wagtailadmin_home"),
        reverse("wagtailsnippets_roleplay_scenario:list"),
        reverse("wagtailsnippets_roleplay_scenario:edit", args=[scenario.pk]),
        reverse("wagtailsnippets_roleplay_scenario:add"),
        reverse("wagtailsnippets_courses_cohort:list"),
        reverse("wagtailsnippets_courses_cohort:edit", args=[people.cohort_a.pk]),
        reverse("wagtailsnippets_courses_inpersonsession:list"),
        reverse("wagtailsnippets_courses_inpersonsession:edit", args=[people.session_a.pk]),
        reverse("wagtailsnippets_courses_competency:list"),
        reverse("wagtailsnippets_courses_competency:edit", args=[competency.pk]),
        reverse("wagtailadmin_pages:edit", args=[people.lessons[0].pk]),
        reverse("wagtailadmin_explore", args=[people.course.pk]),
        reverse("wagtailsnippets_assessments_quiz:list"),
    ]


class VisibleText(HTMLParser):
    """Text a reader sees or hears: text nodes, and titles, labels and placeholders."""

    SPOKEN = {"title", "aria-label", "placeholder", "alt"}

    def __init__(self):
        super().__init__()
        self.hidden = 0
        self.texts = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self.hidden += 1
        self.texts += [value for name, value in attrs if name in self.SPOKEN and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.texts.append(data.strip())


def block_definition_labels(html: str) -> list[str]:
    """Labels in the StreamField editor's block definitions (JSON inside an attribute)."""
    return [json.loads(f'"{label}"') for label in re.findall(r'"label": "([^"]*)"', unescape(html))]


KNOWN_OFFENDERS = [
    "シナリオs",
    "Updated at",
    "Search all pages",
    " Pages",
    ">True<",
    ">False<",
    'title="True"',
]


def test_it_shows_a_japanese_trainer_no_english_in_the_admin(client, people, admin_pages):
    client.force_login(people.tom)
    # Data, not interface: user names and the site's host name.
    data = set(get_user_model().objects.values_list("username", flat=True)) | {"localhost"}
    english = []
    for url in admin_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        english += [(url, text) for text in KNOWN_OFFENDERS if text in html]
        english += [
            (url, label)
            for label in block_definition_labels(html)
            if label and not JAPANESE.search(label)
        ]
        parser = VisibleText()
        parser.feed(html)
        english += [
            (url, text)
            for text in parser.texts
            if ENGLISH_WORD.search(text) and not JAPANESE.search(text) and text not in data
        ]
    # Wagtail writes these two into its templates without gettext, so no catalogue can
    # translate them: a navigation landmark's name and a hidden counter's placeholder.
    wagtail_literals = {"Actions", "None"}
    assert [(url, text) for url, text in english if text not in wagtail_literals] == []


def test_it_shows_endings_by_name_in_the_script_editor(client, people, admin_pages):
    client.force_login(people.tom)
    html = client.get(admin_pages[2]).content.decode()
    # The block definitions travel as JSON, non-ASCII text \\u-escaped.
    assert json.dumps('<option value="good">よい結末</option>')[1:-1] in unescape(html)
    assert json.dumps('<option value="good">good</option>')[1:-1] not in unescape(html)


def test_it_shows_published_status_not_true_or_false_in_the_scenario_list(client, people):
    ensure_groups()
    build_scenario(slug="live-one")
    build_scenario(slug="draft-one", live=False)
    client.force_login(people.tom)
    html = client.get(reverse("wagtailsnippets_roleplay_scenario:list")).content.decode()
    assert "公開" in html and "下書き" in html
    assert "True" not in html and "False" not in html


def test_it_never_asks_gravatar_for_an_avatar(client, people, admin_pages):
    assert get_gravatar_url("tom@example.org") is None
    client.force_login(people.tom)
    for url in admin_pages[:2]:
        assert "gravatar" not in client.get(url).content.decode()


def test_it_lets_a_trainer_switch_the_admin_to_english(client, people):
    ensure_groups()
    profile = UserProfile.get_for_user(people.tom)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(people.tom)
    html = client.get(reverse("wagtailsnippets_roleplay_scenario:list")).content.decode()
    assert 'lang="en"' in html and "Scenarios" in html


def catalogue_entries(path: Path) -> list[dict]:
    """The live entries of a .po file: flags, msgid (with its plural) and msgstr."""
    entries, entry, key = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if entry and entry["msgid"]:
                entries.append(entry)
            entry = None
            continue
        if line.startswith("#~"):
            continue
        entry = entry or {"flags": "", "msgid": "", "msgstr": ""}
        if line.startswith("#,"):
            entry["flags"] += line
        elif line.startswith(("msgid", "msgstr", "msgctxt")):
            key = line.split()[0].split("[")[0].removesuffix("_plural")
            entry[key] = entry.get(key, "") + json.loads(line.split(" ", 1)[1])
        elif line.startswith('"'):
            entry[key] += json.loads(line)
    return entries


def test_it_has_no_fuzzy_or_empty_translation_in_the_catalogues():
    problems = [
        (path.name, entry["msgid"])
        for path in CATALOGUES
        for entry in catalogue_entries(path)
        if "fuzzy" in entry["flags"] or not entry["msgstr"]
    ]
    assert problems == []


def test_it_translates_the_six_messages_that_were_fuzzy():
    """Fuzzy entries are left out of the compiled catalogue, so these showed in English."""
    with translation.override("ja"):
        assert translation.gettext("two state variables share a key") == (
            "2つの状態変数が同じキーを使っています"
        )
        assert translation.gettext("an ending node cannot offer choices") == (
            "結末のノードには選択肢を置けません"
        )
        assert translation.gettext("unknown state variable %(name)r") % {"name": "mood"} == (
            "状態変数 'mood' は定義されていません"
        )
        assert "「trust +10, openness -5」" in translation.gettext(
            "cannot read %(part)r; write e.g. 'trust +10, openness -5'"
        )
        for message in (
            "use lower-case letters, digits and _",
            "use lower-case letters, digits, - and _",
        ):
            assert translation.gettext(message).startswith("半角の小文字・数字")


@pytest.mark.parametrize(
    "english, japanese",
    [
        ("Feedback", "フィードバック"),
        ("Reflection", "振り返り"),
        ("Cohort", "受講クラス"),
        ("Scripted practice", "台本モード"),
        ("Scripted", "台本モード"),
        ("Source: %(source)s", "出典：%(source)s"),
        ("ID numbers", "マイナンバー"),
        ("cohort", "受講クラス"),
        ("Cohorts", "受講クラス"),
        ("Say this", "おすすめの言い方"),
        ("Rather than this", "避けたい言い方"),
    ],
)
def test_it_uses_one_term_per_thing(english, japanese):
    with translation.override("ja"):
        assert translation.gettext(english) == japanese


@pytest.mark.parametrize(
    "rejected", ["ふりかえり", "受講期", "台本で練習", "個人番号", "言い換えフレーズ"]
)
def test_it_keeps_rejected_terms_out_of_the_catalogue(rejected):
    msgstrs = [entry["msgstr"] for entry in catalogue_entries(CATALOGUES[0])]
    assert [text for text in msgstrs if rejected in text] == []


def test_it_writes_japanese_punctuation_in_japanese_text():
    """Japanese text takes ：「」（）, not an ASCII colon, quotes or brackets beside it."""
    ascii_beside_japanese = re.compile(
        r"[\u3040-\u30ff\u3400-\u9fff] ?[:(\"]|[:)\"] ?[\u3040-\u30ff\u3400-\u9fff]"
    )
    msgstrs = [entry["msgstr"] for path in CATALOGUES for entry in catalogue_entries(path)]
    assert [text for text in msgstrs if ascii_beside_japanese.search(text)] == []


def test_it_ships_a_compiled_catalogue_that_matches_the_po_file():
    """The .mo is what runs: a .po edited but not compiled shows English to every user."""
    po = CATALOGUES[0]
    with open(po.with_suffix(".mo"), "rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)._catalog
    plural = [key[0] for key in catalogue if isinstance(key, tuple)]
    stale = []
    for entry in catalogue_entries(po):
        if entry.get("msgctxt") or any(entry["msgid"].startswith(p) for p in plural):
            continue
        if catalogue.get(entry["msgid"]) != entry["msgstr"]:
            stale.append(entry["msgid"])
    assert stale == []
