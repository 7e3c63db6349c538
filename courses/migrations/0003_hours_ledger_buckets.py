"""The hours ledger's practice bucket, practice intervals, and one credit per session.

Attendance changes used to write free-standing session lines. Each learner's first line for a
session becomes that session's credit and later lines become adjustments of it (reversals);
corrections made to those later lines move to the credit, and every correction carries its
credit's lesson and session. No total changes.
"""

from django.db import migrations, models


def link_adjustments_to_their_credit(apps, schema_editor):
    HoursEntry = apps.get_model("courses", "HoursEntry")
    credit_of = {}
    for entry in HoursEntry.objects.filter(
        source="session", corrects__isnull=True, session__isnull=False
    ).order_by("created_at", "id"):
        credit = credit_of.setdefault((entry.user_id, entry.session_id), entry)
        if credit.pk != entry.pk:
            HoursEntry.objects.filter(corrects=entry).update(corrects=credit)
            entry.corrects = credit
            entry.save(update_fields=["corrects"])
    for correction in HoursEntry.objects.filter(source="correction").select_related("corrects"):
        correction.lesson_id = correction.corrects.lesson_id
        correction.session_id = correction.corrects.session_id
        correction.save(update_fields=["lesson", "session"])


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0002_catalogue_root"),
    ]

    operations = [
        migrations.AddField(
            model_name="coursepage",
            name="practice_counts",
            field=models.BooleanField(
                default=False,
                help_text="Off: practice time is shown beside the course hours but does not "
                "count toward certification.",
                verbose_name="role-play practice counts toward the required hours",
            ),
        ),
        migrations.AddField(
            model_name="hoursentry",
            name="period_start",
            field=models.DateTimeField(blank=True, null=True, verbose_name="practice from"),
        ),
        migrations.AddField(
            model_name="hoursentry",
            name="period_end",
            field=models.DateTimeField(blank=True, null=True, verbose_name="practice until"),
        ),
        migrations.RunPython(link_adjustments_to_their_credit, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="hoursentry",
            constraint=models.UniqueConstraint(
                condition=models.Q(("corrects__isnull", True), ("source", "session")),
                fields=("user", "session"),
                name="session_credited_once",
            ),
        ),
        migrations.AddConstraint(
            model_name="hoursentry",
            constraint=models.CheckConstraint(
                condition=models.Q(("period_end__isnull", True), ("period_start__isnull", True))
                | models.Q(("period_end__gte", models.F("period_start"))),
                name="practice_period_in_order",
            ),
        ),
    ]
