"""Each person's first touch (``contacts.Person.first_touched_at``, added by contacts' 0013)
filled in from their activities: the earliest call, meeting or email not binned, at or after
the person's creation (what :mod:`vinculo.activities.services.first_touch` keeps since). One
``UPDATE … SET first_touched_at = (the earliest touch)`` per batch of ids."""

from django.db import migrations
from django.db.models import OuterRef, Subquery

BATCH = 5_000
TOUCHES = ("call", "meeting", "email")


def fill(apps, schema_editor):
    Person = apps.get_model("contacts", "Person")
    Activity = apps.get_model("activities", "Activity")
    db = schema_editor.connection.alias
    first = (
        Activity.objects.using(db)
        .filter(
            person_id=OuterRef("pk"),
            kind__in=TOUCHES,
            deleted_at__isnull=True,
            occurred_at__gte=OuterRef("created_at"),
        )
        .order_by("occurred_at")
        .values("occurred_at")[:1]
    )
    people = Person.objects.using(db)
    top = people.order_by("-pk").values_list("pk", flat=True).first() or 0
    for start in range(0, top + 1, BATCH):
        people.filter(pk__gte=start, pk__lt=start + BATCH).update(
            first_touched_at=Subquery(first)
        )
    _statistics(schema_editor.connection, Person._meta.db_table)


def _statistics(connection, table):
    """On SQLite, when the planner has statistics for the people's indexes (``ANALYZE`` ran:
    the demo generator runs it after a bulk load), the new index gets its own: without them
    SQLite takes it for a very selective one and reads it where another serves better (the
    distinct sources of the referrals, from 0.1 ms to 100 ms at 100,000 people)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
        )
        if cursor.fetchone() is None:
            return
        cursor.execute("SELECT 1 FROM sqlite_stat1 WHERE tbl = %s LIMIT 1", [table])
        if cursor.fetchone() is not None:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0007_kpi_indexes"),
        ("contacts", "0013_person_first_touched_at"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
