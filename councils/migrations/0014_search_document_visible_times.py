from django.db import migrations, models

# Kinds whose pages are shown from a publish time, replaced by a later copy: their
# documents made before this migration have no times, and with none they would be
# found at any time (a scheduled section before its time). They are removed;
# ``manage.py rebuild_search_index`` makes them again with their times.
TIMED_KINDS = ["section", "intention", "tender", "arrangement"]


def remove_untimed_documents(apps, schema_editor):
    SearchDocument = apps.get_model("councils", "SearchDocument")
    SearchDocument.objects.filter(kind__in=TIMED_KINDS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("councils", "0013_merge_20261201_1500"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="visible_from",
            field=models.DateTimeField(
                blank=True,
                help_text="When readers may first see the page; empty: from the start.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="visible_until",
            field=models.DateTimeField(
                blank=True,
                help_text="When a later copy replaces the page; empty: not replaced.",
                null=True,
            ),
        ),
        migrations.RunPython(remove_untimed_documents, migrations.RunPython.noop),
    ]
