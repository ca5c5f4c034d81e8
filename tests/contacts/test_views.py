"""The people and company screens (server-rendered): lists, forms with field errors, 360° page."""

from __future__ import annotations

from vinculo.contacts import services
from vinculo.contacts.models import Person


def test_people_list_searches_and_pages(ana):
    for name in ["Joana Prado", "João Pedro", "Marcos Lima"]:
        first, last = name.split()
        services.create_person(actor=ana.actor, data={"first_name": first, "last_name": last})
    client = ana.web()
    page = client.get("/people/").content.decode()
    assert "Joana Prado" in page and "Marcos Lima" in page
    found = client.get("/people/?q=jo").content.decode()
    assert "Joana Prado" in found and "João Pedro" in found and "Marcos Lima" not in found
    partial = client.get(
        "/people/?q=marcos", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="people-results"
    ).content.decode()
    assert "Marcos Lima" in partial and "<html" not in partial


def test_people_list_shows_a_bad_filter_instead_of_crashing(ana):
    page = ana.web().get("/people/?filter={not json").content.decode()
    assert 'class="message error"' in page


def test_create_person_form_keeps_input_and_shows_the_service_message(ana):
    client = ana.web()
    response = client.post("/people/new/", {"first_name": "Rita", "email": "rita@", "phone": "12"})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'value="Rita"' in page and 'value="rita@"' in page
    assert "is not a valid email address" in page
    assert "is not a valid phone number" in page
    assert not Person.objects.exists()
    ok = client.post("/people/new/", {"first_name": "Rita", "email": "rita@exemplo.com.br"})
    person = Person.objects.get()
    assert ok["Location"] == f"/people/{person.pk}/"


def test_person_page_edits_in_place_and_records_consent(ana):
    person = services.create_person(actor=ana.actor, data={"first_name": "Beto"})
    client = ana.web()
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert "Beto" in page and "Timeline" in page
    bad = client.post(
        f"/people/{person.pk}/edit/", {"first_name": "Beto", "cpf": "123"}, HTTP_HX_REQUEST="true"
    )
    assert bad.status_code == 422
    assert "This CPF is not valid." in bad.content.decode()
    good = client.post(
        f"/people/{person.pk}/edit/",
        {"first_name": "Roberto", "lifecycle_stage": "customer"},
        HTTP_HX_REQUEST="true",
    )
    assert good.status_code == 200
    person.refresh_from_db()
    assert (person.first_name, person.lifecycle_stage.key) == ("Roberto", "customer")
    client.post(
        f"/people/{person.pk}/consent/",
        {"channel": "email", "status": "opted_out", "legal_basis": "consent", "method": "api"},
    )
    assert person.consents.get().status == "opted_out"


def test_pages_speak_portuguese_by_default(ana):
    services.create_person(actor=ana.actor, data={"first_name": "Lu"})
    page = ana.web(language="").get("/people/").content.decode()
    assert "Pessoas" in page and "Nova pessoa" in page


def test_viewer_sees_but_cannot_edit(vera, ana):
    person = services.create_person(actor=ana.actor, data={"first_name": "Vi"})
    client = vera.web()
    assert "fieldset disabled" in client.get(f"/people/{person.pk}/").content.decode()
    response = client.post("/people/new/", {"first_name": "X"})
    assert response.status_code == 403
    assert "Your role (Viewer) cannot create or change customer records." in (
        response.content.decode()
    )


def test_bulk_actions_and_csv_export(ana):
    a = services.create_person(actor=ana.actor, data={"first_name": "Ana", "email": "a@b.com"})
    b = services.create_person(actor=ana.actor, data={"first_name": "Bia"})
    client = ana.web()
    client.post("/people/bulk/", {"ids": [a.pk, b.pk], "action": "tag", "value": "feira"})
    assert {t.name for t in a.tags.all()} == {"feira"}
    export = client.get("/people/export.csv?tag=feira")
    body = b"".join(export.streaming_content).decode("utf-8")
    assert body.startswith('\ufeff"ID","Name","First name","Last name","Email"')
    assert "a@b.com" in body and "Bia" in body
    client.post("/people/bulk/", {"ids": [b.pk], "action": "delete"})
    b.refresh_from_db()
    assert b.deleted_at is not None


def test_carla_gets_404_on_anas_records(ana, carla):
    person = services.create_person(actor=ana.actor, data={"first_name": "Secreta"})
    company = services.create_company(actor=ana.actor, data={"name": "Aurora"})
    client = carla.web()
    assert client.get(f"/people/{person.pk}/").status_code == 404
    assert client.get(f"/companies/{company.pk}/").status_code == 404
    assert client.post(f"/people/{person.pk}/edit/", {"first_name": "X"}).status_code == 404
    assert "Secreta" not in client.get("/people/").content.decode()
    client.post("/people/bulk/", {"ids": [person.pk], "action": "delete"})
    person.refresh_from_db()
    assert person.deleted_at is None and person.first_name == "Secreta"


def test_company_screens(ana):
    client = ana.web()
    bad = client.post("/companies/new/", {"name": "Acme", "cnpj": "11.111.111/1111-11"})
    assert bad.status_code == 422 and "This CNPJ is not valid." in bad.content.decode()
    client.post("/companies/new/", {"name": "Acme", "cnpj": "11.222.333/0001-81"})
    page = client.get("/companies/?q=acme").content.decode()
    assert "Acme" in page and "11.222.333/0001-81" in page  # as people write it


def test_form_labels_follow_the_language_of_each_request(ana):
    pt = ana.web(language="pt-br").get("/people/new/").content.decode()
    assert "Sobrenome" in pt and "Last name" not in pt
    en = ana.web(language="en").get("/people/new/").content.decode()
    assert "Last name" in en and "Sobrenome" not in en
    company_pt = ana.web(language="pt-br").get("/companies/new/").content.decode()
    assert "Razão social" in company_pt and "Legal name" not in company_pt


def test_person_page_filters_its_timeline_and_lists_open_and_closed_deals_apart(ana):
    from vinculo.activities import services as activity_services
    from vinculo.sales import services as sales_services

    person = services.create_person(actor=ana.actor, data={"first_name": "Téo"})
    activity_services.log_activity(
        actor=ana.actor,
        data={
            "kind": "call",
            "subject": "Ligação de boas-vindas",
            "person_id": person.pk,
            "direction": "outbound",
        },
    )
    pipeline = sales_services.ensure_default_pipeline(actor=ana.actor)
    won = next(s for s in pipeline.stages.all() if s.kind == "won")
    sales_services.create_deal(actor=ana.actor, data={"title": "Aberto", "person_id": person.pk})
    closed = sales_services.create_deal(
        actor=ana.actor, data={"title": "Fechado", "person_id": person.pk}
    )
    sales_services.move_deal(actor=ana.actor, deal_id=closed.pk, stage_id=won.pk)
    client = ana.web()
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert 'value="activity.call"' in page  # the kinds filter is offered
    open_deals, closed_deals = page.split("open-deals", 1)[1].split("closed-deals", 1)
    assert "Aberto" in open_deals and "Fechado" not in open_deals
    assert "Fechado" in closed_deals.split("</article>", 1)[0]
    calls = client.get(f"/people/{person.pk}/?kinds=activity.call").content.decode()
    assert "Ligação de boas-vindas" in calls
    assert page.count('class="timeline-entry') > 1  # creation, deals, the call…
    assert calls.count('class="timeline-entry') == 1  # only the call
