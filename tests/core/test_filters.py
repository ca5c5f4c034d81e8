"""The filter language: every operator family, relations, custom fields, errors and isolation.

Rows are created with the ORM (``workspace=`` on each) so the tests depend on nothing but the
models. The clock is fixed (``NOW`` = 2026-03-10 09:00 in São Paulo) for the relative date
operators.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from vinculo.activities.models import Activity
from vinculo.contacts.models import (
    Affiliation,
    Channel,
    Company,
    CustomFieldDefinition,
    LifecycleStage,
    Person,
    Tag,
)
from vinculo.core import filters
from vinculo.core.errors import ServiceError
from vinculo.core.filters import BadFilter, apply_filter, describe, parse_filter_param
from vinculo.sales.models import Deal, Pipeline, Stage

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # 09:00 in São Paulo


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def _basics(persona) -> dict:
    """Stages, tags, person custom fields and Érica, the same in every workspace."""
    ws = persona.workspace
    # Two stages only (a workspace starts with the seven defaults, lead and customer among them).
    stages = LifecycleStage.objects.filter(workspace=ws)
    stages.exclude(key__in=["lead", "customer"]).delete()
    lead, _ = stages.update_or_create(
        key="lead", defaults={"name": "Lead", "phase": "awareness", "position": 0}
    )
    customer, _ = stages.update_or_create(
        key="customer", defaults={"name": "Cliente", "phase": "growth", "position": 1}
    )
    vip = Tag.objects.create(workspace=ws, name="VIP")
    atacado = Tag.objects.create(workspace=ws, name="Atacado")
    defs = [
        ("segment", "choice", [{"value": "varejo", "label": "Varejo"}, "atacado"]),
        ("interests", "multi_choice", ["pães", "doces", "café"]),
        ("score", "number", []),
        ("contract", "money", []),
        ("renewal", "date", []),
        ("last_visit", "datetime", []),
        ("newsletter", "boolean", []),
        ("nickname", "text", []),
    ]
    for position, (key, kind, choices) in enumerate(defs):
        CustomFieldDefinition.objects.create(
            workspace=ws,
            object_type="person",
            key=key,
            label=key.title(),
            field_type=kind,
            choices=choices,
            position=position,
        )
    erica = Person.objects.create(
        workspace=ws,
        first_name="Érica",
        last_name="Souza",
        email="erica@aurora.com.br",
        owner=persona.user,
        lifecycle_stage=customer,
        birth_date=date(1990, 5, 10),
        preferred_channel=Channel.WHATSAPP,
        # 23:30 on 1 March in São Paulo is already 2 March in UTC
        last_activity_at=datetime(2026, 3, 2, 2, 30, tzinfo=UTC),
        custom_fields={
            "segment": "varejo",
            "interests": ["pães", "café"],
            "score": "10.5",
            "contract": "1234.50",
            "renewal": "2026-03-01",
            "last_visit": "2026-03-01T23:30:00-03:00",
            "newsletter": True,
            "nickname": "Eri",
        },
    )
    erica.tags.add(vip)
    return {"lead": lead, "customer": customer, "vip": vip, "atacado": atacado, "erica": erica}


@pytest.fixture
def crm(ana, bruno, carla):
    """Ana's workspace with three people, companies, deals and activities; Carla's with a twin
    of Érica (same name, email, tags, custom values…) and a custom field of her own."""
    theirs = _basics(carla)
    CustomFieldDefinition.objects.create(
        workspace=carla.workspace,
        object_type="person",
        key="frota",
        label="Frota",
        field_type="number",
    )
    ws = ana.workspace
    basics = _basics(ana)
    erica = basics["erica"]
    marcos = Person.objects.create(
        workspace=ws,
        first_name="Marcos",
        last_name="Lima",
        email="MARCOS@gmail.com",
        phone="+5511987654321",
        owner=bruno.user,
        lifecycle_stage=basics["lead"],
        birth_date=date(1985, 12, 31),
        preferred_channel=Channel.EMAIL,
        last_activity_at=ago(2),
        custom_fields={
            "segment": "atacado",
            "interests": ["doces"],
            "score": "2",
            "contract": "99999.99",
            "renewal": "2026-04-15",
            "last_visit": "2026-03-09T10:00:00+00:00",
            "newsletter": False,
            "nickname": "",
        },
    )
    marcos.tags.add(basics["vip"], basics["atacado"])
    joana = Person.objects.create(workspace=ws, first_name="Joana", last_name="Prado")
    padaria = Company.objects.create(
        workspace=ws, name="Padaria Estrela", employees=12, annual_revenue=Decimal("800000")
    )
    antiga = Company.objects.create(workspace=ws, name="Antiga Ltda", deleted_at=ago(1))
    Affiliation.objects.create(workspace=ws, person=erica, company=padaria)
    Affiliation.objects.create(workspace=ws, person=joana, company=antiga)

    pipeline = Pipeline.objects.create(workspace=ws, name="Vendas")
    novo = Stage.objects.create(workspace=ws, pipeline=pipeline, name="Novo")
    ganho = Stage.objects.create(workspace=ws, pipeline=pipeline, name="Ganho", kind="won")

    def deal(title, person, amount, status="open", **extra):
        return Deal.objects.create(
            workspace=ws,
            title=title,
            pipeline=pipeline,
            stage=ganho if status == "won" else novo,
            status=status,
            amount=Decimal(amount),
            person=person,
            **extra,
        )

    deals = {
        "big": deal("Festa junina", erica, "15000", company=padaria, owner=ana.user),
        "big2": deal("Natal", erica, "12000"),
        "small": deal("Café da manhã", marcos, "5000", owner=bruno.user),
        "won": deal("Casamento", marcos, "20000", status="won", closed_at=ago(3)),
        "binned": deal("Formatura", joana, "50000", deleted_at=ago(1)),
    }

    def act(kind, person, when, **extra):
        return Activity.objects.create(
            workspace=ws, kind=kind, person=person, occurred_at=when, **extra
        )

    for days in (1, 5, 29):
        act("call", erica, ago(days), subject="Ligação")
    act("call", erica, ago(40), subject="Antiga")
    act("call", marcos, ago(2), deal=deals["small"])
    act("call", marcos, ago(3), deal=deals["small"])
    act("call", marcos, ago(4), deleted_at=ago(1))
    act("meeting", joana, ago(10))
    return {
        "erica": erica,
        "marcos": marcos,
        "joana": joana,
        "padaria": padaria,
        "antiga": antiga,
        "ganho": ganho,
        "deals": deals,
        "carla_erica": theirs["erica"],
    }


def people(persona, tree, queryset=None):
    qs = queryset if queryset is not None else Person.objects.all()
    found = apply_filter(qs, "person", tree, actor=persona.actor, now=NOW)
    return sorted(p.first_name for p in found)


def cond(field, op, value=None):
    node = {"field": field, "op": op}
    if value is not None:
        node["value"] = value
    return node


def bad(persona, tree, object_type="person") -> list[dict]:
    with pytest.raises(BadFilter) as caught:
        apply_filter(
            filters.filter_object(object_type).model.objects.all(),
            object_type,
            tree,
            actor=persona.actor,
            now=NOW,
        )
    error = caught.value
    assert isinstance(error, ServiceError)
    assert (error.status, error.title, error.type_slug) == (400, "Invalid filter", "invalid-filter")
    return [e.as_dict() for e in error.errors]


# --- the basics --------------------------------------------------------------------------------


def test_no_filter_is_every_row_of_the_workspace_only(ana, crm):
    assert people(ana, None) == ["Joana", "Marcos", "Érica"]
    assert people(ana, {}) == ["Joana", "Marcos", "Érica"]


def test_a_filter_never_returns_another_workspaces_rows(ana, carla, crm):
    tree = {"and": [cond("email", "eq", "erica@aurora.com.br"), cond("tags", "has_any", ["VIP"])]}
    found = apply_filter(Person.objects.all(), "person", tree, actor=ana.actor, now=NOW)
    assert list(found) == [crm["erica"]]
    found = apply_filter(Person.objects.all(), "person", tree, actor=carla.actor, now=NOW)
    assert list(found) == [crm["carla_erica"]]


# --- text --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("eq", "ERICA@aurora.com.br", ["Érica"]),
        ("eq", "marcos@gmail.com", ["Marcos"]),
        ("neq", "erica@aurora.com.br", ["Joana", "Marcos"]),
        ("contains", "AURORA", ["Érica"]),
        ("not_contains", "aurora", ["Joana", "Marcos"]),
        ("starts_with", "mar", ["Marcos"]),
        ("ends_with", ".com.br", ["Érica"]),
        ("in", ["x@y.com", "Marcos@Gmail.com"], ["Marcos"]),
        ("not_in", ["marcos@gmail.com"], ["Joana", "Érica"]),
        ("is_empty", None, ["Joana"]),
        ("is_not_empty", None, ["Marcos", "Érica"]),
    ],
)
def test_text_operators_ignore_case(ana, crm, op, value, expected):
    assert people(ana, cond("email", op, value)) == expected


def test_text_matching_folds_accented_letters_on_every_database(ana, crm):
    assert people(ana, cond("first_name", "eq", "ÉRICA")) == ["Érica"]
    assert people(ana, cond("first_name", "starts_with", "éri")) == ["Érica"]
    assert people(ana, cond("first_name", "contains", "RIC")) == ["Érica"]


def test_like_wildcards_in_values_are_literal(ana, crm):
    assert people(ana, cond("email", "contains", "%")) == []
    assert people(ana, cond("email", "contains", "_")) == []


# --- numbers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("eq", "10.50", ["Érica"]),
        ("eq", 2, ["Marcos"]),
        ("neq", "2", ["Joana", "Érica"]),
        ("gt", "2", ["Érica"]),
        ("gte", "2", ["Marcos", "Érica"]),
        ("lt", "10.5", ["Marcos"]),
        ("lte", 10.5, ["Marcos", "Érica"]),
        ("gt", "9", ["Érica"]),  # numeric, not text order ("10.5" < "9" as text)
        ("between", ["1", "3"], ["Marcos"]),
        ("between", ["2", "10,5"], ["Marcos", "Érica"]),
        ("is_empty", None, ["Joana"]),
        ("is_not_empty", None, ["Marcos", "Érica"]),
    ],
)
def test_number_custom_field_compares_as_numbers(ana, crm, op, value, expected):
    assert people(ana, cond("custom_fields.score", op, value)) == expected


def test_money_custom_field(ana, crm):
    assert people(ana, cond("custom_fields.contract", "gt", "1234.5")) == ["Marcos"]
    assert people(ana, cond("custom_fields.contract", "eq", "1234.50")) == ["Érica"]


def test_standard_number_fields(ana, crm):
    companies = Company.objects.filter(deleted_at__isnull=True)

    def names(tree):
        found = apply_filter(companies, "company", tree, actor=ana.actor, now=NOW)
        return sorted(c.name for c in found)

    assert names(cond("employees", "gt", "11.5")) == ["Padaria Estrela"]
    assert names(cond("employees", "lt", "12.5")) == ["Padaria Estrela"]  # not truncated to 12
    assert names(cond("employees", "eq", "12.5")) == []
    assert names(cond("annual_revenue", "between", [500000, 900000])) == ["Padaria Estrela"]

    def deals(tree):
        found = apply_filter(Deal.objects.all(), "deal", tree, actor=ana.actor, now=NOW)
        return sorted(d.title for d in found)

    assert deals(cond("amount", "gte", "15000")) == ["Casamento", "Festa junina", "Formatura"]
    assert deals(cond("amount", "lt", "5000.01")) == ["Café da manhã"]


# --- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("eq", "1990-05-10", ["Érica"]),
        ("before", "1990-05-10", ["Marcos"]),
        ("after", "1985-12-31", ["Érica"]),
        ("on_or_before", "1990-05-10", ["Marcos", "Érica"]),
        ("on_or_after", "1990-05-10", ["Érica"]),
        ("between", ["1985-12-31", "1990-05-09"], ["Marcos"]),
        ("is_empty", None, ["Joana"]),
        ("is_not_empty", None, ["Marcos", "Érica"]),
        ("more_than_days_ago", 365, ["Marcos", "Érica"]),
        ("in_last_days", 365, []),
    ],
)
def test_date_field(ana, crm, op, value, expected):
    assert people(ana, cond("birth_date", op, value)) == expected


def test_datetimes_compare_days_in_the_workspace_time_zone(ana, crm):
    # Érica's last activity: 2026-03-01 23:30 in São Paulo (02:30 on the 2nd in UTC).
    assert people(ana, cond("last_activity_at", "eq", "2026-03-01")) == ["Érica"]
    assert people(ana, cond("last_activity_at", "eq", "2026-03-02")) == []
    assert people(ana, cond("last_activity_at", "on_or_before", "2026-03-01")) == ["Érica"]
    assert people(ana, cond("last_activity_at", "after", "2026-03-01")) == ["Marcos"]
    assert people(ana, cond("custom_fields.last_visit", "eq", "2026-03-01")) == ["Érica"]
    assert people(ana, cond("custom_fields.last_visit", "before", "2026-03-02")) == ["Érica"]
    assert people(ana, cond("custom_fields.last_visit", "eq", "2026-03-09")) == ["Marcos"]
    ana.actor.workspace.timezone = "UTC"
    assert people(ana, cond("last_activity_at", "eq", "2026-03-02")) == ["Érica"]
    assert people(ana, cond("custom_fields.last_visit", "eq", "2026-03-02")) == ["Érica"]


def test_relative_dates_count_calendar_days_up_to_today(ana, crm):
    # NOW is 10 March; Érica's last activity was 1 March (9 days ago), Marcos's 8 March.
    assert people(ana, cond("last_activity_at", "in_last_days", 2)) == ["Marcos"]
    assert people(ana, cond("last_activity_at", "in_last_days", "9")) == ["Marcos", "Érica"]
    assert people(ana, cond("last_activity_at", "more_than_days_ago", 8)) == ["Érica"]
    assert people(ana, cond("last_activity_at", "more_than_days_ago", 9)) == []
    assert people(ana, cond("custom_fields.renewal", "in_next_days", 36)) == ["Marcos"]
    assert people(ana, cond("custom_fields.renewal", "in_next_days", 35)) == []
    assert people(ana, cond("custom_fields.renewal", "more_than_days_ago", 8)) == ["Érica"]
    assert people(ana, cond("custom_fields.renewal", "between", ["2026-03-01", "2026-04-15"])) == [
        "Marcos",
        "Érica",
    ]
    assert people(ana, cond("custom_fields.renewal", "is_empty")) == ["Joana"]


# --- booleans, choices, multi-choice, tags -------------------------------------------------------


def test_boolean_custom_field_and_its_complement(ana, crm):
    assert people(ana, cond("custom_fields.newsletter", "is_true")) == ["Érica"]
    assert people(ana, cond("custom_fields.newsletter", "is_false")) == ["Marcos"]
    assert people(ana, cond("custom_fields.newsletter", "is_empty")) == ["Joana"]
    # "not" is the exact complement, people without a value included
    assert people(ana, {"not": cond("custom_fields.newsletter", "is_true")}) == ["Joana", "Marcos"]


@pytest.mark.parametrize(
    ("field", "op", "value", "expected"),
    [
        ("preferred_channel", "eq", "WhatsApp", ["Érica"]),
        ("preferred_channel", "neq", "whatsapp", ["Joana", "Marcos"]),
        ("preferred_channel", "in", ["email", "sms"], ["Marcos"]),
        ("preferred_channel", "is_empty", None, ["Joana"]),
        ("custom_fields.segment", "eq", "Varejo", ["Érica"]),
        ("custom_fields.segment", "not_in", ["varejo"], ["Joana", "Marcos"]),
        ("custom_fields.segment", "is_not_empty", None, ["Marcos", "Érica"]),
        ("lifecycle_stage", "eq", "customer", ["Érica"]),
        ("lifecycle_stage", "neq", "customer", ["Joana", "Marcos"]),
        ("lifecycle_stage", "in", ["lead", "customer"], ["Marcos", "Érica"]),
        ("lifecycle_stage", "is_empty", None, ["Joana"]),
    ],
)
def test_choice_fields(ana, crm, field, op, value, expected):
    assert people(ana, cond(field, op, value)) == expected


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("has_any", ["pães", "doces"], ["Marcos", "Érica"]),
        ("has_any", ["café"], ["Érica"]),
        ("has_all", ["pães", "café"], ["Érica"]),
        ("has_all", ["pães", "doces"], []),
        ("has_none", ["pães"], ["Joana", "Marcos"]),
        ("is_empty", None, ["Joana"]),
        ("is_not_empty", None, ["Marcos", "Érica"]),
    ],
)
def test_multi_choice_custom_field(ana, crm, op, value, expected):
    assert people(ana, cond("custom_fields.interests", op, value)) == expected


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("has_any", ["vip"], ["Marcos", "Érica"]),
        ("has_any", ["ATACADO", "nenhuma"], ["Marcos"]),
        ("has_all", ["VIP", "atacado"], ["Marcos"]),
        ("has_none", ["atacado"], ["Joana", "Érica"]),
        ("is_empty", None, ["Joana"]),
        ("is_not_empty", None, ["Marcos", "Érica"]),
    ],
)
def test_tags_by_name_ignoring_case(ana, crm, op, value, expected):
    assert people(ana, cond("tags", op, value)) == expected


def test_owner_by_id_or_me(ana, bruno, crm):
    assert people(ana, cond("owner", "eq", "me")) == ["Érica"]
    assert people(bruno, cond("owner", "eq", "me")) == ["Marcos"]
    assert people(ana, cond("owner", "in", [bruno.user.pk, "me"])) == ["Marcos", "Érica"]
    assert people(ana, cond("owner", "neq", "me")) == ["Joana", "Marcos"]
    assert people(ana, cond("owner", "is_empty")) == ["Joana"]


def test_me_needs_a_user(ana, crm):
    from vinculo.core.actor import Actor

    system = Actor.system(ana.workspace)
    with pytest.raises(BadFilter) as caught:
        apply_filter(Person.objects.all(), "person", cond("owner", "eq", "me"), actor=system)
    assert caught.value.errors[0].field == "filter.value"


def test_company_of_a_person_by_id_or_name(ana, crm):
    assert people(ana, cond("company", "eq", crm["padaria"].pk)) == ["Érica"]
    assert people(ana, cond("company", "eq", "padaria ESTRELA")) == ["Érica"]
    assert people(ana, cond("company", "in", ["Outra", crm["padaria"].pk])) == ["Érica"]
    assert people(ana, cond("company", "neq", "Padaria Estrela")) == ["Joana", "Marcos"]
    # Joana's only company is in the bin: she counts as having none
    assert people(ana, cond("company", "eq", "Antiga Ltda")) == []
    assert people(ana, cond("company", "is_empty")) == ["Joana", "Marcos"]


# --- relations ---------------------------------------------------------------------------------


def test_people_with_an_open_deal_over_ten_thousand(ana, crm):
    tree = cond(
        "deals",
        "exists",
        {"and": [cond("status", "eq", "open"), cond("amount", "gt", "10000")]},
    )
    # Érica has two such deals and is listed once; Joana's 50,000 deal is in the bin.
    found = apply_filter(Person.objects.all(), "person", tree, actor=ana.actor)
    assert [p.first_name for p in found] == ["Érica"]
    assert found.count() == 1
    won = {"field": "status", "op": "eq", "value": "won"}
    assert people(ana, cond("deals", "not_exists", won)) == ["Joana", "Érica"]
    assert people(ana, cond("deals", "exists")) == ["Marcos", "Érica"]
    assert people(ana, cond("deals", "not_exists")) == ["Joana"]


def test_people_with_at_least_three_calls_in_the_last_30_days(ana, crm):
    calls = {"and": [cond("kind", "eq", "call"), cond("occurred_at", "in_last_days", 30)]}
    assert people(ana, cond("activities", "count_gte", {"count": 3, "where": calls})) == ["Érica"]
    # Marcos has two live recent calls (the third is in the bin)
    assert people(ana, cond("activities", "count_gte", {"count": 2, "where": calls})) == [
        "Marcos",
        "Érica",
    ]
    assert people(ana, cond("activities", "count_lte", {"count": 2, "where": calls})) == [
        "Joana",
        "Marcos",
    ]
    assert people(ana, cond("activities", "count_lte", {"count": 0})) == []
    assert people(ana, cond("activities", "count_gte", {"count": 4})) == ["Érica"]


def test_deals_filtered_by_their_person_company_and_activities(ana, crm):
    def deals(tree):
        found = apply_filter(Deal.objects.all(), "deal", tree, actor=ana.actor, now=NOW)
        return sorted(d.title for d in found)

    assert deals(cond("person", "exists", cond("tags", "has_all", ["vip", "atacado"]))) == [
        "Café da manhã",
        "Casamento",
    ]
    assert deals(cond("company", "exists", cond("name", "contains", "estrela"))) == ["Festa junina"]
    assert deals(cond("activities", "count_gte", {"count": 2})) == ["Café da manhã"]
    assert deals(cond("stage", "eq", crm["ganho"].pk)) == ["Casamento"]
    assert deals(cond("closed_at", "in_last_days", 7)) == ["Casamento"]
    nested = cond("person", "exists", cond("activities", "count_gte", {"count": 4}))
    assert deals(nested) == ["Festa junina", "Natal"]


def test_companies_filtered_by_their_people(ana, crm):
    found = apply_filter(
        Company.objects.all(),
        "company",
        cond("people", "exists", cond("custom_fields.segment", "eq", "varejo")),
        actor=ana.actor,
    )
    assert [c.name for c in found] == ["Padaria Estrela"]


def test_activities_filter(ana, crm):
    found = apply_filter(
        Activity.objects.filter(deleted_at__isnull=True),
        "activity",
        {
            "and": [
                cond("kind", "eq", "call"),
                cond("person", "exists", cond("first_name", "eq", "érica")),
            ]
        },
        actor=ana.actor,
        now=NOW,
    )
    assert found.count() == 4


# --- groups ------------------------------------------------------------------------------------


def test_and_or_not(ana, crm):
    tree = {
        "or": [
            {"and": [cond("tags", "has_any", ["vip"]), cond("owner", "eq", "me")]},
            {"not": cond("email", "is_not_empty")},
        ]
    }
    assert people(ana, tree) == ["Joana", "Érica"]
    assert people(ana, {"not": tree}) == ["Marcos"]
    assert people(ana, {"and": []}) == ["Joana", "Marcos", "Érica"]
    assert people(ana, {"or": []}) == []
    assert people(ana, {"not": {"or": []}}) == ["Joana", "Marcos", "Érica"]
    assert people(ana, {"or": [{"and": []}, cond("email", "eq", "nobody@x.com")]}) == [
        "Joana",
        "Marcos",
        "Érica",
    ]


@pytest.mark.parametrize(
    "node",
    [
        cond("custom_fields.score", "gt", "5"),
        cond("custom_fields.nickname", "contains", "e"),
        cond("custom_fields.renewal", "before", "2026-04-01"),
        cond("lifecycle_stage", "eq", "lead"),
        cond("birth_date", "after", "1980-01-01"),
        cond("company", "eq", "padaria estrela"),
    ],
)
def test_not_is_the_exact_complement_even_for_empty_values(ana, crm, node):
    everyone = set(people(ana, None))
    matched = set(people(ana, node))
    assert set(people(ana, {"not": node})) == everyone - matched


# --- errors ------------------------------------------------------------------------------------


def test_unknown_operator_names_the_path_and_the_allowed_operators(ana, crm):
    tree = {"and": [cond("email", "eq", "x"), {"or": [cond("email", "gt", "x")]}]}
    errors = bad(ana, tree)
    assert errors == [
        {
            "field": "filter.and.1.or.0.op",
            "message": "Unknown operator 'gt' for email field 'email'; use one of: eq, neq, "
            "contains, not_contains, starts_with, ends_with, in, not_in, is_empty, is_not_empty.",
            "code": "unknown_operator",
        }
    ]


def test_every_problem_is_reported_at_once(ana, crm):
    tree = {
        "and": [
            cond("nope", "eq", "x"),
            cond("custom_fields.score", "gt", "abc"),
            cond("email", "eq", ["a", "b"]),
            cond("birth_date", "after", "2026-02-30"),
            cond("custom_fields.frota", "gt", "1"),  # Carla's field, not Ana's
            cond("tags", "has_any", "vip"),
            cond("deals", "exists", cond("amount", "contains", "1")),
            cond("activities", "count_gte", {"count": -1}),
            cond("custom_fields.segment", "eq", "industria"),
            cond("lifecycle_stage", "eq", "ghost"),
            {"field": "email", "op": "eq", "value": "x", "extra": 1},
            {"every": []},
            "email = x",
        ]
    }
    errors = {e["field"]: e for e in bad(ana, tree)}
    assert set(errors) == {
        "filter.and.0.field",
        "filter.and.1.value",
        "filter.and.2.value",
        "filter.and.3.value",
        "filter.and.4.field",
        "filter.and.5.value",
        "filter.and.6.value.op",
        "filter.and.7.value.count",
        "filter.and.8.value",
        "filter.and.9.value",
        "filter.and.10.extra",
        "filter.and.11.every",
        "filter.and.12",
    }
    assert errors["filter.and.0.field"]["code"] == "unknown_field"
    assert "use one of: first_name" in errors["filter.and.0.field"]["message"]
    assert errors["filter.and.1.value"]["message"] == "'abc' is not a number."
    assert errors["filter.and.2.value"]["message"] == "Send a single value, not a list."
    assert errors["filter.and.3.value"]["code"] == "invalid_date"
    assert "frota" in errors["filter.and.4.field"]["message"]
    assert "segment" in errors["filter.and.4.field"]["message"]
    assert "varejo, atacado" in errors["filter.and.8.value"]["message"]
    assert "lead, customer" in errors["filter.and.9.value"]["message"]


def test_too_deep_and_too_many_conditions(ana, crm):
    node: dict = cond("email", "is_empty")
    for _ in range(8):
        node = {"not": node}
    errors = bad(ana, node)
    assert [e["code"] for e in errors] == ["too_deep"]
    assert errors[0]["field"] == "filter" + ".not" * 8

    seven_deep: dict = cond("email", "is_empty")
    for _ in range(7):
        seven_deep = {"not": seven_deep}
    assert people(ana, seven_deep) == ["Marcos", "Érica"]  # 7 nots around is_empty

    many = {"or": [cond("email", "eq", f"p{i}@x.com") for i in range(101)]}
    assert [e["code"] for e in bad(ana, many)] == ["too_many_conditions"]
    assert people(ana, {"or": many["or"][:100]}) == []


def test_relations_count_towards_depth(ana, crm):
    node: dict = cond("email", "is_empty")
    for _ in range(4):
        node = cond("deals", "exists", cond("person", "exists", node))
    # 1 + 8 relation levels: the innermost condition is at level 9
    assert [e["code"] for e in bad(ana, node)] == ["too_deep"]


def test_unknown_object_type_is_a_programming_error(ana):
    with pytest.raises(ValueError, match="unknown filter object"):
        apply_filter(Person.objects.all(), "ticket", None, actor=ana.actor)
    with pytest.raises(ValueError, match="cannot apply"):
        apply_filter(Company.objects.all(), "person", None, actor=ana.actor)


def test_parse_filter_param():
    assert parse_filter_param(None) is None
    assert parse_filter_param("  ") is None
    assert parse_filter_param("{}") is None
    tree = {"field": "email", "op": "is_empty"}
    assert parse_filter_param(json.dumps(tree)) == tree
    for raw in ("{not json", "[1, 2]", '"text"'):
        with pytest.raises(BadFilter) as caught:
            parse_filter_param(raw)
        assert [e.field for e in caught.value.errors] == ["filter"]


# --- describe and the endpoint -------------------------------------------------------------------


def test_describe_lists_fields_operators_and_the_workspaces_choices(ana, crm):
    fields = {f["field"]: f for f in describe("person", actor=ana.actor)}
    assert fields["email"]["operators"] == list(filters.OPERATORS["email"])
    assert fields["lifecycle_stage"]["choices"] == [
        {"value": "lead", "label": "Lead"},
        {"value": "customer", "label": "Cliente"},
    ]
    assert fields["custom_fields.segment"]["custom"] is True
    assert fields["custom_fields.segment"]["choices"] == [
        {"value": "varejo", "label": "Varejo"},
        {"value": "atacado", "label": "atacado"},
    ]
    assert fields["deals"] == {
        "field": "deals",
        "label": "Deals",
        "type": "relation",
        "operators": ["exists", "not_exists", "count_gte", "count_lte"],
        "custom": False,
        "choices": None,
        "object_type": "deal",
    }
    assert fields["owner"]["choices"][0]["value"] == "me"
    assert "custom_fields.frota" not in fields


def test_archived_custom_fields_are_not_offered_but_still_filter(ana, crm):
    CustomFieldDefinition.objects.filter(workspace=ana.workspace, key="nickname").update(
        archived_at=NOW
    )
    fields = {f["field"] for f in describe("person", actor=ana.actor)}
    assert "custom_fields.nickname" not in fields
    assert people(ana, cond("custom_fields.nickname", "eq", "eri")) == ["Érica"]


def test_filters_endpoint_shows_the_callers_custom_fields_only(
    ana, carla, crm, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = ana.client().get("/api/v1/filters/person")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["object_type"] == "person"
    assert (body["max_depth"], body["max_conditions"]) == (8, 100)
    names = [f["field"] for f in body["fields"]]
    assert "custom_fields.segment" in names
    assert "custom_fields.frota" not in names
    members = {
        c["value"] for c in next(f for f in body["fields"] if f["field"] == "owner")["choices"]
    }
    assert carla.user.pk not in members

    theirs = {f["field"]: f for f in carla.client().get("/api/v1/filters/person").json()["fields"]}
    assert "custom_fields.frota" in theirs
    assert {c["value"] for c in theirs["owner"]["choices"]} == {"me", carla.user.pk}
    assert [c["value"] for c in theirs["lifecycle_stage"]["choices"]] == ["lead", "customer"]


def test_filters_endpoint_for_each_object_and_unknown_ones(ana, crm):
    for object_type in ("person", "company", "deal", "activity"):
        assert ana.client().get(f"/api/v1/filters/{object_type}").status_code == 200
    stage = next(
        f
        for f in ana.client().get("/api/v1/filters/deal").json()["fields"]
        if f["field"] == "stage"
    )
    assert {"value": crm["ganho"].pk, "label": "Vendas: Ganho"} in stage["choices"]
    response = ana.client().get("/api/v1/filters/ticket")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_json_null_values_count_as_empty_on_every_database(ana, crm):
    Person.objects.create(
        workspace=ana.workspace,
        first_name="Nulo",
        custom_fields={"nickname": None, "score": None, "renewal": None, "interests": None},
    )
    assert people(ana, cond("custom_fields.nickname", "contains", "u")) == []
    assert people(ana, cond("custom_fields.nickname", "is_empty")) == ["Joana", "Marcos", "Nulo"]
    assert people(ana, cond("custom_fields.score", "is_empty")) == ["Joana", "Nulo"]
    assert people(ana, cond("custom_fields.renewal", "is_empty")) == ["Joana", "Nulo"]
    assert people(ana, cond("custom_fields.interests", "is_empty")) == ["Joana", "Nulo"]
    assert people(ana, {"not": cond("custom_fields.score", "lt", "100")}) == ["Joana", "Nulo"]


def test_value_shapes_are_checked(ana, crm):
    errors = bad(
        ana,
        {
            "and": [
                cond("email", "is_empty", "x"),
                cond("last_activity_at", "after", "2026-03-01T10:00:00-03:00"),
                cond("custom_fields.score", "between", ["5", "1"]),
                cond("last_activity_at", "in_last_days", -1),
                {"field": "email", "op": "eq"},
                cond("tags", "has_any", []),
            ]
        },
    )
    assert [(e["field"], e["code"]) for e in errors] == [
        ("filter.and.0.value", "invalid_value"),
        ("filter.and.1.value", "invalid_date"),
        ("filter.and.2.value", "invalid_range"),
        ("filter.and.3.value", "invalid_number"),
        ("filter.and.4.value", "required"),
        ("filter.and.5.value", "required"),
    ]


def test_the_endpoint_is_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/filters/{object_type}" in schema["paths"]


def test_all_and_any_are_aliases_of_and_and_or(ana):
    from vinculo.contacts.models import Person
    from vinculo.core.filters import apply_filter

    Person.objects.create(workspace=ana.workspace, first_name="Alias", last_name="Um")
    Person.objects.create(workspace=ana.workspace, first_name="Outro", last_name="Dois")
    tree = {
        "all": [
            {
                "any": [
                    {"field": "first_name", "op": "eq", "value": "Alias"},
                    {"field": "last_name", "op": "eq", "value": "Nada"},
                ]
            }
        ]
    }
    found = apply_filter(Person.objects.all(), "person", tree, actor=ana.actor)
    assert [p.first_name for p in found] == ["Alias"]
