"""One bad record never fails a bulk action (issue 15.5): a record whose update raises something
unexpected is counted as refused with a reason, the others are updated."""

from __future__ import annotations

from django.contrib.messages import get_messages

from vinculo.contacts import services


def test_an_unexpected_error_on_one_record_refuses_only_that_record(ana, monkeypatch):
    people = [
        services.create_person(actor=ana.actor, data={"first_name": name})
        for name in ("Ana", "Bia", "Caio")
    ]
    real = services.update_person

    def update(*, actor, person_id, data):
        if person_id == people[1].pk:
            raise RuntimeError("disk on fire")
        return real(actor=actor, person_id=person_id, data=data)

    monkeypatch.setattr(services, "update_person", update)
    client = ana.web("pt-br")
    response = client.post(
        "/people/bulk/", {"ids": [p.pk for p in people], "action": "tag", "value": "feira"}
    )
    assert response.status_code == 302
    tagged = [sorted(t.name for t in p.tags.all()) for p in people]
    assert tagged == [["feira"], [], ["feira"]]
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "2 pessoas — dados atualizados; 1 recusado" in text
    assert "erro inesperado" in text
