"""The demo workspace that `vinculo serve --demo` (and `make run`) opens on.

It holds a team of five and, seeded once by :mod:`vinculo.demo.generator`, a realistic pt-BR CRM:
companies, people, pipelines with deals, 18 months of activities and today's tasks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction

from vinculo.core.actor import Actor, Source
from vinculo.core.filters.context import workspace_today
from vinculo.core.tenancy import Membership, Role, User, Workspace
from vinculo.demo.generator import seed_workspace
from vinculo.demo.integrations import seed_integrations
from vinculo.insights.dashboards import services as dashboards
from vinculo.strategy.goals.measuring import measure_workspace
from vinculo.strategy.starters.services import apply_starter
from vinculo.workspaces import services

if TYPE_CHECKING:
    from vinculo.demo.generator import Progress, SeedSummary

logger = logging.getLogger(__name__)

DEMO_SLUG = "demo"
DEMO_EMAIL = "demo@vinculo.local"
# A demo login is meant to be printed and typed; it only exists when --demo is asked for.
DEMO_PASSWORD = "cafe-com-leite-42"  # noqa: S105
# How many people `make run` shows: enough for lists, filters and reports to feel real.
DEMO_PEOPLE = 2000

DEMO_TEAM = [
    ("bruno.souza@vinculo.local", "Bruno Souza", Role.SALES_REP),
    ("carla.lima@vinculo.local", "Carla Lima", Role.SUPPORT_AGENT),
    ("diego.alves@vinculo.local", "Diego Alves", Role.MARKETER),
    ("elisa.rocha@vinculo.local", "Elisa Rocha", Role.MANAGER),
]


@dataclass
class DemoLogin:
    email: str
    password: str
    seeded: SeedSummary | None = None


def _log_progress(phase: str, done: int, total: int) -> None:
    if done >= total:
        logger.info("demo data: %s %s", phase, f"{total:,}")


def seed_plan(owner: Actor) -> None:
    """The demo's CRM plan: the B2B services draft, begun eight weeks ago, its goals measured
    (some on track, some not, as the demo's data has it) and its first review scheduled."""
    today = workspace_today(owner)
    apply_starter(owner, "b2b_services", start=today - timedelta(weeks=8))
    measure_workspace(owner, today)


def ensure_demo_workspace(
    *, people: int = DEMO_PEOPLE, seed: int = 42, progress: Progress | None = _log_progress
) -> DemoLogin:
    """Create the demo workspace with a few members (once); reset the demo owner's password;
    seed its CRM data (``people`` people and what goes with them) unless it already has people.
    ``people=0`` skips the CRM data."""
    with transaction.atomic():
        workspace = Workspace.objects.filter(slug=DEMO_SLUG).first()
        if workspace is None:
            new = services.create_workspace(
                name="Vínculo Demo Ltda.",
                slug=DEMO_SLUG,
                owner_email=DEMO_EMAIL,
                owner_password=DEMO_PASSWORD,
                owner_name="Ana Demo",
                source=Source.SYSTEM,
            )
            workspace = new.workspace
            owner = Actor(
                workspace=workspace, user=new.owner, role=Role.OWNER, source=Source.SYSTEM
            )
            for email, name, role in DEMO_TEAM:
                services.add_member(actor=owner, email=email, role=role, full_name=name)
            sales = services.create_team(actor=owner, data={"name": "Vendas SP"})
            bruno = User.objects.get(email=DEMO_TEAM[0][0])
            services.add_team_member(actor=owner, team_id=sales.pk, user_id=bruno.pk)
            # The demo shows the leaderboards a manager may opt into (off in a new workspace).
            dashboards.update_dashboard_settings(actor=owner, data={"show_leaderboards": True})
        user = User.objects.get(email=DEMO_EMAIL)
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        Membership.objects.filter(workspace=workspace, user=user).update(role=Role.OWNER)
    seeded = None
    if people > 0:
        owner = Actor(workspace=workspace, user=user, role=Role.OWNER, source=Source.SYSTEM)
        seeded = seed_workspace(actor=owner, people=people, seed=seed, progress=progress)
        if not seeded.skipped:
            seed_integrations(owner, seed=seed)
            seed_plan(owner)
    return DemoLogin(DEMO_EMAIL, DEMO_PASSWORD, seeded)
