"""A question's rectification is now ``oversight.Rectification`` (the same table): state only. Runs before
``workflow`` forgets the model."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    run_before = [('workflow', '0006_oversight_moved_out')]

    dependencies = [
        ('assessment', '0002_indicator_weights'),
        ('oversight', '0001_initial'),
    ]

    operations = [
        # The column and its constraint stay as they are: only the state's target changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='item',
                    name='rectification',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='oversight.rectification', verbose_name='整改'),
                ),
            ],
        ),
    ]
