"""Moving models from one app label to another without copying a row (issue 10: real sub-apps).

The tables stay (the moved models keep their ``db_table``); the migrations move only Django's model state
(``SeparateDatabaseAndState``). What does point at a label in the database is the content type row: the
audit log's entries, django-guardian's generic grants and ``auth_permission`` rows hold its id. So the
row is renamed in place — same id, new ``app_label`` — and everything that pointed at it still does.

Used by the sub-apps' first migrations; both directions are provided, so the move can be unapplied.
"""

from django.db import migrations


def _rename(apps, old_label, new_label, models):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in models:
        old = ContentType.objects.filter(app_label=old_label, model=model).first()
        if old is None:
            continue  # a database migrated from zero: content types are created after the migrations
        # A row under the new label exists only if a `migrate` ran with the new code before this migration
        # (post_migrate created it, with fresh permissions): the old row holds the history, it wins.
        ContentType.objects.filter(app_label=new_label, model=model).delete()
        ContentType.objects.filter(pk=old.pk).update(app_label=new_label)
    from django.contrib.contenttypes.models import ContentType as LiveContentType

    LiveContentType.objects.clear_cache()  # the process's cache still maps the old label to these ids


def move_content_types(old_label: str, new_label: str, models: list[str]) -> migrations.RunPython:
    """A migration operation renaming the content types of ``models`` (lower-case names) to ``new_label``."""

    def forwards(apps, schema_editor):
        _rename(apps, old_label, new_label, models)

    def backwards(apps, schema_editor):
        _rename(apps, new_label, old_label, models)

    return migrations.RunPython(forwards, backwards, elidable=False)
