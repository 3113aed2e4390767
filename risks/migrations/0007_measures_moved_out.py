"""The prevention measures moved to their own app, ``risks.measures`` (its 0001): ``risks`` forgets them.
State only — the tables stay, now owned by ``measures``."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('measures', '0001_initial'),
        ('risks', '0006_list_indexes'),
    ]

    operations = [
        # The tables stay where they are (db_table kept): only Django's model state moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='measure',
                    name='rule',
                ),
                migrations.RemoveField(
                    model_name='measure',
                    name='acknowledged_by',
                ),
                migrations.RemoveField(
                    model_name='measure',
                    name='checked_by',
                ),
                migrations.RemoveField(
                    model_name='measure',
                    name='court',
                ),
                migrations.RemoveField(
                    model_name='measure',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='measure',
                    name='division',
                ),
                migrations.RemoveField(
                    model_name='measure',
                    name='owner',
                ),
                migrations.RemoveField(
                    model_name='measure',
                    name='risk_point',
                ),
                migrations.RemoveField(
                    model_name='measureattachment',
                    name='measure',
                ),
                migrations.RemoveField(
                    model_name='measureattachment',
                    name='uploaded_by',
                ),
                migrations.DeleteModel(
                    name='CourtRule',
                ),
                migrations.DeleteModel(
                    name='Measure',
                ),
                migrations.DeleteModel(
                    name='MeasureAttachment',
                ),
            ],
        ),
    ]
