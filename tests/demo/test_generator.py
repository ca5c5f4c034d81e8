"""The demo data generator: valid, realistic, deterministic data through the bulk services."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
from django.core.management import call_command
from django.utils import timezone
from validate_docbr import CNPJ, CPF

from vinculo.activities.models import Activity, TimelineEntry
from vinculo.contacts.models import Affiliation, Company, Person
from vinculo.core.actor import Actor, Source
from vinculo.core.tenancy import Membership, Role, Workspace
from vinculo.core.validators import clean_email
from vinculo.demo.dataset import HISTORY_MONTHS
from vinculo.demo.generator import seed_workspace
from vinculo.demo.integrations import seed_integrations
from vinculo.events.models import InboundEndpoint, Purchase, TrackedEvent
from vinculo.events.services.rollup import differences
from vinculo.sales.models import Deal, Pipeline, Stage, StageChange
from vinculo.webforms.models import WebForm

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def seeded(ana, now):
    summary = seed_workspace(actor=ana.actor, people=200, seed=7, now=now)
    assert summary.row_errors == 0, summary.first_errors
    return summary


def test_a_small_seed_writes_every_kind_of_record(ana, seeded):
    ws = ana.workspace
    assert seeded.people == Person.objects.for_workspace(ws).count() == 200
    assert seeded.companies == Company.objects.for_workspace(ws).count() == 20
    assert seeded.deals == Deal.objects.for_workspace(ws).count() == 40
    assert seeded.activities == Activity.objects.for_workspace(ws).count() >= 200
    assert seeded.pipelines == Pipeline.objects.for_workspace(ws).count() == 3
    assert set(seeded.phases) >= {"companies", "people", "deals", "activities"}
    # the services wrote the history too: one creation entry per person at least
    assert TimelineEntry.objects.for_workspace(ws).filter(kind="person.created").count() == 200


def test_documents_phones_and_emails_are_valid(ana, seeded):
    people = list(Person.objects.for_workspace(ana.workspace))
    assert all(CPF().validate(p.cpf) for p in people)
    assert len({p.cpf for p in people}) == len(people)
    phones = [p.mobile_phone for p in people] + [p.phone for p in people if p.phone]
    for number in phones:
        assert number.startswith("+55")
        assert phonenumbers.is_valid_number(phonenumbers.parse(number))
    assert all(clean_email(p.email) == p.email for p in people)
    companies = list(Company.objects.for_workspace(ana.workspace))
    assert all(CNPJ().validate(c.cnpj) for c in companies)
    assert all(c.city and len(c.state) == 2 and len(c.postal_code) == 9 for c in companies)
    # a realistic funnel: more leads and subscribers than customers, few advocates
    stages = [p.lifecycle_stage.key for p in Person.objects.for_workspace(ana.workspace)]
    assert stages.count("subscriber") + stages.count("lead") > stages.count("customer")
    assert stages.count("advocate") < stages.count("customer")
    # people work at companies, owners are spread over the team
    assert Affiliation.objects.for_workspace(ana.workspace).count() >= 80
    assert {p.owner_id for p in people} == {ana.user.pk, *_reps(ana)}


def _reps(ana):
    return set(
        Membership.objects.for_workspace(ana.workspace)
        .exclude(role__in=[Role.VIEWER, Role.OWNER])
        .values_list("user_id", flat=True)
    )


def test_deals_fill_every_stage_of_every_pipeline(ana, seeded):
    ws = ana.workspace
    for stage in Stage.objects.for_workspace(ws):
        assert Deal.objects.for_workspace(ws).filter(stage=stage).exists(), stage.name
    names = set(Pipeline.objects.for_workspace(ws).values_list("name", flat=True))
    assert {"Vendas B2B", "Renovações", "Parcerias"} <= names


def test_won_and_lost_deals_spread_over_eighteen_months(ana, seeded, now):
    deals = Deal.objects.for_workspace(ana.workspace)
    closed = list(deals.exclude(status="open"))
    assert {d.status for d in closed} == {"won", "lost"}
    oldest = min(d.closed_at for d in closed)
    assert now - timedelta(days=HISTORY_MONTHS * 31) <= oldest <= now - timedelta(days=180)
    assert all(d.closed_at <= now for d in closed)
    assert all(d.lost_reason_id and d.lost_note for d in closed if d.status == "lost")
    for deal in deals:
        history = list(StageChange.objects.filter(deal=deal).order_by("changed_at", "id"))
        assert history[-1].to_stage_id == deal.stage_id
        assert [h.changed_at for h in history] == sorted(h.changed_at for h in history)
        assert deal.amount > 0
        assert deal.line_items.exists()


def test_the_demo_owner_has_tasks_due_today_and_overdue(ana, seeded, now):
    tasks = Activity.objects.for_workspace(ana.workspace).filter(
        kind="task", assignee=ana.user, completed_at__isnull=True
    )
    today = now.astimezone(SAO_PAULO).date()
    due_dates = [t.due_at.astimezone(SAO_PAULO).date() for t in tasks]
    assert due_dates.count(today) >= 6
    assert sum(1 for d in due_dates if d < today) >= 5
    # and a history of calls, meetings, emails and notes
    kinds = set(Activity.objects.for_workspace(ana.workspace).values_list("kind", flat=True))
    assert kinds == {"call", "meeting", "email", "note", "task"}


def test_a_seed_gives_the_same_data_every_time(ana, carla, seeded, now):
    other = seed_workspace(actor=carla.actor, people=200, seed=7, now=now)
    assert other.people == seeded.people and other.deals == seeded.deals

    def people(ws):
        return sorted(
            Person.objects.for_workspace(ws).values_list(
                "first_name", "last_name", "cpf", "email", "mobile_phone", "city"
            )
        )

    def deals(ws):
        return sorted(Deal.objects.for_workspace(ws).values_list("title", "amount", "status"))

    assert people(ana.workspace) == people(carla.workspace)
    assert deals(ana.workspace) == deals(carla.workspace)
    third = seed_workspace(actor=carla.actor, people=200, seed=8, now=now)
    assert third.skipped  # carla's workspace has people already: nothing is added


def test_seeding_twice_does_not_duplicate(ana, seeded):
    again = seed_workspace(actor=ana.actor, people=200, seed=7)
    assert again.skipped
    assert again.people == 0
    assert Person.objects.for_workspace(ana.workspace).count() == 200


def test_the_demo_command_seeds_once_and_prints_progress(db):
    out = StringIO()
    call_command("demo", "--people", "60", stdout=out)
    text = out.getvalue()
    assert "people" in text and "Seeded 'demo'" in text
    assert "demo@vinculo.local" in text
    ws = Workspace.objects.get(slug="demo")
    assert Person.objects.for_workspace(ws).count() == 60
    out = StringIO()
    call_command("demo", "--people", "60", stdout=out)
    assert "already has people" in out.getvalue()
    assert Person.objects.for_workspace(ws).count() == 60


def test_the_demo_command_refuses_an_unknown_workspace(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no workspace"):
        call_command("demo", "--workspace", "nao-existe", "--people", "10", stdout=StringIO())


def test_the_demo_workspace_has_a_form_a_shop_endpoint_and_tracked_behaviour(db):
    call_command("demo", "--people", "60", stdout=StringIO())
    ws = Workspace.objects.get(slug="demo")
    assert list(WebForm.objects.for_workspace(ws).values_list("name", flat=True)) == [
        "Fale com a gente"
    ]
    assert InboundEndpoint.objects.for_workspace(ws).get().preset == "ecommerce_order"
    events = TrackedEvent.objects.for_workspace(ws)
    names = set(events.values_list("name", flat=True))
    assert {"page_viewed", "purchase"} <= names
    assert not events.filter(person__isnull=True).exists()
    purchases = Purchase.objects.for_workspace(ws)
    assert purchases.exists()
    assert all(p.amount > 0 for p in purchases)
    assert differences(ws.pk) == []  # the purchase KPIs' roll-up holds every purchase
    # Each event is on its person's timeline.
    assert TimelineEntry.objects.for_workspace(ws).filter(kind__startswith="event.").count() == (
        events.count()
    )

    from vinculo.core.tenancy import Membership, Role

    owner = Membership.objects.get(workspace=ws, role=Role.OWNER).user
    actor = Actor(workspace=ws, user=owner, role=Role.OWNER, source=Source.SYSTEM)
    before = events.count()
    assert seed_integrations(actor) == 0  # fixed keys: a second call stores nothing new
    assert events.count() == before
    assert WebForm.objects.for_workspace(ws).count() == 1
