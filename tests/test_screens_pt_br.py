"""Every screen in pt-BR shows Portuguese: no English message id of the catalogue and no raw
enum value (``appointment_booked``, ``too_fast``) in the visible text.

The crawl walks the URL conf (every route outside the API and the admin), fills each route's
ids from a demo-like workspace (the demo seed plus one of every other kind of record) and
renders it for a pt-BR user. A route that cannot be filled must be named in ``NOT_SCREENS``,
so a new screen is crawled as soon as it is added.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from django.apps import apps
from django.db.models import TextChoices
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.strategy.plan_seed import seed_plan
from tests.webforms.conftest import post_form
from vinculo.activities.models import Activity
from vinculo.contacts import services as contacts
from vinculo.contacts.models import (
    Company,
    CustomFieldDefinition,
    LifecycleStage,
    Person,
    Spend,
    Tag,
)
from vinculo.core import currency
from vinculo.core.models import CurrencyRate, Notification
from vinculo.core.tenancy import ApiToken, Membership
from vinculo.demo.generator import seed_workspace
from vinculo.demo.integrations import seed_integrations
from vinculo.events.models import InboundEndpoint, TrackedEvent
from vinculo.events.presets import PRESETS
from vinculo.events.services.cleaning import STANDARD_NAMES
from vinculo.events.services.rfm import recompute_rfm
from vinculo.insights.models import Dashboard, Widget
from vinculo.integrations import services as webhooks
from vinculo.integrations.models import WebhookDelivery, WebhookSubscription
from vinculo.privacy import services as privacy
from vinculo.quality.models import (
    AuditRun,
    DedupeRun,
    DuplicateCandidate,
    EntryRule,
    ImportTemplate,
    MergeRecord,
)
from vinculo.quality.services import audit, duplicates, imports, merge, rules
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

LOCALE = Path(__file__).resolve().parents[1] / "src" / "vinculo" / "locale" / "pt_BR"

# Routes that are not screens a person reads (or need a token from outside).
NOT_SCREENS = {
    "healthz",
    "hooks/in/<str:token>",
    "t/collect",
    "f/<str:key>/token",
    "logout/",
    "language/",
}

# Visible text that is legitimately the same as an English message id. Keep it short.
ALLOWED = {
    "Data",  # Portuguese for "date" (a custom field type), also an English message id
    "email",  # a person's source as the demo seed stores it (data, shown in the merge table)
}


def _routes(patterns: list[Any], prefix: str = "") -> list[str]:
    found: list[str] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            found += _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            found.append(prefix + str(p.pattern))
    return found


def screens() -> list[str]:
    """Every route of the product's screens (not the API, the admin or the static files)."""
    return [
        r
        for r in _routes(get_resolver().url_patterns)
        if not r.startswith(("api/", "admin/")) and r not in NOT_SCREENS
    ]


class _Text(HTMLParser):
    """The text a person sees: text nodes and the words of title/placeholder/aria-label/alt,
    without scripts, styles and code samples (payloads and JSON are data)."""

    HIDDEN = {"script", "style", "pre", "code", "textarea", "template"}
    SPOKEN = ("title", "placeholder", "aria-label", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        for name, value in attrs:
            if name in self.SPOKEN and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.parts.append(data)


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return [" ".join(p.split()) for p in parser.parts]


PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%[sd]|\{\{[^}]*\}\}|\{\w*\}")


def english_messages() -> tuple[set[str], list[str]]:
    """Message ids whose pt-BR text differs: whole ids (to match a whole text node), the
    fixed fragments of the longer ones (sentences with placeholders, to match inside a node) and
    single lower-case words (``activity``, ``person``: an English noun pasted into a Portuguese
    sentence, matched as a word of a node that reads as Portuguese)."""
    with (LOCALE / "LC_MESSAGES" / "django.po").open("rb") as f:
        catalogue = read_po(f)
    whole: set[str] = set()
    fragments: list[str] = []
    for m in catalogue:
        if not m.id or not m.string or m.context:
            # A message with a context is one meaning of a word that has others ("Lead" of a
            # team is "Líder", the lifecycle stage "Lead" is data): it cannot tell on its own.
            continue
        msgid = m.id[0] if isinstance(m.id, tuple) else m.id
        msgstr = m.string[0] if isinstance(m.string, tuple) else m.string
        if msgid == msgstr or msgid in ALLOWED:
            continue
        whole.add(msgid)
        if msgid.isalpha() and msgid.islower() and len(msgid) >= 4:
            fragments.append(f"word:{msgid}")
        for piece in PLACEHOLDER.split(msgid):
            piece = piece.strip(" .,:;·—-()")
            if len(piece) >= 14 and " " in piece:
                fragments.append(piece)
    return whole, fragments


