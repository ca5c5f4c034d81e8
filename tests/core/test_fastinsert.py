"""The bulk insert path builds and inserts rows the way the ORM would."""

from __future__ import annotations

import pytest
from django.utils import timezone

from vinculo.contacts.models import Person
from vinculo.core import fastinsert
from vinculo.core.fastinsert import JsonText, insert_objects, insert_rows, new_instances
from vinculo.core.models import DomainEvent


def test_new_instances_insert_like_the_orm_with_fresh_defaults(ana):
    given = {"first_name": "Maria", "last_name": "Souza", "email": "maria@exemplo.com.br"}
    people = new_instances(Person, [given, {"first_name": "João"}], workspace_id=ana.workspace.pk)
    # Mutable defaults are one object per record, never shared between rows.
    assert people[0].custom_fields == {} and people[0].custom_fields is not people[1].custom_fields
    insert_objects(people)
    stored = {p.first_name: p for p in Person.objects.for_workspace(ana.workspace)}
    assert stored["Maria"].pk == people[0].pk
    assert stored["Maria"].email == "maria@exemplo.com.br"
    assert stored["João"].last_name == "" and stored["João"].deleted_at is None
    assert stored["João"].created_at is not None


def test_new_instances_refuses_a_field_the_model_does_not_have(ana):
    with pytest.raises(TypeError, match="frist_name"):
        new_instances(Person, [{"frist_name": "Maria"}], workspace_id=ana.workspace.pk)


COLUMNS = ["workspace_id", "name", "subject_type", "subject_id", "payload", "source", "occurred_at"]


def outbox_row(ana, name, payload):
    return (ana.workspace.pk, name, "test", "1", payload, "api", timezone.now())


def test_insert_rows_returns_each_row_s_own_key_after_gaps_and_across_statements(ana):
    """Keys come back in row order and match what was stored, also after deleted rows left
    gaps and when the rows span several statements (the multi-row limit is per statement)."""
    first = insert_rows(
        DomainEvent, COLUMNS, [outbox_row(ana, f"antes.{i}", {}) for i in range(5)], returning=True
    )
    DomainEvent.objects.filter(pk__in=first[2:]).delete()
    names = [f"evento.{i}" for i in range(2_500)]
    keys = insert_rows(
        DomainEvent,
        COLUMNS,
        [outbox_row(ana, name, {"n": i}) for i, name in enumerate(names)],
        returning=True,
    )
    assert len(keys) == len(set(keys)) == 2_500 > fastinsert.MAX_ROWS_PER_STATEMENT
    stored = dict(DomainEvent.objects.filter(pk__in=keys).values_list("pk", "name"))
    assert [stored[k] for k in keys] == names
    assert min(keys) > max(first)
    assert DomainEvent.objects.get(pk=keys[7]).payload == {"n": 7}


def test_json_text_is_stored_as_the_json_it_holds_and_a_plain_string_stays_a_string(ana):
    keys = insert_rows(
        DomainEvent,
        COLUMNS,
        [
            outbox_row(ana, "pronto", JsonText('{"já": "codificado", "n": [1, 2]}')),
            outbox_row(ana, "texto", '{"not": "an object"}'),
        ],
        returning=True,
    )
    ready, text = (DomainEvent.objects.get(pk=k) for k in keys)
    assert ready.payload == {"já": "codificado", "n": [1, 2]}
    assert text.payload == '{"not": "an object"}'
