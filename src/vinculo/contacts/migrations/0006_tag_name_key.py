"""Tags are told apart by fold(name) (core.text) in a key column, not by SQL LOWER(name), which
folds only ASCII on SQLite ("PROMOÇÃO" and "promoção" were two tags there, and "Straße" and
"STRASSE" two tags everywhere).

Existing tags whose names fold alike keep their records: the oldest takes the plain key and each
later one ``key#<id>``, so the unique constraint holds and nothing is merged behind anyone's back
(a person can merge them by renaming or deleting). Reversible: the key column goes away and the
LOWER() constraint comes back.
"""

import unicodedata

from django.db import migrations, models


def _fold(text):
    # Frozen copy of vinculo.core.text.fold as of this migration.
    composed = unicodedata.normalize("NFC", " ".join(str(text).split()))
    return unicodedata.normalize("NFC", composed.casefold())


def fill_keys(apps, schema_editor):
    Tag = apps.get_model("contacts", "Tag")
    seen = set()
    changed = []
    for tag in Tag.objects.order_by("workspace_id", "pk").iterator(chunk_size=2000):
        key = _fold(tag.name)
        if (tag.workspace_id, key) in seen:
            key = f"{key}#{tag.pk}"
        seen.add((tag.workspace_id, key))
        tag.name_key = key
        changed.append(tag)
        if len(changed) >= 1000:
            Tag.objects.bulk_update(changed, ["name_key"])
            changed = []
    if changed:
        Tag.objects.bulk_update(changed, ["name_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0005_name_keys"),
    ]

    operations = [
        migrations.AddField(
            model_name="tag",
            name="name_key",
            field=models.CharField(default="", editable=False, max_length=200),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=False),
        migrations.RemoveConstraint(model_name="tag", name="uniq_tag_name_ci"),
        migrations.AddConstraint(
            model_name="tag",
            constraint=models.UniqueConstraint(
                fields=("workspace", "name_key"), name="uniq_tag_name_key"
            ),
        ),
    ]

