"""The hourly purchase roll-up (``PurchaseHour``), filled from the purchases already kept."""

from collections import defaultdict
from datetime import UTC

import django.db.models.deletion
import numpy as np
from django.db import migrations, models


def fill(apps, schema_editor):
    """Roll up every workspace's purchases with a person, hour by hour (as
    ``vinculo.events.services.rollup.rebuild``), written in batches."""
    purchase = apps.get_model("events", "Purchase")
    hour_row = apps.get_model("events", "PurchaseHour")
    hours: dict = defaultdict(lambda: [[], [], 0])
    rows = (
        purchase.objects.filter(person__isnull=False)
        .values_list("workspace_id", "occurred_at", "currency", "person_id", "amount")
        .order_by("workspace_id", "occurred_at", "pk")
        .iterator(chunk_size=20_000)
    )
    for workspace_id, when, currency, person_id, amount in rows:
        hour = when.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        kept = hours[(workspace_id, hour, currency)]
        kept[0].append(person_id)
        kept[1].append(int(amount.scaleb(2)))
        kept[2] += amount
    hour_row.objects.bulk_create(
        (
            hour_row(
                workspace_id=workspace_id,
                hour=hour,
                currency=currency,
                orders=len(people),
                amount=total,
                people=np.asarray(people, dtype="<i8").tobytes(),
                cents=np.asarray(cents, dtype="<i8").tobytes(),
            )
            for (workspace_id, hour, currency), (people, cents, total) in hours.items()
        ),
        batch_size=2_000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0006_kpi_indexes"),
        ("workspaces", "0003_workspace_require_two_factor"),
    ]

    operations = [
        migrations.CreateModel(
            name="PurchaseHour",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("hour", models.DateTimeField(verbose_name="hour")),
                ("currency", models.CharField(max_length=3, verbose_name="currency")),
                ("orders", models.PositiveIntegerField(verbose_name="orders")),
                (
                    "amount",
                    models.DecimalField(decimal_places=2, max_digits=18, verbose_name="amount"),
                ),
                ("people", models.BinaryField(verbose_name="people")),
                ("cents", models.BinaryField(verbose_name="cents")),
                (
                    "workspace",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="workspaces.workspace",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["workspace", "hour", "currency"], name="purchase_hour")
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
