"""A synthetic won/lost history for the predictive score's tests, written in bulk: ``won`` and
``lost`` deals, each with its own person; before each deal's creation its person viewed the
pricing page a number of times drawn from a Poisson law whose mean depends on the outcome
(``signal=True``: 4 for won, 0.3 for lost) or not (``signal=False``: 1.5 for both), and every
person gets the same kind of noise (an email for half of them at random)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np

from tests.conftest import Persona
from vinculo.contacts.models import Person
from vinculo.events.models import TrackedEvent
from vinculo.sales.models import Deal, DealStatus, Pipeline, Stage, StageKind

BASE = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def make_history(persona: Persona, *, won: int, lost: int, signal: bool, seed: int = 1) -> None:
    ws = persona.workspace
    rng = random.Random(seed)  # noqa: S311  (test data)
    draws = np.random.default_rng(seed)
    labels = [1] * won + [0] * lost
    rng.shuffle(labels)
    people = Person.objects.bulk_create(
        [
            Person(
                workspace=ws,
                first_name=f"Lead {i}",
                email=f"lead{i}@ex.com.br" if rng.random() < 0.5 else "",
                created_at=BASE - timedelta(days=300),
            )
            for i in range(len(labels))
        ]
    )
    pipeline = Pipeline.objects.for_workspace(ws).get(is_default=True)
    stage = {
        kind: Stage.objects.for_workspace(ws).get(pipeline=pipeline, kind=kind)
        for kind in (StageKind.WON, StageKind.LOST)
    }
    deals, events = [], []
    for person, label in zip(people, labels, strict=True):
        created = BASE - timedelta(days=rng.randint(1, 120))
        kind = StageKind.WON if label else StageKind.LOST
        deals.append(
            Deal(
                workspace=ws,
                title=f"Negócio {person.first_name}",
                pipeline=pipeline,
                stage=stage[kind],
                status=DealStatus.WON if label else DealStatus.LOST,
                person=person,
                created_at=created,
                closed_at=created + timedelta(days=20),
            )
        )
        mean = (4.0 if label else 0.3) if signal else 1.5
        for _ in range(int(draws.poisson(mean))):
            events.append(
                TrackedEvent(
                    workspace=ws,
                    name="page_viewed",
                    person=person,
                    occurred_at=created - timedelta(days=rng.uniform(1, 60)),
                    properties={"url": "https://loja.exemplo/precos"},
                )
            )
    Deal.objects.bulk_create(deals)
    TrackedEvent.objects.bulk_create(events)
