"""Per GET path of the API: which rows it shows, and how to add ``n`` more of them to Ana's
workspace (tests/core/test_api_every_path.py counts its queries at 10 and at 100).

A list grows by its items, each with what it shows of them (tags, companies, line items…); a
detail by the rows it nests (a person's tags and companies, a deal's line items and stage
changes, a team's members) or, when it nests none, by its siblings. Rows are copies of the ones
the seed made (tests/one_of_everything.py), written in bulk: only the numbers matter here.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from tests.conftest import Persona
from tests.core.every_path import PREFIX, Operation
from tests.core.rows import (
    Grow,
    Ids,
    activities,
    add,
    companies,
    deals,
    duplicate_pairs,
    nothing,
    people,
    purchases,
    serial,
    sibling,
    tags,
    timeline,
    tracked_events,
    unique,
    users,
)
from vinculo.activities.models import Activity
from vinculo.contacts.models import (
    Affiliation,
    Company,
    ConsentChange,
    CustomFieldDefinition,
    LifecycleChange,
    LifecycleStage,
    Person,
    Spend,
)
from vinculo.core.models import (
    AuditEntry,
    CurrencyRate,
    DomainEvent,
    EventDelivery,
    Notification,
    SavedView,
)
from vinculo.core.tenancy import ApiToken, Invitation, Membership, Team, TeamMember
from vinculo.core.tenancy import Workspace as WorkspaceModel
from vinculo.events.models import CustomerValue, InboundEndpoint, InboundReceipt
from vinculo.insights.models import Dashboard, Widget
from vinculo.integrations.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from vinculo.privacy.models import AccessRecord, DataSubjectRequest, ErasureRecord
from vinculo.quality.models import (
    AuditRun,
    DedupeRun,
    EntryRule,
    ExportJob,
    ImportJob,
    ImportRowError,
    ImportTemplate,
    MergeRecord,
)
from vinculo.sales.models import Deal, LineItem, LostReason, Pipeline, Product, Stage, StageChange
from vinculo.scoring.models import LeadScore, ScoringRule
from vinculo.strategy.models import (
    Decision,
    Gap,
    GlossaryTerm,
    Goal,
    GoalReading,
    Objective,
    PlanVersion,
    Review,
    Strategy,
    Tactic,
    TacticSpend,
    Touchpoint,
)
from vinculo.webforms.models import FormDailyStat, Submission, WebForm


class Unmapped(LookupError):
    pass


# --- per path ------------------------------------------------------------------------------------


def _another_month(j: int) -> date:
    return date(2000, 1, 1) + timedelta(days=serial())


def _me(ana: Persona, ids: Ids, n: int) -> None:
    spaces = add(WorkspaceModel, n, ana.workspace, slug=unique("outra-"), name="Outra")
    add(Membership, n, workspace_id=lambda j: spaces[j].pk, user_id=ana.user.pk, role="viewer")


def _teams(ana: Persona, ids: Ids, n: int) -> None:
    made = add(Team, n, Team.objects.get(pk=ids["team_id"]), name=unique("Equipe "))
    add(
        TeamMember,
        n,
        workspace_id=ana.workspace.pk,
        team_id=lambda j: made[j].pk,
        user_id=ids["team_member_user_id"],
    )


def _team(ana: Persona, ids: Ids, n: int) -> None:
    made = users(ana, n)
    add(
        TeamMember,
        n,
        workspace_id=ana.workspace.pk,
        team_id=ids["team_id"],
        user_id=lambda j: made[j].pk,
    )


def _outbox(ana: Persona, ids: Ids, n: int) -> None:
    delivery = EventDelivery.objects.get(pk=ids["outbox_delivery_id"])
    events = add(DomainEvent, n, delivery.event)
    add(EventDelivery, n, delivery, event_id=lambda j: events[j].pk)


def _most_valuable(ana: Persona, ids: Ids, n: int) -> None:
    """``n`` more of the most valuable customers (``tier=mvc``, the list's default)."""
    _at_risk(ana, ids, n)
    CustomerValue.objects.for_workspace(ana.workspace).update(tier="mvc")


def _at_risk(ana: Persona, ids: Ids, n: int) -> None:
    """``n`` buyers at high churn risk, as the recompute stores them."""
    made = people(ana, ids, n)
    add(
        CustomerValue,
        n,
        workspace_id=ana.workspace.pk,
        person_id=lambda j: made[j].pk,
        currency="BRL",
        recency_days=90,
        frequency=2,
        monetary=100,
        r_score=1,
        f_score=3,
        m_score=3,
        segment="at_risk",
        analysis_date=date(2026, 7, 31),
        repeat_purchases=1,
        t_x_days=30,
        age_days=120,
        cadence_days=30.0,
        churn_risk="high",
        churn_reason="overdue",
        churn_params={
            "days": 90,
            "contacted": False,
            "cadence": 30.0,
            "typical": False,
            "ratio": 3.0,
        },
        value_at_stake=lambda j: 100 + j,
    )


def _custom_fields(ana: Persona, ids: Ids, n: int) -> None:
    add(
        CustomFieldDefinition,
        n,
        CustomFieldDefinition.objects.get(pk=ids["field_id"]),
        key=unique("campo_"),
    )


def _person(ana: Persona, ids: Ids, n: int) -> None:
    made = tags(ana, n)
    Person.tags.through.objects.bulk_create(
        [Person.tags.through(person_id=ids["person_id"], tag_id=t.pk) for t in made]
    )
    firms = companies(ana, ids, n)
    add(
        Affiliation,
        n,
        workspace_id=ana.workspace.pk,
        person_id=ids["person_id"],
        company_id=lambda j: firms[j].pk,
    )


def _lifecycle(ana: Persona, ids: Ids, n: int) -> None:
    stages = list(LifecycleStage.objects.filter(workspace=ana.workspace).order_by("position"))
    add(
        LifecycleChange,
        n,
        workspace_id=ana.workspace.pk,
        person_id=ids["person_id"],
        from_stage_id=lambda j: stages[j % len(stages)].pk,
        to_stage_id=lambda j: stages[(j + 1) % len(stages)].pk,
    )


def _consents(ana: Persona, ids: Ids, n: int) -> None:
    add(
        ConsentChange,
        n,
        workspace_id=ana.workspace.pk,
        person_id=ids["person_id"],
        channel="email",
        from_status="unknown",
        status="opted_in",
        legal_basis="consent",
        method="api",
    )


def _company(ana: Persona, ids: Ids, n: int) -> None:
    made = tags(ana, n)
    Company.tags.through.objects.bulk_create(
        [Company.tags.through(company_id=ids["company_id"], tag_id=t.pk) for t in made]
    )


def _pipelines(ana: Persona, ids: Ids, n: int) -> None:
    made = add(
        Pipeline,
        n,
        Pipeline.objects.get(pk=ids["pipeline_id"]),
        name=unique("Funil "),
        is_default=False,
    )
    stage = Stage.objects.get(pk=ids["stage_id"])
    for position in range(3):
        add(
            Stage,
            n,
            stage,
            pipeline_id=lambda j: made[j].pk,
            name=f"Etapa {position}",
            position=position,
        )


def _pipeline(ana: Persona, ids: Ids, n: int) -> None:
    add(Stage, n, Stage.objects.get(pk=ids["stage_id"]), name=unique("Etapa "), position=99)


def _deal(ana: Persona, ids: Ids, n: int) -> None:
    deal = Deal.objects.get(pk=ids["deal_id"])
    add(
        LineItem,
        n,
        workspace_id=ana.workspace.pk,
        deal_id=deal.pk,
        product_id=ids["product_id"],
        name="Pão de queijo",
        unit_price=12,
        position=lambda j: j,
    )
    add(
        StageChange,
        n,
        workspace_id=ana.workspace.pk,
        deal_id=deal.pk,
        pipeline_id=deal.pipeline_id,
        from_stage_id=deal.stage_id,
        to_stage_id=ids["stage_id"],
    )
    made = tags(ana, n)
    Deal.tags.through.objects.bulk_create(
        [Deal.tags.through(deal_id=deal.pk, tag_id=t.pk) for t in made]
    )


def _reasons(ana: Persona, ids: Ids, n: int) -> list[LostReason]:
    return add(
        LostReason,
        n,
        LostReason.objects.get(pk=ids["reason_id"]),
        code="",
        label=unique("Motivo "),
    )


def _reason_counts(ana: Persona, ids: Ids, n: int) -> None:
    made = _reasons(ana, ids, n)
    lost = Stage.objects.filter(pipeline=ids["pipeline_id"], kind="lost").first()
    assert lost is not None
    deals(ana, ids, n, stage_id=lost.pk, status="lost", lost_reason_id=lambda j: made[j].pk)


def _job_rows(ana: Persona, ids: Ids, n: int) -> None:
    job = ImportJob.objects.get(pk=ids["job_id"])
    template = ImportRowError.objects.filter(job=job).order_by("pk").first()
    assert template is not None, "the seeded import has no rejected row"
    add(ImportRowError, n, template, line=lambda j: 1000 + serial(), dry_run=False)


def _form(ana: Persona, ids: Ids, n: int) -> None:
    today = timezone.localdate()
    add(
        FormDailyStat,
        n,
        workspace_id=ana.workspace.pk,
        form_id=ids["form_id"],
        day=lambda j: today - timedelta(days=1000 + serial()),
        views=3,
        submissions=1,
    )
    _submissions(ana, ids, n)


def _submissions(ana: Persona, ids: Ids, n: int) -> None:
    made = people(ana, ids, n)
    add(
        Submission,
        n,
        Submission.objects.get(pk=ids["submission_id"]),
        person_id=lambda j: made[j].pk,
    )


def _attempts(ana: Persona, ids: Ids, n: int) -> None:
    delivery = WebhookDelivery.objects.get(pk=ids["delivery_id"])
    add(
        WebhookAttempt,
        n,
        workspace_id=ana.workspace.pk,
        delivery_id=delivery.pk,
        subscription_id=delivery.subscription_id,
        number=lambda j: j + 2,
        started_at=timezone.now(),
        response_status=500,
        error="HTTP 500",
    )


def _everything_of_the_person(ana: Persona, ids: Ids, n: int) -> None:
    activities(ana, ids, n)
    deals(ana, ids, n)
    _consents(ana, ids, n)
    _person(ana, ids, n)
    purchases(ana, ids, n)
    timeline(ana, ids, n, person_id=ids["person_id"])


def _merge_preview(ana: Persona, ids: Ids, n: int) -> None:
    """Custom fields, with a value in the two records (the preview is field by field)."""
    made = add(
        CustomFieldDefinition,
        n,
        CustomFieldDefinition.objects.get(pk=ids["field_id"]),
        key=unique("campo_"),
    )
    for pk, value in ((ids["person_id"], "Ouro"), (ids["twin_id"], "Prata")):
        person = Person.objects.get(pk=pk)
        person.custom_fields = {**person.custom_fields, **{f.key: value for f in made}}
        person.save(update_fields=["custom_fields"])


def _audit(ana: Persona, ids: Ids, n: int) -> None:
    """Only these: the seed wrote more entries than a page shows."""
    AuditEntry.objects.filter(workspace=ana.workspace).exclude(action="test.grown").delete()
    add(
        AuditEntry,
        n,
        workspace_id=ana.workspace.pk,
        actor_id=ana.user.pk,
        action="test.grown",
        object_type="contacts.person",
        object_id=str(ids["person_id"]),
        changes={"a": [1, 2]},
    )


def _tasks(ana: Persona, ids: Ids, n: int) -> None:
    """Ana's open tasks due today (what the list shows by default)."""
    add(
        Activity,
        n,
        Activity.objects.get(pk=ids["task_id"]),
        assignee_id=ana.user.pk,
        due_at=timezone.now(),
        completed_at=None,
        deleted_at=None,
    )


def _receipts(ana: Persona, ids: Ids, n: int) -> None:
    add(
        InboundReceipt,
        n,
        workspace_id=ana.workspace.pk,
        endpoint_id=ids["endpoint_id"],
        status="accepted",
        http_status=202,
        payload={"email": "joana@exemplo.com.br"},
        raw_body='{"email": "joana@exemplo.com.br"}',
    )


def _erasures(ana: Persona, ids: Ids, n: int) -> None:
    add(
        ErasureRecord,
        n,
        workspace_id=ana.workspace.pk,
        subject=unique("titular-"),
        reason="request",
        counts={"people": 1},
    )


def _access_log(ana: Persona, ids: Ids, n: int) -> None:
    add(
        AccessRecord,
        n,
        workspace_id=ana.workspace.pk,
        person_id=ids["person_id"],
        user_id=ana.user.pk,
        action="view",
        source="api",
    )


def _lead_scores(ana: Persona, ids: Ids, n: int) -> None:
    """Scores of ``n`` more people (the list reads each page in one query)."""
    made = people(ana, ids, n)
    add(
        LeadScore,
        n,
        workspace_id=ana.workspace.pk,
        person_id=lambda j: made[j].pk,
        rule_score=lambda j: j,
        reasons=[{"code": "field", "points": 1, "rule": "Regra"}],
    )


def _dashboards(ana: Persona, ids: Ids, n: int) -> None:
    """More workspace dashboards, each with a widget."""
    made = add(Dashboard, n, Dashboard.objects.get(pk=ids["dashboard_id"]), name=unique("Painel "),
               kind="", is_default=False)  # fmt: skip
    for dashboard in made:
        add(Widget, 1, Widget.objects.get(pk=ids["widget_id"]), dashboard_id=dashboard.pk)


def _widgets(ana: Persona, ids: Ids, n: int) -> None:
    add(Widget, n, Widget.objects.get(pk=ids["widget_id"]))


def _goal_readings(ana: Persona, ids: Ids, n: int) -> None:
    """More readings of the goal (one a day), which its detail lists."""
    add(
        GoalReading,
        n,
        workspace_id=ana.workspace.pk,
        goal_id=ids["goal_id"],
        day=lambda j: date(2000, 1, 1) + timedelta(days=serial()),
        value=1,
    )


GROWERS: dict[str, Grow] = {
    "/me": _me,
    "/workspace": nothing,  # a fixed shape
    "/members": lambda ana, ids, n: users(ana, n) and None,
    "/invitations": sibling(
        Invitation, "invitation_id", token_hash=unique("h"), email=unique("convite@ex")
    ),
    "/members/{member_id}": lambda ana, ids, n: users(ana, n) and None,
    "/teams": _teams,
    "/teams/{team_id}": _team,
    "/tokens": sibling(ApiToken, "token_id", prefix=unique("vk_")),
    "/audit": _audit,
    "/outbox/deliveries": _outbox,
    "/filters/{object_type}": _custom_fields,
    "/views": sibling(SavedView, "view_id", name=unique("Visão ")),
    "/views/{view_id}": sibling(SavedView, "view_id", name=unique("Visão ")),
    "/people": lambda ana, ids, n: people(ana, ids, n) and None,
    "/people/{person_id}": _person,
    "/people/{person_id}/lifecycle": _lifecycle,
    "/people/{person_id}/consents": _consents,
    "/companies": lambda ana, ids, n: companies(ana, ids, n) and None,
    "/companies/{company_id}": _company,
    "/companies/{company_id}/people": lambda ana, ids, n: people(ana, ids, n) and None,
    "/lifecycle-stages": sibling(LifecycleStage, "lifecycle_stage_id", key=unique("etapa-")),
    "/custom-fields": _custom_fields,
    "/tags": lambda ana, ids, n: tags(ana, n) and None,
    "/spend": sibling(Spend, "spend_id", channel_key=unique("canal-")),
    "/spend/{spend_id}": sibling(Spend, "spend_id", channel_key=unique("canal-")),
    "/currency-rates": sibling(CurrencyRate, "rate_id", month=_another_month),
    "/currency-rates/{rate_id}": sibling(CurrencyRate, "rate_id", month=_another_month),
    "/pipelines": _pipelines,
    "/pipelines/{pipeline_id}": _pipeline,
    "/pipelines/{pipeline_id}/board": lambda ana, ids, n: deals(ana, ids, n) and None,
    "/deals": lambda ana, ids, n: deals(ana, ids, n) and None,
    "/kpis": nothing,  # the catalogue: a fixed shape
    "/dashboards": _dashboards,
    "/dashboards/{dashboard_id}": _widgets,
    "/dashboards/{dashboard_id}/widgets": _widgets,
    "/dashboards/{dashboard_id}/widgets/{widget_id}": sibling(Widget, "widget_id"),
    # The first widget is a KPI number (win rate): its rows are the deals, counted in Python.
    "/dashboards/{dashboard_id}/widgets/{widget_id}/data": lambda ana, ids, n: (
        deals(ana, ids, n) and None
    ),
    # A KPI's rows are fetched in one query and bucketed in Python, whatever their number.
    "/kpis/{key}": lambda ana, ids, n: deals(ana, ids, n) and None,
    "/deals/{deal_id}": _deal,
    # The reports read their deals and stage changes in a few queries and count in Python.
    "/reports/pipeline-funnel": lambda ana, ids, n: deals(ana, ids, n) and None,
    "/reports/sales-forecast": lambda ana, ids, n: deals(ana, ids, n) and None,
    "/reports/win-loss": lambda ana, ids, n: deals(ana, ids, n) and None,
    # Cohorts and activity per rep: a few queries, counted in Python by month or member.
    "/reports/cohort-retention": purchases,
    "/reports/activity-per-rep": lambda ana, ids, n: activities(ana, ids, n) and None,
    # Adoption: the registry's KPIs cut by owner, a row per member and team.
    "/reports/adoption": lambda ana, ids, n: activities(ana, ids, n) and None,
    "/dashboard-settings": nothing,  # a fixed shape
    "/products": sibling(Product, "product_id", name=unique("Produto ")),
    "/pipelines/{pipeline_id}/lost-reasons": lambda ana, ids, n: _reasons(ana, ids, n) and None,
    "/pipelines/{pipeline_id}/lost-reason-counts": _reason_counts,
    "/activities": lambda ana, ids, n: activities(ana, ids, n) and None,
    "/activities/{activity_id}": lambda ana, ids, n: activities(ana, ids, n) and None,
    "/tasks": _tasks,
    "/people/{person_id}/timeline": lambda ana, ids, n: timeline(
        ana, ids, n, person_id=ids["person_id"]
    ),
    "/companies/{company_id}/timeline": lambda ana, ids, n: timeline(
        ana, ids, n, company_id=ids["company_id"]
    ),
    "/deals/{deal_id}/timeline": lambda ana, ids, n: timeline(ana, ids, n, deal_id=ids["deal_id"]),
    "/quality/imports": sibling(ImportJob, "job_id"),
    "/quality/imports/{job_id}": _job_rows,
    "/quality/imports/{job_id}/rejected": _job_rows,
    "/quality/imports/{job_id}/rejected.csv": _job_rows,
    "/quality/import-templates": sibling(ImportTemplate, "template_id", name=unique("Modelo ")),
    "/quality/import-templates/{template_id}": sibling(
        ImportTemplate, "template_id", name=unique("Modelo ")
    ),
    "/quality/exports": sibling(ExportJob, "export_id"),
    "/quality/exports/{export_id}": sibling(ExportJob, "export_id"),
    "/quality/exports/{export_id}/download": sibling(ExportJob, "export_id"),
    "/quality/duplicates/runs/{run_id}": sibling(DedupeRun, "dedupe_run_id"),
    "/quality/duplicates/pairs": duplicate_pairs,
    "/quality/duplicates/pairs/{pair_id}": duplicate_pairs,
    "/quality/duplicates/clusters": duplicate_pairs,
    "/quality/duplicates/settings": nothing,  # a fixed shape
    "/quality/merges/preview": _merge_preview,
    "/quality/merges": sibling(MergeRecord, "merge_id"),
    "/quality/merges/{merge_id}": sibling(MergeRecord, "merge_id"),
    "/quality/duplicates/model": lambda ana, ids, n: people(ana, ids, n) and None,  # scanned
    "/quality/audits": sibling(AuditRun, "audit_run_id"),
    "/quality/audits/{run_id}": sibling(AuditRun, "audit_run_id"),
    "/quality/rules": sibling(EntryRule, "rule_id", pattern=unique("^x")),
    "/quality/rules/fields": _custom_fields,
    "/quality/rules/{rule_id}": sibling(EntryRule, "rule_id", pattern=unique("^x")),
    "/events": lambda ana, ids, n: tracked_events(ana, ids, n) and None,
    "/events/settings": nothing,  # a fixed shape
    "/events/{event_id}": lambda ana, ids, n: tracked_events(ana, ids, n) and None,
    "/people/{person_id}/purchases": purchases,
    "/events/inbound/presets": nothing,  # a fixed shape
    "/customer-value": nothing,  # a fixed shape: a count per segment and risk, the fit
    "/customer-value/at-risk": _at_risk,
    "/customer-value/tiers": _most_valuable,
    "/customer-value/settings": nothing,  # a fixed shape
    "/people/{person_id}/value": nothing,  # one row per person
    "/scoring/rules": sibling(ScoringRule, "scoring_rule_id", name=unique("Regra ")),
    "/reviews": sibling(Review, "review_id", title=unique("Revisão ")),
    "/reviews/{review_id}": sibling(Decision, "decision_id", text=unique("Decisão ")),
    "/reviews/{review_id}/document": sibling(Decision, "decision_id", text=unique("Decisão ")),
    "/scoring/rules/{scoring_rule_id}": sibling(
        ScoringRule, "scoring_rule_id", name=unique("Regra ")
    ),
    "/scoring/model": nothing,  # a fixed shape: the model's summary
    "/scoring/people": _lead_scores,
    "/people/{person_id}/score": nothing,  # one row per person
    "/events/inbound/endpoints": sibling(InboundEndpoint, "endpoint_id", token=unique("t")),
    "/events/inbound/endpoints/{endpoint_id}": sibling(
        InboundEndpoint, "endpoint_id", token=unique("t")
    ),
    "/events/inbound/endpoints/{endpoint_id}/receipts": _receipts,
    "/forms": sibling(WebForm, "form_id", public_key=unique("f")),
    "/forms/{form_id}": _form,
    "/forms/{form_id}/submissions": _submissions,
    "/forms/{form_id}/submissions/{submission_id}": _submissions,
    "/tracking": nothing,  # a fixed shape
    "/webhooks/event-types": nothing,  # a fixed shape
    "/webhooks/deliveries": sibling(WebhookDelivery, "delivery_id", uid=unique("d")),
    "/webhooks/deliveries/{delivery_id}": _attempts,
    "/webhooks": sibling(WebhookSubscription, "subscription_id"),
    "/webhooks/{subscription_id}": sibling(WebhookDelivery, "delivery_id", uid=unique("d")),
    "/people/{person_id}/data-export": _everything_of_the_person,
    "/people/{person_id}/access-log": _access_log,
    "/privacy/requests": sibling(DataSubjectRequest, "request_id"),
    "/privacy/requests/{request_id}": sibling(DataSubjectRequest, "request_id"),
    "/privacy/erasures": _erasures,
    "/privacy/settings": nothing,  # a fixed shape
    "/gaps": sibling(Gap, "gap_id"),
    "/gaps/{gap_id}": sibling(Gap, "gap_id"),
    "/touchpoints": sibling(Touchpoint, "touchpoint_id", lifecycle_stage=unique("s")),
    "/touchpoints/policy": sibling(Touchpoint, "touchpoint_id", lifecycle_stage=unique("s")),
    "/touchpoints/{touchpoint_id}": sibling(
        Touchpoint, "touchpoint_id", lifecycle_stage=unique("s")
    ),
    "/glossary": sibling(GlossaryTerm, "glossary_term_id", term_key=unique("termo ")),
    "/glossary/{glossary_term_id}": sibling(
        GlossaryTerm, "glossary_term_id", term_key=unique("termo ")
    ),
    "/plan": sibling(Objective, "objective_id", title=unique("Objetivo ")),
    "/plan/calculator": nothing,  # two KPI values over the last 12 months
    "/plan/starters": nothing,  # the draft plans: code, not rows
    "/plan/objectives": sibling(Objective, "objective_id", title=unique("Objetivo ")),
    "/plan/objectives/{objective_id}": sibling(Objective, "objective_id"),
    "/plan/strategies": sibling(Strategy, "strategy_id", title=unique("Estratégia ")),
    "/plan/strategies/{strategy_id}": sibling(Strategy, "strategy_id"),
    "/plan/tactics": sibling(Tactic, "tactic_id", title=unique("Tática ")),
    "/plan/tactics/{tactic_id}": sibling(Tactic, "tactic_id"),
    "/plan/tactics/{tactic_id}/spend": sibling(TacticSpend, "tactic_spend_id"),
    "/plan/versions": sibling(PlanVersion, "plan_version_id", number=lambda j: 1000 + serial()),
    "/plan/versions/{number}": sibling(
        PlanVersion, "plan_version_id", number=lambda j: 1000 + serial()
    ),
    # Objectives added since the version: each is listed as added.
    "/plan/versions/diff": sibling(Objective, "objective_id", title=unique("Objetivo ")),
    "/notifications": sibling(Notification, "notification_id"),
    "/goals": sibling(Goal, "goal_id", title=unique("Meta ")),
    "/goals/{goal_id}": _goal_readings,
}


DETAIL = "a detail that nests none of its kind: its siblings grow"
FIXED = "a fixed shape: nothing in it grows with rows"
REPORT = "counts and sums by stage, month or group: as long whatever the deals counted"
# Paths whose answer does not show the rows their grower adds, and why.
UNSEEN: dict[str, str] = {
    "/workspace": FIXED,
    "/kpis": FIXED,
    "/kpis/{key}": "a number and its series, the same length whatever the rows counted",
    "/dashboards/{dashboard_id}/widgets/{widget_id}": DETAIL,
    "/dashboards/{dashboard_id}/widgets/{widget_id}/data": "a KPI number and its series",
    "/reports/pipeline-funnel": REPORT,
    "/reports/sales-forecast": REPORT,
    "/reports/win-loss": REPORT,
    "/reports/cohort-retention": "shares by cohort month and month offset, however many bought",
    "/reports/activity-per-rep": "counts per member: as long whatever the activities counted",
    "/reports/adoption": "KPIs per member and team: as long whatever the activities counted",
    "/dashboard-settings": FIXED,
    "/members/{member_id}": DETAIL,
    "/views/{view_id}": DETAIL,
    "/spend/{spend_id}": DETAIL,
    "/currency-rates/{rate_id}": DETAIL,
    "/activities/{activity_id}": DETAIL,
    "/quality/import-templates/{template_id}": DETAIL,
    "/quality/exports/{export_id}": DETAIL,
    "/quality/exports/{export_id}/download": "the file written when the export ran",
    "/quality/imports/{job_id}": "counts and the dry run's first rows, not its rejected rows",
    "/quality/duplicates/model": "what the last scan learned: one row, whatever the records",
    "/events/inbound/endpoints/{endpoint_id}": DETAIL,
    "/quality/duplicates/runs/{run_id}": DETAIL,
    "/quality/duplicates/pairs/{pair_id}": DETAIL,
    "/quality/duplicates/settings": FIXED,
    "/quality/merges/{merge_id}": DETAIL,
    "/quality/audits/{run_id}": DETAIL,
    "/quality/rules/{rule_id}": DETAIL,
    "/events/settings": FIXED,
    "/events/{event_id}": DETAIL,
    "/events/inbound/presets": FIXED,
    "/customer-value": FIXED,
    "/customer-value/settings": FIXED,
    "/people/{person_id}/value": "one person's scores: one row, whatever the purchases",
    "/scoring/rules/{scoring_rule_id}": DETAIL,
    "/scoring/model": "the last training's summary: one row, whatever the deals",
    "/people/{person_id}/score": "one person's stored score: one row",
    "/forms/{form_id}/submissions/{submission_id}": DETAIL,
    "/tracking": FIXED,
    "/webhooks/event-types": FIXED,
    "/webhooks/{subscription_id}": DETAIL,
    "/privacy/requests/{request_id}": DETAIL,
    "/privacy/settings": FIXED,
    "/gaps/{gap_id}": DETAIL,
    "/touchpoints/{touchpoint_id}": DETAIL,
    "/glossary/{glossary_term_id}": DETAIL,
    "/plan/calculator": "two KPI values over the last 12 months, whatever the rows",
    "/plan/starters": "the draft plans the code holds, whatever the rows",
    "/plan/objectives/{objective_id}": DETAIL,
    "/plan/strategies/{strategy_id}": DETAIL,
    "/plan/tactics/{tactic_id}": DETAIL,
    "/plan/versions/{number}": DETAIL,
}


def grower(op: Operation) -> Grow:
    short = op.path.removeprefix(PREFIX)
    if short not in GROWERS:
        raise Unmapped(
            f"{op.label}: which rows does it show? Add to GROWERS in tests/core/every_path_rows.py "
            "a function that adds n of them to Ana's workspace (or nothing, for a fixed shape)"
        )
    return GROWERS[short]
