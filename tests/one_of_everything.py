"""One of everything in a persona's workspace, with the ids to open each record by.

:func:`seed` fills a persona's workspace with one of everything a screen or an API path can show
(people, companies, deals, activities, tasks, an import, a web form with submissions, an inbound
endpoint with events, a webhook with a delivery, an audit, a duplicate pair, rules, fields, tags,
teams) and answers a :class:`Seeded`: the ids by URL parameter name. The browser tests open every
screen with them (tests/browser/screens.py); tests/core/test_api_every_path.py every API path.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.conftest import Persona
from tests.strategy.plan_seed import seed_plan
from tests.webforms.conftest import post_form
from vinculo.activities import services as activities
from vinculo.contacts import services as contacts
from vinculo.contacts.models import Company, LifecycleStage, Person, Tag
from vinculo.core import currency, notifications
from vinculo.core import events as domain_events
from vinculo.core.tenancy import Membership
from vinculo.demo.generator import seed_workspace
from vinculo.demo.integrations import seed_integrations
from vinculo.events.models import InboundEndpoint, TrackedEvent
from vinculo.events.services.rfm import recompute_rfm
from vinculo.insights.dashboards import services as dashboard_services
from vinculo.insights.models import Dashboard
from vinculo.integrations import services as integrations
from vinculo.integrations.models import WebhookDelivery
from vinculo.privacy import services as privacy
from vinculo.quality.models import DedupeRun, DuplicateCandidate
from vinculo.quality.services import audit, duplicates, exports, imports, rules
from vinculo.sales.models import Deal, LostReason, Pipeline, Stage
from vinculo.scoring.services import rules as scoring_rules
from vinculo.scoring.services.recompute import recompute_scores
from vinculo.strategy import gap_services, touchpoint_services
from vinculo.strategy.goals import services as goals
from vinculo.strategy.models import GlossaryTerm
from vinculo.strategy.plan.services import ensure_plan
from vinculo.strategy.reviews import services as reviews
from vinculo.webforms.models import Submission, WebForm
from vinculo.workspaces import invitations
from vinculo.workspaces import services as workspaces

IMPORT_CSV = (
    "Nome;Sobrenome;E-mail;Celular;Cidade\n"
    "Joana;Prado;joana.prado@exemplo.com.br;(71) 98206-1917;Salvador\n"
    "Rui;Tavares;email-ruim;123;Recife\n"
).encode("cp1252")


@dataclass
class Seeded:
    """The ids the screens are opened with, by URL parameter name; ``by_url`` overrides a
    parameter for one URL name (``"quality:audit_run"``: ``{"run_id": …}``); ``queries`` adds a
    query string to a URL that needs one (the merge screen's two records)."""

    ids: dict[str, Any] = field(default_factory=dict)
    by_url: dict[str, dict[str, Any]] = field(default_factory=dict)
    queries: dict[str, str] = field(default_factory=dict)

    def kwargs_for(self, name: str, params: list[str]) -> dict[str, Any]:
        values = {**self.ids, **self.by_url.get(name, {})}
        missing = [p for p in params if p not in values]
        if missing:
            raise LookupError(
                f"tests/one_of_everything.py has no value for {missing} of URL {name!r}: seed one"
            )
        return {p: values[p] for p in params}


def seed(persona: Persona, *, demo: int = 40, tracked: int = 8) -> Seeded:
    """One of everything in ``persona``'s workspace (a few seconds on SQLite), among ``demo``
    demo people (with as many activities and ``demo`` / 3 deals) and the tracked events of
    ``tracked`` people."""
    actor = persona.actor
    seed_workspace(actor=actor, people=demo, deals=demo * 3 // 10, activities=demo, seed=7)
    seed_integrations(actor, people=tracked, seed=7)
    recompute_rfm(actor)  # RFM, CLV and churn risk: the customer-value screen and API have rows
    ws = persona.workspace
    person = Person.objects.for_workspace(ws).filter(deleted_at__isnull=True).order_by("pk").first()
    company = Company.objects.for_workspace(ws).order_by("pk").first()
    deal = Deal.objects.for_workspace(ws).order_by("pk").first()
    assert person and company and deal
    task = activities.create_task(
        actor=actor, data={"subject": "Ligar para confirmar o pedido", "person_id": person.pk}
    )
    # Two records alike enough to be a duplicate pair.
    for _ in range(2):
        contacts.create_person(
            actor=actor,
            data={"first_name": "Ivone", "last_name": "Sampaio", "city": "Natal",
                  "mobile_phone": "(84) 99123-4567"},
        )  # fmt: skip
    duplicates.detect_duplicates(actor=actor, object_type="person")
    run = audit.run_audit(actor=actor)
    rule = rules.create_entry_rule(
        actor=actor, data={"object_type": "person", "field": "state", "kind": "format",
                           "format": "br_state"},
    ).rule  # fmt: skip
    custom = contacts.create_custom_field(
        actor=actor,
        data={"object_type": "person", "key": "plano", "label": "Plano contratado",
              "field_type": "text"},
    )  # fmt: skip
    job = imports.create_import(
        actor=actor, object_type="people", file_name="clientes.csv", content=io.BytesIO(IMPORT_CSV)
    )
    imports.dry_run_import(actor=actor, job_id=job.pk)  # its preview and chart show
    export = exports.create_export_job(
        actor=actor, spec=exports.ExportSpec(object_type="person"), fmt="csv", enqueue=False
    )
    exports.run_export_job(export.pk)
    team = workspaces.create_team(actor=actor, data={"name": "Vendas Nordeste"})
    token = workspaces.create_api_token(actor=actor, name="ERP")
    form = WebForm.objects.for_workspace(ws).get()
    post_form(form, {"first_name": "Joana", "email": "joana@exemplo.com.br"})
    endpoint = InboundEndpoint.objects.for_workspace(ws).get()
    hook = integrations.create_subscription(
        actor=actor,
        data={
            "name": "ERP",
            "url": "https://erp.exemplo.com.br/hooks",
            "event_types": ["person.*"],
        },
    )
    contacts.create_person(actor=actor, data={"first_name": "Otávio", "email": "otavio@ex.com.br"})
    domain_events.dispatch_due()  # the webhook consumer queues a delivery
    pipeline = Pipeline.objects.for_workspace(ws).order_by("pk").first()
    assert pipeline is not None
    membership = Membership.objects.for_workspace(ws).exclude(user=persona.user).first()
    assert membership is not None
    request = privacy.create_request(actor=actor, data={"kind": "access", "person_id": person.pk})
    invited = invitations.invite_member(actor=actor, email="rui@exemplo.com.br", role="sales_rep")
    spend = contacts.create_spend(
        actor=actor, data={"month": "2026-03", "channel": "Google Ads", "amount": "1500"}
    )
    rate = currency.create_currency_rate(
        actor=actor, data={"currency": "USD", "month": "2026-03", "rate": "5.1"}
    )
    scoring_rule = scoring_rules.create_rule(
        actor=actor,
        data={"name": "Página de preços", "kind": "behaviour", "points": 5,
              "event_name": "page_viewed", "window_days": 30, "half_life_days": 7},
    )  # fmt: skip
    recompute_scores(actor)
    gap = gap_services.create_gap(
        actor=actor,
        data={"title": "Leads esperam demais", "evidence_kpi": "new_leads",
              "evidence_segment": {"field": "lifecycle_stage", "op": "eq", "value": "lead"},
              "whys": ["Ninguém vê os leads da noite.", "Os leads não têm dono."]},
    )  # fmt: skip
    touchpoint = touchpoint_services.create_touchpoint(
        actor=actor,
        data={"lifecycle_stage": "lead", "department": "sales", "channel": "whatsapp",
              "policy_kind": "reply_within", "policy_amount": 2, "policy_unit": "business_hours",
              "kpi_key": "lead_response_time"},
    )  # fmt: skip
    glossary_term = GlossaryTerm.objects.for_workspace(ws).order_by("pk").first()
    assert glossary_term is not None  # the default glossary, made with the workspace
    plan_ids = seed_plan(persona, team.pk)
    goal = goals.create_goal(
        actor=actor,
        data={"title": "Negócios ganhos no trimestre", "kpi_key": "deals_won", "target": "30",
              "owner_id": persona.user.pk, "starts_on": "2026-01-01", "deadline": "2026-12-31"},
    )  # fmt: skip
    notice = notifications.notify(
        ws, [persona.user], "goal.at_risk", {"title": goal.title, "kpi": goal.kpi_key}, link="/"
    )[0]
    sales_dashboard = Dashboard.objects.for_workspace(ws).get(kind="sales", is_default=True)
    # The dashboard settings row: leaderboards turned on (they are off until then).
    dashboard_services.update_dashboard_settings(actor=actor, data={"show_leaderboards": True})
    review = reviews.create_review(actor, ensure_plan(actor), {"held_on": "2026-03-31"})
    decision = reviews.add_decision(actor, review.pk, {"text": "Revisar a meta de leads"})
    ids = {
        "person_id": person.pk,
        "company_id": company.pk,
        "deal_id": deal.pk,
        "task_id": task.pk,
        "event_id": TrackedEvent.objects.filter(workspace=ws).order_by("pk").values("pk")[0]["pk"],
        "endpoint_id": endpoint.pk,
        "token": endpoint.token,
        "form_id": form.pk,
        "submission_id": Submission.objects.for_workspace(ws).get().pk,
        "key": form.public_key,
        "job_id": job.pk,
        "run_id": run.pk,
        "rule_id": rule.pk,
        "scoring_rule_id": scoring_rule.pk,
        "gap_id": gap.pk,
        "touchpoint_id": touchpoint.pk,
        "glossary_term_id": glossary_term.pk,
        "subscription_id": hook.subscription.pk,
        "delivery_id": WebhookDelivery.objects.filter(subscription=hook.subscription).values("pk")[
            0
        ]["pk"],
        "membership_id": membership.pk,
        "team_id": team.pk,
        "user_id": membership.user_id,
        "token_id": token.token.pk,
        "field_id": custom.pk,
        "pipeline_id": pipeline.pk,
        "stage_id": Stage.objects.for_workspace(ws).filter(pipeline=pipeline).first().pk,
        "tag_id": Tag.objects.for_workspace(ws).order_by("pk").values("pk")[0]["pk"],
        "request_id": request.pk,
        "invitation_id": invited.invitation.pk,
        "uidb64": urlsafe_base64_encode(force_bytes(persona.user.pk)),
        "reason_id": LostReason.objects.for_workspace(ws).order_by("pk").values("pk")[0]["pk"],
        "spend_id": spend.pk,
        "rate_id": rate.pk,
        "review_id": review.pk,
        "decision_id": decision.pk,
        "fmt": "pdf",  # a review's document
        "goal_id": goal.pk,
        "notification_id": notice.pk,
        "kpi_key": "deals_won",  # a KPI's insights page
        "report_name": "win-loss",  # a sales report's insights page
        "dashboard_id": sales_dashboard.pk,  # the default Sales dashboard and its first widget
        "widget_id": sales_dashboard.widgets.order_by("position", "pk")[0].pk,
        # Only POST views take these (a GET answers 405 before looking the id up).
        "pair_id": 0,
        "merge_id": 0,
        "template_id": 0,
        **plan_ids,
    }
    from_dedupe = DedupeRun.objects.for_workspace(ws).order_by("pk").last()
    pair = DuplicateCandidate.objects.for_workspace(ws).order_by("pk").first()
    assert pair is not None
    return Seeded(
        ids=ids,
        by_url={
            "web:settings:lifecycle_update": {
                "stage_id": LifecycleStage.objects.for_workspace(ws).first().pk
            },
            "quality:duplicates_progress": {"run_id": from_dedupe.pk if from_dedupe else 0},
            "quality:export_download": {"job_id": export.pk},
            "web:invitation": {"token": invited.url.rstrip("/").rsplit("/", 1)[1]},
            "web:password_reset_confirm": {"token": "set-password"},
            "web:pick": {"kind": "person"},  # a fragment (not a screen), but it needs a kind
        },
        queries={
            "quality:duplicates_merge": f"?object_type=person&survivor={pair.left_id}"
            f"&loser={pair.right_id}",
            "web:search": "?find=Ivone",
            "web:settings:spend": f"?year=2026&edit={spend.pk}",
        },
    )
