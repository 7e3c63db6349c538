from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0006_cohort_invitation"),
    ]

    operations = [
        migrations.AddField(
            model_name="cohortinvitation",
            name="new_account",
            field=models.BooleanField(default=False, verbose_name="account created by the roster"),
        ),
    ]
