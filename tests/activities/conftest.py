"""Customer records for the activity tests, made with the ORM (the contacts and sales services
are written elsewhere): each workspace gets a person working at a company, with a deal."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.conftest import Persona
from vinculo.contacts.models import Company, Person
from vinculo.sales.models import Deal, Pipeline, Stage


@dataclass
class Records:
    person: Person
    company: Company
    deal: Deal


def make_records(persona: Persona, first_name: str = "Maria") -> Records:
    ws = persona.workspace
    company = Company.objects.create(workspace=ws, name=f"{first_name} Ltda")
    person = Person.objects.create(workspace=ws, first_name=first_name, last_name="Souza")
    pipeline = Pipeline.objects.create(workspace=ws, name=f"Vendas {first_name}")
    stage = Stage.objects.create(workspace=ws, pipeline=pipeline, name="Proposta")
    deal = Deal.objects.create(
        workspace=ws,
        title=f"Pedido {first_name}",
        pipeline=pipeline,
        stage=stage,
        person=person,
        company=company,
    )
    return Records(person, company, deal)


@pytest.fixture
def a(ana) -> Records:
    return make_records(ana)


@pytest.fixture
def c(carla) -> Records:
    return make_records(carla, "Joana")
