"""Who may own or be assigned a record: an active member who is an active user, the same rule
for people, companies, deals and tasks (one selector, `active_member_ids`)."""

from __future__ import annotations

import pytest

from vinculo.activities import services as activity_services
from vinculo.contacts import services as contact_services
from vinculo.contacts.models import Company, Person
from vinculo.core.errors import ValidationFailed
from vinculo.sales import services as sales_services
from vinculo.sales.models import Deal


def _fields(exc: pytest.ExceptionInfo[ValidationFailed]) -> set[str]:
    return {e.field for e in exc.value.errors}


def test_a_deactivated_user_can_no_longer_own_or_be_assigned_anything(ana, bruno):
    person = contact_services.create_person(
        actor=ana.actor, data={"first_name": "Rita", "owner_id": bruno.user.pk}
    )
    assert person.owner_id == bruno.user.pk
    bruno.user.is_active = False  # an administrator switched the account off
    bruno.user.save(update_fields=["is_active"])

    attempts = [
        (contact_services.create_person, {"first_name": "Lia", "owner_id": bruno.user.pk}),
        (contact_services.create_company, {"name": "Casa", "owner_id": bruno.user.pk}),
        (sales_services.create_deal, {"title": "Casa nova", "owner_id": bruno.user.pk}),
        (
            activity_services.create_task,
            {"subject": "Ligar", "person_id": person.pk, "assignee_id": bruno.user.pk},
        ),
    ]
    for service, data in attempts:
        with pytest.raises(ValidationFailed) as exc:
            service(actor=ana.actor, data=data)
        assert _fields(exc) == {"owner_id" if "owner_id" in data else "assignee_id"}, service

    assert not Person.objects.filter(workspace=ana.workspace, first_name="Lia").exists()
    assert not Company.objects.filter(workspace=ana.workspace, name="Casa").exists()
    assert not Deal.objects.filter(workspace=ana.workspace, title="Casa nova").exists()
    # an active member still can
    deal = sales_services.create_deal(
        actor=ana.actor, data={"title": "Casa nova", "owner_id": ana.user.pk}
    )
    assert deal.owner_id == ana.user.pk