def raw_enum_values() -> set[str]:
    """The snake_case values of every model's choices (``appointment_booked``, ``too_fast``):
    never shown as they are, always through their label."""
    values: set[str] = set()
    for model in apps.get_app_configs():
        if not model.name.startswith("vinculo."):
            continue
        for m in model.get_models():
            for field in m._meta.get_fields():
                for value, _label in getattr(field, "flatchoices", None) or []:
                    if isinstance(value, str) and "_" in value:
                        values.add(value)
    for choices in TextChoices.__subclasses__():
        values.update(v for v in choices.values if "_" in v)
    # The standard event names and the inbound presets are shown by their labels too.
    values.update(n for n in STANDARD_NAMES if "_" in n)
    values.update(k for k in PRESETS if "_" in k)
    return values


PORTUGUESE = re.compile(r"\b(?:de|do|da|dos|das|os|as|em|no|na|um|uma|com|para)\b")


def untranslated(texts: list[str], whole: set[str], fragments: list[str], raw: set[str]):
    words_of = {f.removeprefix("word:") for f in fragments if f.startswith("word:")}
    fragments = [f for f in fragments if not f.startswith("word:")]
    found: list[str] = []
    for text in texts:
        # Technical names in brackets or quotes (payload keys, JSON paths) are not words.
        prose = re.sub(r'\([^)]*\)|\{[^}]*\}|"[^"]*"', " ", text)
        if PORTUGUESE.search(prose) and words_of & set(re.findall(r"[a-z]+", prose)):
            found.append(text)
            continue
        bare = text.strip(" :…*")
        if bare in whole:
            found.append(text)
            continue
        if any(f in text for f in fragments):
            found.append(text)
            continue
        words = set(re.findall(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+", text))
        if words & raw and not re.search(r"[\w.+-]+@|https?://|/\w", text):
            found.append(text)
    return found


# --- the workspace --------------------------------------------------------------------------


def _fill(ana, bruno) -> dict[str, Any]:
    """A demo-like workspace with one of every kind of record; the job runs in English."""
    actor = ana.actor
    seed_workspace(actor=actor, people=40, seed=3, now=timezone.now())
    seed_integrations(actor, people=10)
    ws = ana.workspace
    person = Person.objects.for_workspace(ws).order_by("pk").first()
    contacts.create_person(
        actor=actor,
        data={"first_name": person.first_name, "last_name": person.last_name,
              "email": person.email.upper()},
    )  # fmt: skip
    other = contacts.create_person(actor=actor, data={"first_name": "Dora", "email": "d@x.com.br"})
    contacts.create_custom_field(
        actor=actor, data={"object_type": "person", "label": "Segmento", "field_type": "text"}
    )
    team = workspaces.create_team(actor=actor, data={"name": "Vendas SP"})
    webhooks.create_subscription(
        actor=actor,
        data={"name": "ERP", "url": "https://erp.example.com/h", "event_types": ["activity.*"]},
    )
    sub = webhooks.create_subscription(
        actor=actor,
        data={"name": "BI", "url": "https://bi.example.com/h", "event_types": ["*"]},
    ).subscription
    webhooks.send_ping(actor=actor, subscription_id=sub.pk)
    audit.run_audit(actor=actor)
    duplicates.detect_duplicates(actor=actor, object_type="person")
    merge.merge_people(actor=actor, survivor_id=person.pk, loser_id=other.pk)
    job = imports.create_import(
        actor=actor,
        object_type="people",
        file_name="gente.csv",
        content=io.BytesIO(b"nome;email\nJoana;joana@\nLia;lia@x.com.br\n"),
    )
    imports.dry_run_import(actor=actor, job_id=job.pk)
    imports.create_template(actor=actor, data={"name": "Planilha", "object_type": "people"})
    this_month = f"{timezone.localdate():%Y-%m}"
    contacts.create_spend(
        actor=actor, data={"month": this_month, "channel": "Google Ads", "amount": "1500"}
    )
    currency.create_currency_rate(
        actor=actor, data={"currency": "USD", "month": this_month, "rate": "5.1"}
    )
    form = WebForm.objects.for_workspace(ws).first()
    post_form(form, {"first_name": "Bot", "email": "bot@x.com.br"}, age=0.2)
    post_form(form, {"first_name": "Rita", "email": "rita@x.com.br"})
    # Last: the rules refuse what the steps above write without an owner.
    for field in ("owner_id", "lifecycle_stage"):
        rules.create_entry_rule(
            actor=actor, data={"object_type": "person", "field": field, "kind": "required"}
        )
    rules.create_entry_rule(
        actor=actor, data={"object_type": "deal", "field": "person_id", "kind": "required"}
    )
    request = privacy.create_request(
        actor=actor, data={"kind": "access", "person_id": Person.objects.filter(workspace=ws)[0].pk}
    )
    invited = invitations.invite_member(actor=actor, email="rui@x.com.br", role="sales_rep")
    scoring_rule = scoring_rules.create_rule(
        actor=actor,
        data={"name": "Preços", "kind": "behaviour", "points": 5, "event_name": "page_viewed",
              "window_days": 30, "half_life_days": 7},
    )  # fmt: skip
    recompute_scores(actor)
    recompute_rfm(actor)  # the customer-value screen and the person pages' cards have values
    plan = seed_plan(ana, team.pk)
    review = reviews.create_review(actor, ensure_plan(actor), {"held_on": "2026-03-31"})
    reviews.add_decision(actor, review.pk, {"text": "Revisar metas"})
    reviews.hold(actor, review.pk)  # frozen, and the next one scheduled
    gap = gap_services.create_gap(
        actor=actor,
        data={"title": "Leads esperam demais", "evidence_kpi": "new_leads", "status": "closing",
              "evidence_segment": {"field": "lifecycle_stage", "op": "eq", "value": "lead"},
              "whys": ["Ninguém vê os leads da noite."], "root_cause": "Sem dono."},
    )  # fmt: skip
    touchpoint = touchpoint_services.create_touchpoint(
        actor=actor,
        data={"lifecycle_stage": "lead", "department": "service", "channel": "social",
              "policy_kind": "at_least", "policy_amount": 1, "policy_unit": "month",
              "kpi_key": "lead_response_time", "owner_id": actor.user.pk},
    )  # fmt: skip
    # A team goal at risk with a rep's quota (its owner alerted: the bell and the page).
    today = timezone.localdate()
    dates = {"starts_on": today - timedelta(days=20), "deadline": today + timedelta(days=20)}
    goal = goals.create_goal(
        actor=actor,
        data={"title": "Ganhos", "kpi_key": "deals_won", "target": "100000",
              "owner_id": ana.user.pk, **dates},
    )  # fmt: skip
    goals.create_goal(
        actor=actor,
        data={"title": "Cota", "kpi_key": "deals_won", "target": "5", "parent_id": goal.pk,
              "filter_owner_id": bruno.user.pk, **dates},
    )  # fmt: skip
    return {"team": team, "job": job, "form": form, "request": request, "invited": invited,
            "scoring_rule": scoring_rule, "gap": gap, "touchpoint": touchpoint,
            "review": review, "plan": plan, "goal": goal}  # fmt: skip


def _ids(ana, bruno, made: dict[str, Any]) -> dict[str, Any]:
    ws = ana.workspace

    def first(model, **kw):
        return (
            model.objects.filter(workspace=ws, **kw).order_by("pk").values_list("pk", flat=True)[0]
        )

    form = made["form"]
    return {
        "person_id": first(Person),
        "company_id": first(Company),
        "task_id": first(Activity),
        "deal_id": first(Deal),
        "job_id": made["job"].pk,
        "template_id": first(ImportTemplate),
        "pair_id": first(DuplicateCandidate),
        "merge_id": first(MergeRecord),
        "rule_id": first(EntryRule),
        "event_id": first(TrackedEvent),
        "endpoint_id": first(InboundEndpoint),
        "form_id": form.pk,
        "submission_id": Submission.objects.filter(form=form).order_by("pk")[0].pk,
        "subscription_id": first(WebhookSubscription),
        "delivery_id": WebhookDelivery.objects.filter(subscription__workspace=ws).first().pk,
        "membership_id": Membership.objects.get(workspace=ws, user=bruno.user).pk,
        "team_id": made["team"].pk,
        "user_id": bruno.user.pk,
        "token_id": first(ApiToken),
        "field_id": first(CustomFieldDefinition),
        "pipeline_id": first(Pipeline),
        "tag_id": first(Tag),
        "key": form.public_key,
        "kind": "person",
        "request_id": made["request"].pk,
        "invitation_id": made["invited"].invitation.pk,
        "reason_id": first(LostReason),
        "spend_id": first(Spend),
        "rate_id": first(CurrencyRate),
        "scoring_rule_id": made["scoring_rule"].pk,
        "review_id": made["review"].pk,
        "decision_id": made["review"].decisions.get().pk,
        "fmt": "pdf",
        "gap_id": made["gap"].pk,
        "touchpoint_id": made["touchpoint"].pk,
        "glossary_term_id": first(GlossaryTerm),
        "goal_id": made["goal"].pk,
        "notification_id": first(Notification),
        "kpi_key": "deals_won",
        "report_name": "win-loss",
        "dashboard_id": first(Dashboard, kind="sales"),
        "widget_id": first(Widget, dashboard__kind="sales"),
        "token": made["invited"].url.rstrip("/").rsplit("/", 1)[1],
        "uidb64": urlsafe_base64_encode(force_bytes(ana.user.pk)),
        **made["plan"],
    }


# Ids whose name means different records on different routes.
BY_ROUTE = {
    "quality/duplicates/run/<int:run_id>/": ("run_id", DedupeRun),
    "quality/audit/runs/<int:run_id>/": ("run_id", AuditRun),
    "quality/audit/runs/<int:run_id>/progress": ("run_id", AuditRun),
    "settings/lifecycle/<int:stage_id>/": ("stage_id", LifecycleStage),
    "settings/stages/<int:stage_id>/": ("stage_id", Stage),
    "settings/stages/<int:stage_id>/delete/": ("stage_id", Stage),
}
# Routes whose token is not the invitation's.
TOKENS = {"password/reset/<uidb64>/<token>/": "set-password"}
PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def _url(route: str, ids: dict[str, Any], ws) -> str:
    values = dict(ids)
    if route in TOKENS:
        values["token"] = TOKENS[route]
    if route in BY_ROUTE:
        name, model = BY_ROUTE[route]
        values[name] = model.objects.filter(workspace=ws).order_by("pk")[0].pk
    return "/" + PARAM.sub(lambda m: str(values[m.group(1)]), route)


# Screens reached with a query string (the merge screen needs its two records).
def _extra_urls(ws) -> list[str]:
    pair = DuplicateCandidate.objects.filter(workspace=ws).order_by("pk")[0]
    first_dashboard = Dashboard.objects.filter(workspace=ws, kind="sales").get().pk
    return [
        f"/quality/duplicates/merge/?type=person&survivor={pair.left_id}&loser={pair.right_id}",
        "/quality/rules/?object=deal",
        "/quality/duplicates/?status=merged",
        "/events/?name=appointment_booked",
        "/customer-value/?risk=high",
        "/insights/kpis/new_revenue/?period=this_year&group_by=owner",
        "/insights/kpis/new_people/?period=this_year&grain=quarter&group_by=lifecycle_stage",
        "/insights/?period=custom&from=2026-03-31&to=2026-03-01",
        "/insights/reports/pipeline-funnel/?period=this_year",
        "/insights/reports/sales-forecast/",
        f"/settings/spend/?edit={Spend.objects.filter(workspace=ws).values('pk')[0]['pk']}",
        "/insights/reports/win-loss/?period=custom&from=2026-03-31&to=2026-03-01",
        f"/insights/dashboards/{first_dashboard}/?edit=1",
        "/insights/reports/cohort-retention/?basis=lifecycle&measure=revenue",
        "/insights/reports/cohort-retention/?from=2026-13",
        "/strategy/gaps/?status=closing",
        "/strategy/gaps/new/",
        "/insights/reports/activity-per-rep/?period=this_year",
        "/strategy/plan/versions/?from=1",
        "/strategy/plan/calculator/?currency=BRL",
        "/strategy/plan/strategies/new/?parent=1",
        "/insights/adoption/?period=this_year&grain=month&kpi=record_completeness",
        "/insights/adoption/?grain=century",
    ]


def test_no_pt_br_screen_shows_an_english_message_or_a_raw_enum_value(ana, bruno):
    made = _fill(ana, bruno)
    ids = _ids(ana, bruno, made)
    client = ana.web(language="pt-br")
    whole, fragments = english_messages()
    raw = raw_enum_values()
    assert {"too_fast", "appointment_booked"} <= raw
    problems: dict[str, list[str]] = {}
    seen = 0
    urls = [_url(r, ids, ana.workspace) for r in screens()]
    for url in urls + _extra_urls(ana.workspace):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="pt-br")
        assert response.status_code < 500, url
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        seen += 1
        found = untranslated(visible_text(response.content.decode()), whole, fragments, raw)
        if found:
            problems[url] = sorted(set(found))
    assert seen > 60
    assert not problems, "\n".join(f"{u}: {t}" for u, t in problems.items())
