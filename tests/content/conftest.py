"""A small content pack written into tmp_path, and a helper to run the content commands.

The pack has one framework (basics: B-LISTEN, B-LEVEL) and one course (course-a) with two
modules: a-m1 holds a-listening and a-practice, a-m2 holds a-review. Tests edit its files with
`write` to make the case they need; line numbers in assertions refer to the texts below.
"""

import textwrap
from dataclasses import dataclass
from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image as PILImage

from tests.factories import scenario_data

SMALL_PACK = {
    "pack.yaml": """
        format: 1
        catalogue:
          title: テスト講座一覧
          intro: 小さなテスト用パックです。
        frameworks:
          - basics
        courses:
          - course-a
    """,
    "frameworks/basics.yaml": """
        code: basics
        name: 基本の力
        name_en: Basics
        description: テスト用の枠組み。
        categories:
          - code: B-1
            name: 関わり
            competencies:
              - code: B-LISTEN
                name: 傾聴
                description: 最後まで聴ける。
              - code: B-LEVEL
                name: 対等な関わり
    """,
    "courses/course-a/course.yaml": """
        slug: course-a
        title: 講座A
        audience: home_visitor
        required_hours: 1.5
        self_enrol: false
        summary: 講座Aの要約。
        intro: |
          ## 目的

          聴くことを学びます。
        modules:
          - slug: a-m1
            title: 第1章 聴く
            summary: 聴くことの基本。
            lessons:
              - a-listening
              - a-practice
          - slug: a-m2
            title: 第2章 振り返る
            lessons:
              - a-review
    """,
    "courses/course-a/lessons/a-listening.md": """
        ---
        slug: a-listening
        title: 聴くことから始める
        duration_minutes: 30
        delivery: online
        competencies: [B-LISTEN, B-LEVEL]
        summary: 話を最後まで聴く。
        source: テスト用の出典
        ---
        ## 聴く

        最初の段落です。

        ::: point 大切なこと
        - 最後まで聴く。
        :::

        ::: phrases
        - say: 「もう少し聞かせてください」
          instead: 「それは違いますよ」
        :::

        真ん中の段落です。

        ::: reflection
        最近、話を聴いてもらえたと感じたのはいつですか。
        :::
    """,
    "courses/course-a/lessons/a-practice.md": """
        ---
        slug: a-practice
        title: 聴く練習
        duration_minutes: 60
        delivery: group_work
        competencies: [B-LISTEN]
        ---
        二人一組で練習します。
    """,
    "courses/course-a/lessons/a-review.md": """
        ---
        slug: a-review
        title: 振り返り
        duration_minutes: 30
        delivery: lecture
        ---
        講義で振り返ります。

        ::: caution
        無理に話させない。
        :::
    """,
}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Imported images go to a temporary folder, not the repository's media/."""
    settings.MEDIA_ROOT = tmp_path / "media-root"
    return settings.MEDIA_ROOT


@pytest.fixture
def pack(tmp_path):
    root = tmp_path / "pack"
    for relpath, text in SMALL_PACK.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def write(pack):
    """Replace (or add) a file of the pack; the text is dedented like the ones above."""

    def write(relpath: str, text: str):
        path = pack / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


@pytest.fixture
def write_image(pack):
    def write_image(name: str, colour: str = "red"):
        path = pack / "media" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        PILImage.new("RGB", (8, 6), colour).save(path)
        return path

    return write_image


@dataclass
class Run:
    stdout: str
    stderr: str
    error: CommandError | None


@pytest.fixture
def run():
    """Run a management command; a CommandError is returned, not raised, with the output."""

    def run(command: str, *args) -> Run:
        stdout, stderr = StringIO(), StringIO()
        try:
            call_command(command, *map(str, args), stdout=stdout, stderr=stderr)
        except CommandError as exc:
            return Run(stdout.getvalue(), stderr.getvalue(), exc)
        return Run(stdout.getvalue(), stderr.getvalue(), None)

    return run


@pytest.fixture
def with_scenario(pack, write):
    """The small pack plus the test scenario, linked to the pack's B-LISTEN competency."""
    data = scenario_data(competencies=["B-LISTEN"])
    data["rubric"]["criteria"] = [
        {
            "key": "pace",
            "label": "間の取り方",
            "description": "急がない。",
            "competencies": ["B-LEVEL"],
        }
    ]
    write("scenarios/test-visit.yaml", yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    text = (pack / "pack.yaml").read_text(encoding="utf-8")
    (pack / "pack.yaml").write_text(text + "scenarios:\n  - test-visit\n", encoding="utf-8")
    return data
