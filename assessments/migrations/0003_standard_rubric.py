"""The standard rubric (DESIGN §4) with its seven criteria; safety and confidentiality are
blockers. A frozen copy, as migrations must be: later edits belong to trainers."""

from django.db import migrations

CRITERIA = [
    (
        "empathy",
        "受容・共感",
        "気持ちを受け止めて言葉で返し、助言より先に認めている。",
        False,
    ),
    (
        "non_directive",
        "上から目線にならない",
        "説教・指示・決めつけがなく、選択肢を示している。",
        False,
    ),
    (
        "strengths",
        "ストレングス視点",
        "具体的な強みや変化に気づき、言葉にして伝えている。",
        False,
    ),
    (
        "needs_elicitation",
        "ニーズの把握と自己決定",
        "開いた質問で要望の奥にあるものを聞き、本人が決めている。",
        False,
    ),
    (
        "boundaries",
        "役割と約束の境界",
        "できること・できないことが明確で、他者が決めることを約束していない。",
        False,
    ),
    (
        "confidentiality",
        "情報の取り扱い",
        "必要な範囲で、誰と共有するかを伝えて扱っている。",
        True,
    ),
    (
        "safety",
        "安全の確保とつなぐ判断",
        "子どもや親の危険（けが、ネグレクト、虐待、自傷の訴え、DV）に気づき、"
        "すぐにコーディネーターへ伝える。危険を秘密にする約束はしない。"
        "189・110・119や市区町村の窓口を知っている。",
        True,
    ),
]


def create(apps, schema_editor):
    Rubric = apps.get_model("assessments", "Rubric")
    RubricCriterion = apps.get_model("assessments", "RubricCriterion")
    rubric, created = Rubric.objects.get_or_create(
        key="standard", defaults={"name": "標準ルーブリック"}
    )
    if not created:
        return
    RubricCriterion.objects.bulk_create(
        RubricCriterion(
            rubric=rubric,
            sort_order=n,
            key=key,
            label=label,
            description=description,
            blocker=blocker,
        )
        for n, (key, label, description, blocker) in enumerate(CRITERIA)
    )


def remove(apps, schema_editor):
    apps.get_model("assessments", "Rubric").objects.filter(key="standard").delete()


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_rubrics")]

    operations = [migrations.RunPython(create, remove)]
