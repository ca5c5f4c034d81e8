"""Keyset pagination walks every row exactly once, also on fields that may be empty."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from vinculo.contacts.models import Person
from vinculo.core.pagination import paginate


def _walk(qs, order: str, limit: int = 3) -> list[int]:
    seen, cursor = [], None
    for _ in range(50):
        page = paginate(qs, cursor=cursor, limit=limit, order=order)
        seen += [p.pk for p in page.items]
        cursor = page.next_cursor
        if not cursor:
            break
    return seen


@pytest.mark.parametrize("order", ["last_activity_at", "-last_activity_at"])
def test_nullable_sort_field_puts_empty_values_last_and_loses_nothing(ana, order):
    now = timezone.now()
    people = []
    for i in range(8):
        at = None if i % 3 == 0 else now - timedelta(days=i % 4)  # ties and empties
        people.append(
            Person.objects.create(workspace=ana.workspace, first_name=f"P{i}", last_activity_at=at)
        )
    qs = Person.objects.for_workspace(ana.workspace)
    seen = _walk(qs, order)
    assert sorted(seen) == sorted(p.pk for p in people)
    assert len(seen) == len(set(seen))
    values = [Person.objects.get(pk=pk).last_activity_at for pk in seen]
    filled = [v for v in values if v is not None]
    assert values[len(filled) :] == [None] * (len(values) - len(filled))  # empty ones last
    assert filled == sorted(filled, reverse=order.startswith("-"))
