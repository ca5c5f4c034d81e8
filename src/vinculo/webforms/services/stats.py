"""The daily counters of a form (views of the hosted page, accepted submissions)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from vinculo.webforms.models import FormDailyStat, WebForm


def count_view(form: WebForm) -> None:
    """One view of the hosted page (the conversion chart's denominator)."""
    bump_stats(form, views=1)


def bump_stats(form: WebForm, **counts: int) -> None:
    day = timezone.localdate()
    rows = FormDailyStat.objects.filter(form=form, day=day)
    if not rows.update(**{k: F(k) + v for k, v in counts.items()}):
        try:
            with transaction.atomic():
                FormDailyStat.objects.create(
                    workspace_id=form.workspace_id, form=form, day=day, **counts
                )
        except IntegrityError:
            rows.update(**{k: F(k) + v for k, v in counts.items()})
