"""Posts of the same person arriving at the same moment still make one person: the submit locks
its form row, so the second post finds the first one's person."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.webforms.conftest import post_json
from vinculo.contacts.models import Person
from vinculo.webforms import services
from vinculo.webforms.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_posts_with_the_same_email_make_one_person(ana, lead_form):
    services.update_form(actor=ana.actor, form_id=lead_form.pk, data={"min_seconds": 0})
    lead_form.refresh_from_db()
    start = threading.Barrier(4)
    codes: list[int] = []

    def send(i: int) -> None:
        try:
            start.wait()
            response = post_json(
                lead_form,
                {"fields": {"first_name": f"Joana {i}", "email": "joana@exemplo.com.br"}},
                REMOTE_ADDR=f"192.0.2.{i + 1}",
            )
            codes.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [201] * 4
    assert Person.objects.filter(workspace=ana.workspace).count() == 1
    assert Submission.objects.filter(status="accepted").count() == 4
    assert Submission.objects.filter(person_created=True).count() == 1
