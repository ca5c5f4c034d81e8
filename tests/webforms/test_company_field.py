"""The form's "Company" field: the text becomes a company (found by name or created) linked to
the person, never a second company for the same name, never a rewrite of a known person's
company, never another workspace's company; a refused company loses neither the lead nor the
text."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.webforms.conftest import post_form
from vinculo.contacts import services as contacts
from vinculo.contacts.models import Affiliation, Company, Person
from vinculo.quality.services import rules
from vinculo.webforms import services
from vinculo.webforms.models import Submission

pytestmark = pytest.mark.django_db

JOANA = "joana@aurora.com.br"


@pytest.fixture
def b2b_form(ana):
    return services.create_form(
        actor=ana.actor,
        data={
            "name": "Fale com vendas",
            "fields": [
                {"key": "first_name", "required": True},
                {"key": "email", "required": True},
                {"key": "company", "label": "Empresa"},
            ],
            "language": "en",
        },
    )


def _companies_of(person: Person) -> list[tuple[str, bool]]:
    return [
        (a.company.name, a.is_primary)
        for a in Affiliation.objects.filter(person=person).select_related("company")
    ]


def test_the_company_is_created_once_and_linked_as_primary(ana, b2b_form):
    # Case folding beyond ASCII and runs of spaces: the same company on SQLite and PostgreSQL.
    post_form(b2b_form, {"first_name": "Joana", "email": JOANA, "company": "Ótica Aurora"})
    post_form(
        b2b_form, {"first_name": "Rui", "email": "rui@aurora.com.br", "company": " ótica   AURORA "}
    )
    companies = Company.objects.for_workspace(ana.workspace)
    assert [c.name for c in companies] == ["Ótica Aurora"]
    joana = Person.objects.get(email=JOANA)
    rui = Person.objects.get(email="rui@aurora.com.br")
    assert _companies_of(joana) == [("Ótica Aurora", True)]
    assert _companies_of(rui) == [("Ótica Aurora", True)]
    first = Submission.objects.filter(form=b2b_form).order_by("pk").first()
    assert first.data["company"] == "Ótica Aurora"
    page = ana.web().get(f"/f/{b2b_form.public_key}").content.decode()
    assert 'autocomplete="organization"' in page and "Empresa" in page


def test_the_builder_offers_the_company_field_in_portuguese(ana):
    builder = ana.web("pt-br").get(reverse("webforms:create")).content.decode()
    row = builder[builder.index('<tr data-field="company">') :]
    assert 'aria-label="Empresa"' in row[: row.index("</tr>")]


def test_a_known_persons_company_is_filled_not_rewritten(ana, b2b_form):
    other = contacts.create_company(actor=ana.actor, data={"name": "Padaria Central"})
    known = contacts.create_person(
        actor=ana.actor,
        data={
            "first_name": "Joana",
            "email": "joana@aurora.com.br",
            "companies": [{"company_id": other.pk}],
        },
    )
    bare = contacts.create_person(actor=ana.actor, data={"first_name": "Rui", "email": "r@x.com"})
    post_form(b2b_form, {"first_name": "Joana", "email": "joana@aurora.com.br", "company": "Fake"})
    post_form(b2b_form, {"first_name": "Rui", "email": "r@x.com", "company": "Aurora"})
    assert _companies_of(known) == [("Padaria Central", True)]
    assert _companies_of(bare) == [("Aurora", True)]
    assert not Company.objects.filter(name="Fake").exists()


def test_another_workspaces_company_is_never_used(ana, carla, b2b_form):
    theirs = contacts.create_company(actor=carla.actor, data={"name": "Aurora"})
    post_form(b2b_form, {"first_name": "Joana", "email": JOANA, "company": "Aurora"})
    ours = Company.objects.for_workspace(ana.workspace).get()
    assert ours.pk != theirs.pk
    assert _companies_of(Person.objects.get(email="joana@aurora.com.br")) == [("Aurora", True)]
    assert Affiliation.objects.filter(company=theirs).count() == 0


def test_a_too_long_company_is_refused_by_name(ana, b2b_form):
    response = post_form(
        b2b_form, {"first_name": "Joana", "email": "joana@aurora.com.br", "company": "A" * 201}
    )
    assert response.status_code == 422
    assert "At most 200 characters." in response.content.decode()
    assert not Person.objects.for_workspace(ana.workspace).exists()
    assert not Company.objects.for_workspace(ana.workspace).exists()


def test_a_company_the_rules_refuse_keeps_the_lead_and_the_text(ana, b2b_form):
    rules.create_entry_rule(
        actor=ana.actor, data={"object_type": "company", "field": "cnpj", "kind": "required"}
    )
    response = post_form(
        b2b_form, {"first_name": "Joana", "email": "joana@aurora.com.br", "company": "Aurora"}
    )
    assert response.status_code == 302 and response["Location"].endswith("?sent=1")  # PRG
    joana = Person.objects.get(email="joana@aurora.com.br")
    assert _companies_of(joana) == []
    assert not Company.objects.for_workspace(ana.workspace).exists()
    assert Submission.objects.get(form=b2b_form).data["company"] == "Aurora"
