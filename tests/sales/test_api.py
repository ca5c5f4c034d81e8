"""The sales API: shapes, permissions, isolation between workspaces, validation, query counts."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import quote

from django.utils import timezone

from tests.api import fields_of, problem, send
from vinculo.sales import services
from vinculo.sales.models import Deal, Pipeline, Product, Stage, StageChange


def _deal(ana, **data):
    return services.create_deal(actor=ana.actor, data={"title": "Pão de queijo", **data})


# --- pipelines and stages ---------------------------------------------------------------------


def test_pipeline_and_stage_endpoints(ana, vendas):
    client = ana.client()
    listed = client.get("/api/v1/pipelines").json()
    assert [p["name"] for p in listed] == ["Vendas"]
    assert [s["name"] for s in listed[0]["stages"]][:2] == ["Qualificação", "Reunião"]

    response = send(
        client,
        "post",
        "/api/v1/pipelines",
        {
            "name": "Parcerias",
            "stages": [
                {"name": "Contato", "probability": 20, "rotting_days": 10},
                {"name": "Assinado", "kind": "won"},
                {"name": "Desistiu", "kind": "lost"},
            ],
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert [(s["name"], s["probability"]) for s in created["stages"]] == [
        ("Contato", 20),
        ("Assinado", 100),
        ("Desistiu", 0),
    ]
    pid = created["id"]
    stage = send(client, "post", f"/api/v1/pipelines/{pid}/stages", {"name": "Reunião"})
    assert stage.status_code == 201 and stage.json()["position"] == 1
    ids = [s["id"] for s in client.get(f"/api/v1/pipelines/{pid}").json()["stages"]]
    order = send(client, "put", f"/api/v1/pipelines/{pid}/stage-order", {"stage_ids": ids[::-1]})
    assert [s["id"] for s in order.json()["stages"]] == ids[::-1]
    bad = send(client, "put", f"/api/v1/pipelines/{pid}/stage-order", {"stage_ids": ids[:2]})
    assert fields_of(problem(bad, 422)) == {"stage_ids"}

    patched = send(client, "patch", f"/api/v1/stages/{ids[0]}", {"probability": 30})
    assert patched.json()["probability"] == 30
    bad = send(client, "patch", f"/api/v1/stages/{ids[0]}", {"probability": 101})
    assert fields_of(problem(bad, 422)) == {"probability"}
    assert client.delete(f"/api/v1/stages/{stage.json()['id']}").status_code == 204

    renamed = send(client, "patch", f"/api/v1/pipelines/{pid}", {"name": "Parceiros"})
    assert renamed.json()["name"] == "Parceiros"
    taken = send(client, "patch", f"/api/v1/pipelines/{pid}", {"name": "vendas"})
    assert fields_of(problem(taken, 422)) == {"name"}
    archived = send(client, "patch", f"/api/v1/pipelines/{pid}", {"archived": True})
    assert archived.json()["archived_at"] is not None
    assert [p["name"] for p in client.get("/api/v1/pipelines").json()] == ["Vendas"]
    assert len(client.get("/api/v1/pipelines?archived=true").json()) == 2
    assert client.delete(f"/api/v1/pipelines/{pid}").status_code == 204
    assert not Pipeline.objects.filter(pk=pid).exists()


def test_deleting_a_stage_with_deals_is_refused_unless_they_move(ana, vendas):
    deal = _deal(ana, stage_id=vendas["Reunião"].pk)
    client = ana.client()
    body = problem(client.delete(f"/api/v1/stages/{vendas['Reunião'].pk}"), 409)
    assert fields_of(body) == {"move_deals_to"}
    response = client.delete(
        f"/api/v1/stages/{vendas['Reunião'].pk}?move_deals_to={vendas['Proposta'].pk}"
    )
    assert response.status_code == 204
    deal.refresh_from_db()
    assert deal.stage_id == vendas["Proposta"].pk


def test_a_pipeline_with_deals_cannot_be_deleted(ana, vendas):
    _deal(ana)
    problem(ana.client().delete(f"/api/v1/pipelines/{vendas.pipeline.pk}"), 409)
    assert Pipeline.objects.filter(pk=vendas.pipeline.pk).exists()


# --- deals ------------------------------------------------------------------------------------


def test_deal_lifecycle_over_the_api(ana, bruno, vendas, maria):
    client = bruno.client()
    response = send(
        client,
        "post",
        "/api/v1/deals",
        {
            "title": "Coffee break do congresso",
            "person_id": maria.pk,
            "expected_close_date": "2026-12-10",
            "tags": ["Eventos"],
            "line_items": [{"name": "Salgados", "quantity": 100, "unit_price": "2.50"}],
        },
    )
    assert response.status_code == 201, response.content
    deal = response.json()
    assert deal["amount"] == "250.00" and deal["currency"] == "BRL"
    assert deal["stage_name"] == "Qualificação" and deal["status"] == "open"
    assert deal["owner_id"] == bruno.user.pk and deal["tags"] == ["Eventos"]
    assert deal["line_items"][0]["total"] == "250.00"
    url = f"/api/v1/deals/{deal['id']}"

    lost = send(client, "post", f"{url}/move", {"stage_id": vendas["Perdido"].pk})
    assert fields_of(problem(lost, 422)) == {"lost_reason_id"}
    moved = send(client, "post", f"{url}/move", {"stage_id": vendas["Proposta"].pk})
    assert moved.json()["stage_name"] == "Proposta"
    won = send(client, "post", f"{url}/move", {"stage_id": vendas["Ganho"].pk}).json()
    assert won["status"] == "won" and won["closed_at"]
    assert [h["to_stage_name"] for h in won["stage_history"]] == [
        "Qualificação",
        "Proposta",
        "Ganho",
    ]
    assert won["stage_history"][0]["from_stage_id"] is None

    patched = send(client, "patch", url, {"amount": "300", "description": "Para 120 pessoas"})
    assert patched.json()["amount"] == "300.00"
    use_move = send(client, "patch", url, {"stage_id": vendas["Reunião"].pk})
    assert fields_of(problem(use_move, 422)) == {"stage_id"}

    assert client.delete(url).status_code == 403  # sales reps do not delete
    owner = ana.client()
    assert owner.delete(url).status_code == 204
    assert owner.get(url).json()["deleted_at"] is not None
    assert owner.get("/api/v1/deals").json()["items"] == []
    assert [d["id"] for d in owner.get("/api/v1/deals?deleted=true").json()["items"]] == [
        deal["id"]
    ]
    restored = send(client, "post", f"{url}/restore")
    assert restored.status_code == 200 and restored.json()["deleted_at"] is None


def test_bad_deal_input_names_the_field_and_writes_nothing(
    ana, carla, vendas, carlas_person, segment_field
):
    client = ana.client()
    other = services.create_pipeline(actor=ana.actor, data={"name": "Parcerias"})
    before = Deal.objects.count()
    cases = [
        ({"title": "X", "pipeline_id": vendas.pipeline.pk, "stage_id": other.stages.first().pk},
         "stage_id"),
        ({"title": "X", "owner_id": carla.user.pk}, "owner_id"),
        ({"title": "X", "person_id": carlas_person.pk}, "person_id"),
        ({"title": "X", "custom_fields": {"x": "1"}}, "custom_fields.x"),
        ({"title": "X", "amount": "-10"}, "amount"),
        ({"title": "X", "amount": "dez reais"}, "amount"),
        ({"title": "X", "currency": "REAIS"}, "currency"),
        ({"title": "X", "line_items": [{"name": "A", "quantity": -1}]}, "line_items.0.quantity"),
        ({"title": "X", "stage_id": vendas["Perdido"].pk}, "lost_reason_id"),
        ({"title": "   "}, "title"),
    ]  # fmt: skip
    for data, field in cases:
        body = problem(send(client, "post", "/api/v1/deals", data), 422)
        assert fields_of(body) == {field}, (data, body)
    assert Deal.objects.count() == before
    body = problem(client.get("/api/v1/deals?filter={not json"), 422)
    assert fields_of(body) == {"filter"}
    body = problem(client.get("/api/v1/deals?sort=owner"), 422)
    assert fields_of(body) == {"sort"}


def test_list_filters_sorting_and_cursor(ana, bruno, vendas, maria, acme):
    a = _deal(ana, title="Alfa", amount=300, person_id=maria.pk, expected_close_date="2026-12-01")
    b = _deal(ana, title="Beta", amount=100, owner_id=bruno.user.pk, company_id=acme.pk)
    c = _deal(ana, title="Gama", amount=200, stage_id=vendas["Proposta"].pk)
    services.move_deal(actor=ana.actor, deal_id=c.pk, stage_id=vendas["Ganho"].pk)
    client = ana.client()

    def titles(query: str) -> list[str]:
        response = client.get(f"/api/v1/deals?{query}")
        assert response.status_code == 200, response.content
        return [d["title"] for d in response.json()["items"]]

    assert titles("sort=amount") == ["Beta", "Gama", "Alfa"]
    assert titles("sort=-amount") == ["Alfa", "Gama", "Beta"]
    assert titles("sort=title&status=won") == ["Gama"]
    assert titles(f"owner_id={bruno.user.pk}") == ["Beta"]
    assert titles(f"person_id={maria.pk}") == ["Alfa"]
    assert titles(f"company_id={acme.pk}") == ["Beta"]
    assert titles("q=souza") == ["Alfa"]  # the person's last name
    assert titles("q=acme") == ["Beta"]
    assert titles(f"stage_id={vendas['Qualificação'].pk}&sort=title") == ["Alfa", "Beta"]
    assert titles(f"pipeline_id={vendas.pipeline.pk}&sort=created_at") == ["Alfa", "Beta", "Gama"]
    # nullable sort keys keep the rows without a value at the end, across pages
    seen, cursor = [], ""
    for _ in range(5):
        page = client.get(f"/api/v1/deals?sort=expected_close_date&limit=1&cursor={cursor}").json()
        seen += [d["title"] for d in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen[0] == "Alfa" and sorted(seen) == ["Alfa", "Beta", "Gama"]
    seen, cursor = [], ""
    for _ in range(5):
        page = client.get(f"/api/v1/deals?sort=-closed_at&limit=2&cursor={cursor}").json()
        seen += [d["title"] for d in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen[0] == "Gama" and sorted(seen) == ["Alfa", "Beta", "Gama"]
    # the shared filter language
    tree = {"and": [{"field": "amount", "op": "gte", "value": "150"},
                    {"field": "status", "op": "eq", "value": "open"}]}  # fmt: skip
    assert titles(f"filter={quote(json.dumps(tree))}") == ["Alfa"]
    unknown = client.get(f"/api/v1/deals?filter={quote(json.dumps({'field': 'nope'}))}")
    assert unknown.status_code == 400, unknown.content
    assert a.pk and b.pk


def test_bulk_endpoint(ana, carla, vendas):
    client = ana.client()
    at = timezone.now() - timedelta(days=10)
    rows = [
        {"title": "Um", "amount": "10"},
        {"title": "Dois", "owner_id": carla.user.pk},
        {
            "title": "Três",
            "lost_reason_id": vendas.reason("timing").pk,
            "lost_note": "Prazo",
            "stage_history": [
                {"stage_id": vendas["Qualificação"].pk, "at": at.isoformat()},
                {"stage_id": vendas["Perdido"].pk, "at": (at + timedelta(days=3)).isoformat()},
            ],
        },
        7,
    ]
    response = send(client, "post", "/api/v1/deals/bulk", rows)
    assert response.status_code == 200, response.content
    body = response.json()
    assert [d["title"] for d in body["created"]] == ["Um", "Três"]
    assert body["created"][1]["status"] == "lost"
    assert [(e["index"], [f["field"] for f in e["errors"]]) for e in body["errors"]] == [
        (1, ["owner_id"]),
        (3, ["row"]),
    ]
    assert StageChange.objects.filter(deal_id=body["created"][1]["id"]).count() == 2

    not_a_list = send(client, "post", "/api/v1/deals/bulk", {"title": "x"})
    problem(not_a_list, 422)
    too_many = send(client, "post", "/api/v1/deals/bulk", [{"title": "x"}] * 1001)
    assert fields_of(problem(too_many, 422)) == {"rows"}
    assert Deal.objects.filter(workspace=ana.workspace).count() == 2


def test_board_endpoint(ana, vendas):
    _deal(ana, title="A", amount=100, stage_id=vendas["Negociação"].pk)
    _deal(ana, title="B", amount=300, stage_id=vendas["Negociação"].pk)
    body = ana.client().get(f"/api/v1/pipelines/{vendas.pipeline.pk}/board?per_stage=1").json()
    column = next(c for c in body["columns"] if c["stage"]["name"] == "Negociação")
    assert (column["count"], column["amount"], column["weighted_amount"]) == (2, "400.00", "300.00")
    assert len(column["deals"]) == 1
    assert column["deals"][0]["is_rotting"] is False
    assert body["currency"] == "BRL"


# --- products ---------------------------------------------------------------------------------


def test_product_endpoints(ana, bruno):
    client = ana.client()
    response = send(client, "post", "/api/v1/products", {"name": "Bolo", "unit_price": "45,90"})
    assert response.status_code == 201, response.content
    product = response.json()
    assert (product["unit_price"], product["currency"]) == ("45.90", "BRL")
    bad = send(client, "post", "/api/v1/products", {"name": "", "unit_price": "-1"})
    assert fields_of(problem(bad, 422)) == {"name", "unit_price"}
    patched = send(client, "patch", f"/api/v1/products/{product['id']}", {"sku": "BOL-1"})
    assert patched.json()["sku"] == "BOL-1"
    assert [p["name"] for p in bruno.client().get("/api/v1/products").json()["items"]] == ["Bolo"]
    problem(send(bruno.client(), "post", "/api/v1/products", {"name": "Torta"}), 403)
    archived = client.delete(f"/api/v1/products/{product['id']}")
    assert archived.status_code == 200 and archived.json()["is_active"] is False
    assert client.get("/api/v1/products").json()["items"] == []
    assert len(client.get("/api/v1/products?archived=true").json()["items"]) == 1


# --- permissions, isolation, query counts -----------------------------------------------------


def test_a_viewer_reads_but_cannot_write(ana, vera, vendas):
    deal = _deal(ana)
    client = vera.client()
    assert client.get("/api/v1/deals").status_code == 200
    assert client.get(f"/api/v1/pipelines/{vendas.pipeline.pk}/board").status_code == 200
    pid, sid = vendas.pipeline.pk, vendas["Proposta"].pk
    for method, url, data in [
        ("post", "/api/v1/deals", {"title": "X"}),
        ("post", "/api/v1/deals/bulk", [{"title": "X"}]),
        ("patch", f"/api/v1/deals/{deal.pk}", {"title": "Y"}),
        ("post", f"/api/v1/deals/{deal.pk}/move", {"stage_id": sid}),
        ("delete", f"/api/v1/deals/{deal.pk}", None),
        ("post", f"/api/v1/deals/{deal.pk}/restore", None),
        ("post", "/api/v1/pipelines", {"name": "X"}),
        ("patch", f"/api/v1/pipelines/{pid}", {"name": "X"}),
        ("delete", f"/api/v1/pipelines/{pid}", None),
        ("post", f"/api/v1/pipelines/{pid}/stages", {"name": "X"}),
        ("put", f"/api/v1/pipelines/{pid}/stage-order", {"stage_ids": []}),
        ("patch", f"/api/v1/stages/{sid}", {"name": "X"}),
        ("delete", f"/api/v1/stages/{sid}", None),
        ("post", "/api/v1/products", {"name": "X"}),
    ]:
        body = problem(send(client, method, url, data), 403)
        assert "Viewer" in body["detail"], (method, url)
    deal.refresh_from_db()
    assert (deal.title, deal.stage.name, deal.deleted_at) == ("Pão de queijo", "Qualificação", None)


def test_carla_cannot_reach_anything_of_anas(ana, carla, vendas, maria):
    deal = _deal(ana, person_id=maria.pk)
    product = services.create_product(actor=ana.actor, data={"name": "Bolo"})
    pid, sid = vendas.pipeline.pk, vendas["Proposta"].pk
    client = carla.client()
    assert client.get("/api/v1/deals").json()["items"] == []
    assert client.get("/api/v1/deals?deleted=true").json()["items"] == []
    assert client.get(f"/api/v1/deals?person_id={maria.pk}").json()["items"] == []
    assert client.get("/api/v1/products").json()["items"] == []
    theirs = {p["id"] for p in client.get("/api/v1/pipelines?archived=true").json()}
    assert theirs == set(
        Pipeline.objects.filter(workspace=carla.workspace).values_list("pk", flat=True)
    )
    for method, url, data in [
        ("get", f"/api/v1/deals/{deal.pk}", None),
        ("patch", f"/api/v1/deals/{deal.pk}", {"title": "Roubado"}),
        ("post", f"/api/v1/deals/{deal.pk}/move", {"stage_id": sid}),
        ("delete", f"/api/v1/deals/{deal.pk}", None),
        ("post", f"/api/v1/deals/{deal.pk}/restore", None),
        ("get", f"/api/v1/pipelines/{pid}", None),
        ("patch", f"/api/v1/pipelines/{pid}", {"name": "Roubado"}),
        ("delete", f"/api/v1/pipelines/{pid}", None),
        ("get", f"/api/v1/pipelines/{pid}/board", None),
        ("post", f"/api/v1/pipelines/{pid}/stages", {"name": "Roubado"}),
        ("put", f"/api/v1/pipelines/{pid}/stage-order", {"stage_ids": [sid]}),
        ("patch", f"/api/v1/stages/{sid}", {"name": "Roubado"}),
        ("delete", f"/api/v1/stages/{sid}", None),
        ("patch", f"/api/v1/products/{product.pk}", {"name": "Roubado"}),
        ("delete", f"/api/v1/products/{product.pk}", None),
    ]:
        response = send(client, method, url, data)
        assert response.status_code == 404, (method, url, response.content)
    # Ana's ids in Carla's input are refused by field
    for data, field in [
        ({"title": "X", "stage_id": sid}, "stage_id"),
        ({"title": "X", "pipeline_id": pid}, "pipeline_id"),
        ({"title": "X", "person_id": maria.pk}, "person_id"),
        ({"title": "X", "owner_id": ana.user.pk}, "owner_id"),
        ({"title": "X", "line_items": [{"product_id": product.pk}]}, "line_items.0.product_id"),
    ]:
        assert fields_of(problem(send(client, "post", "/api/v1/deals", data), 422)) == {field}
    bulk = send(client, "post", "/api/v1/deals/bulk", [{"title": "X", "stage_id": sid}])
    assert bulk.json()["errors"][0]["errors"][0]["field"] == "stage_id"
    assert not Deal.objects.filter(workspace=carla.workspace).exists()
    deal.refresh_from_db()
    product.refresh_from_db()
    assert (deal.title, deal.stage_id, deal.deleted_at) == ("Pão de queijo", deal.stage_id, None)
    assert product.name == "Bolo" and product.is_active
    assert Stage.objects.get(pk=sid).name == "Proposta"
    assert Pipeline.objects.get(pk=pid).name == "Vendas"
    assert Product.objects.filter(workspace=carla.workspace).count() == 0


def test_query_counts_do_not_grow_with_rows(
    ana, vendas, maria, acme, django_assert_max_num_queries
):
    product = services.create_product(actor=ana.actor, data={"name": "Bolo", "unit_price": 10})
    for i in range(12):
        deal = _deal(
            ana,
            title=f"D{i}",
            person_id=maria.pk,
            company_id=acme.pk,
            tags=["a", f"t{i}"],
            line_items=[{"product_id": product.pk}, {"name": "Frete", "unit_price": 5}],
            stage_id=vendas["Proposta"].pk if i % 2 else vendas["Reunião"].pk,
        )
        services.move_deal(actor=ana.actor, deal_id=deal.pk, stage_id=vendas["Negociação"].pk)
    client = ana.client()
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/deals?limit=50").json()["items"]) == 12
    stage_count = vendas.pipeline.stages.count()  # one query per stage for its cards
    with django_assert_max_num_queries(7 + stage_count):
        body = client.get(f"/api/v1/pipelines/{vendas.pipeline.pk}/board").json()
    assert sum(c["count"] for c in body["columns"]) == 12
    with django_assert_max_num_queries(9):
        detail = client.get(f"/api/v1/deals/{deal.pk}").json()
    assert len(detail["stage_history"]) == 2 and len(detail["line_items"]) == 2
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/pipelines").json()) == 1
