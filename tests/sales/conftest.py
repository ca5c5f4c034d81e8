"""Sales fixtures: Ana's default pipeline, people and companies of both workspaces."""

from __future__ import annotations

import pytest

from vinculo.contacts.models import Company, CustomFieldDefinition, Person
from vinculo.sales import services
from vinculo.sales.models import LostReason, Pipeline, Stage


class Stages:
    """Ana's default pipeline, stages by (Portuguese) name."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.by_name = {s.name: s for s in Stage.objects.filter(pipeline=pipeline)}

    def __getitem__(self, name: str) -> Stage:
        return self.by_name[name]

    def reason(self, code: str) -> LostReason:
        """The pipeline's default lost reason with ``code`` (price, competitor… other)."""
        return LostReason.objects.get(pipeline=self.pipeline, code=code)


@pytest.fixture
def vendas(ana) -> Stages:
    return Stages(services.ensure_default_pipeline(actor=ana.actor))


# People and companies are created as rows here: the contacts services are built elsewhere and
# these tests are about deals referring to them.


@pytest.fixture
def maria(ana) -> Person:
    return Person.objects.create(
        workspace=ana.workspace, first_name="Maria", last_name="Souza", email="maria@cliente.test"
    )


@pytest.fixture
def acme(ana) -> Company:
    return Company.objects.create(workspace=ana.workspace, name="Acme Pães")


@pytest.fixture
def carlas_person(carla) -> Person:
    return Person.objects.create(workspace=carla.workspace, first_name="Zé")


@pytest.fixture
def segment_field(ana) -> CustomFieldDefinition:
    return CustomFieldDefinition.objects.create(
        workspace=ana.workspace,
        object_type="deal",
        key="segment",
        label="Segment",
        field_type="choice",
        choices=["retail", "wholesale"],
    )
