"""The bulk insert path builds and inserts rows the way the ORM would."""

from __future__ import annotations

import pytest

from vinculo.contacts.models import Person
from vinculo.core.fastinsert import insert_objects, new_instances


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
