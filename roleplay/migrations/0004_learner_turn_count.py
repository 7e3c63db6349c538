from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_learner_turns(apps, schema_editor):
    """Sessions started before the count was kept get it from their transcripts."""
    PracticeSession = apps.get_model("roleplay", "PracticeSession")
    Turn = apps.get_model("roleplay", "Turn")
    counted = (
        Turn.objects.filter(session=OuterRef("pk"), speaker="learner")
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    PracticeSession.objects.update(learner_turns=Coalesce(Subquery(counted), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("roleplay", "0003_choice_safe_flag"),
    ]

    operations = [
        migrations.AddField(
            model_name="practicesession",
            name="learner_turns",
            field=models.PositiveIntegerField(default=0, verbose_name="learner turns"),
        ),
        migrations.RunPython(count_learner_turns, migrations.RunPython.noop),
    ]
