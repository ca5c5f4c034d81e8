"""Lost reasons: a per-pipeline list a lost deal picks from (services, API, settings screen,
board/deal page, the count per reason), isolated between workspaces."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from tests.api import fields_of, problem, send
from vinculo.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from vinculo.sales import selectors, services
from vinculo.sales.models import Deal, LostReason


def fields(exc) -> set[str]:
    return {e.field for e in exc.value.errors}


def _deal(persona, **data) -> Deal:
    return services.create_deal(actor=persona.actor, data={"title": "Bolo de rolo", **data})


def _lose(persona, deal, stage, **lost) -> Deal:
    return services.move_deal(actor=persona.actor, deal_id=deal.pk, stage_id=stage.pk, **lost)


# --- the list ---------------------------------------------------------------------------------


def test_a_new_pipeline_lists_the_default_reasons_in_the_readers_language(ana, vendas):
    reasons = selectors.lost_reasons(ana.actor, vendas.pipeline.pk)
    assert [r.code for r in reasons] == [
        "price", "competitor", "no_budget", "timing", "no_fit", "other",
    ]  # fmt: skip
    assert all(r.label == "" for r in reasons)  # a code, rendered in the reader's language
    with translation.override("pt-br"):
        assert [r.display for r in reasons][:3] == [
            "Preço",
            "Escolheu um concorrente",
            "Sem orçamento",
        ]
    with translation.override("en"):
        assert [r.display for r in reasons][:3] == ["Price", "Chose a competitor", "No budget"]
    other = services.create_pipeline(actor=ana.actor, data={"name": "Parcerias"})
    assert LostReason.objects.filter(pipeline=other).count() == 6


def test_add_rename_archive_reorder_and_delete(ana, bruno, vendas):
    pipeline = vendas.pipeline.pk
    added = services.create_lost_reason(
        actor=ana.actor, pipeline_id=pipeline, data={"label": "Faltou uma funcionalidade"}
    )
    assert (added.code, added.display, added.position) == ("", "Faltou uma funcionalidade", 6)
    with pytest.raises(ValidationFailed) as exc:
        services.create_lost_reason(actor=ana.actor, pipeline_id=pipeline, data={"label": "  "})
    assert fields(exc) == {"label"}
    with translation.override("en"), pytest.raises(ValidationFailed) as exc:
        services.create_lost_reason(actor=ana.actor, pipeline_id=pipeline, data={"label": "PRICE"})
    assert fields(exc) == {"label"}  # taken, whatever the case

    price = vendas.reason("price")
    with translation.override("en"):  # saving the shown label unchanged keeps it a default
        services.update_lost_reason(actor=ana.actor, reason_id=price.pk, data={"label": "Price"})
    price.refresh_from_db()
    assert price.label == ""
    price = services.update_lost_reason(
        actor=ana.actor, reason_id=price.pk, data={"label": "Caro demais"}
    )
    with translation.override("en"):
        assert price.display == "Caro demais"
    price = services.update_lost_reason(actor=ana.actor, reason_id=price.pk, data={"label": ""})
    assert price.label == ""  # back to the default label
    archived = services.update_lost_reason(
        actor=ana.actor, reason_id=added.pk, data={"is_active": False}
    )
    assert not archived.is_active
    assert added.pk not in [r.pk for r in selectors.lost_reasons(ana.actor, pipeline)]

    ids = [r.pk for r in selectors.lost_reasons(ana.actor, pipeline, include_archived=True)]
    services.reorder_lost_reasons(actor=ana.actor, pipeline_id=pipeline, reason_ids=ids[::-1])
    assert [
        r.pk for r in selectors.lost_reasons(ana.actor, pipeline, include_archived=True)
    ] == ids[::-1]
    with pytest.raises(ValidationFailed) as exc:
        services.reorder_lost_reasons(actor=ana.actor, pipeline_id=pipeline, reason_ids=ids[1:])
    assert fields(exc) == {"reason_ids"}

    services.delete_lost_reason(actor=ana.actor, reason_id=added.pk)
    assert not LostReason.objects.filter(pk=added.pk).exists()
    deal = _deal(ana)
    _lose(ana, deal, vendas["Perdido"], lost_reason_id=vendas.reason("timing").pk)
    with pytest.raises(Conflict):
        services.delete_lost_reason(actor=ana.actor, reason_id=vendas.reason("timing").pk)
    with pytest.raises(PermissionDenied):  # a sales rep does not manage settings
        services.create_lost_reason(actor=bruno.actor, pipeline_id=pipeline, data={"label": "X"})


def test_another_workspace_cannot_see_or_change_the_reasons(ana, carla, vendas):
    price = vendas.reason("price")
    with pytest.raises(NotFound):
        selectors.lost_reasons(carla.actor, vendas.pipeline.pk)
    with pytest.raises(NotFound):
        services.update_lost_reason(actor=carla.actor, reason_id=price.pk, data={"label": "X"})
    with pytest.raises(NotFound):
        services.create_lost_reason(
            actor=carla.actor, pipeline_id=vendas.pipeline.pk, data={"label": "X"}
        )
    with pytest.raises(NotFound):
        services.delete_lost_reason(actor=carla.actor, reason_id=price.pk)


# --- a lost deal picks a reason -----------------------------------------------------------------


def test_a_lost_deal_picks_a_listed_reason_and_other_needs_a_note(ana, vendas):
    lost = vendas["Perdido"]
    deal = _deal(ana)
    with pytest.raises(ValidationFailed) as exc:
        _lose(ana, deal, lost, lost_note="Caro")
    assert fields(exc) == {"lost_reason_id"}  # the pipeline lists reasons: pick one
    with pytest.raises(ValidationFailed) as exc:
        _lose(ana, deal, lost, lost_reason_id=vendas.reason("other").pk)
    assert fields(exc) == {"lost_note"}  # "other" says why
    with pytest.raises(ValidationFailed) as exc:
        _lose(ana, deal, lost, lost_reason_id=999999)
    assert fields(exc) == {"lost_reason_id"}
    parcerias = services.create_pipeline(actor=ana.actor, data={"name": "Parcerias"})
    foreign = LostReason.objects.get(pipeline=parcerias, code="price")
    with pytest.raises(ValidationFailed) as exc:  # a reason of another pipeline
        _lose(ana, deal, lost, lost_reason_id=foreign.pk)
    assert fields(exc) == {"lost_reason_id"}
    archived = services.update_lost_reason(
        actor=ana.actor, reason_id=vendas.reason("no_fit").pk, data={"is_active": False}
    )
    with pytest.raises(ValidationFailed) as exc:
        _lose(ana, deal, lost, lost_reason_id=archived.pk)
    assert fields(exc) == {"lost_reason_id"}
    deal.refresh_from_db()
    assert deal.status == "open"  # nothing written

    deal = _lose(ana, deal, lost, lost_reason_id=vendas.reason("other").pk, lost_note="Fechou")
    assert (deal.status, deal.lost_reason.code, deal.lost_note) == ("lost", "other", "Fechou")
    # A patch that does not touch the reason leaves it alone; the note alone can change.
    services.update_deal(actor=ana.actor, deal_id=deal.pk, data={"title": "Bolo"})
    with pytest.raises(ValidationFailed) as exc:
        services.update_deal(actor=ana.actor, deal_id=deal.pk, data={"lost_note": ""})
    assert fields(exc) == {"lost_note"}
    deal = services.update_deal(
        actor=ana.actor,
        deal_id=deal.pk,
        data={"lost_reason_id": vendas.reason("price").pk, "lost_note": ""},
    )
    assert (deal.lost_reason.code, deal.lost_note) == ("price", "")


def test_a_pipeline_without_reasons_asks_for_the_note(ana, vendas):
    for reason in selectors.lost_reasons(ana.actor, vendas.pipeline.pk):
        services.update_lost_reason(actor=ana.actor, reason_id=reason.pk, data={"is_active": False})
    deal = _deal(ana)
    with pytest.raises(ValidationFailed) as exc:
        _lose(ana, deal, vendas["Perdido"])
    assert fields(exc) == {"lost_note"}
    deal = _lose(ana, deal, vendas["Perdido"], lost_note="Sumiu")
    assert (deal.lost_reason, deal.lost_note) == (None, "Sumiu")


def test_bulk_rows_pick_reasons_too(ana, vendas):
    at = timezone.now() - timedelta(days=3)
    history = [{"stage_id": vendas["Perdido"].pk, "at": at.isoformat()}]
    rows = [
        {"title": "A", "stage_history": history, "lost_reason_id": vendas.reason("price").pk},
        {"title": "B", "stage_history": history, "lost_note": "Sem motivo listado"},
        {"title": "C", "stage_history": history, "lost_reason_id": vendas.reason("other").pk},
    ]
    result = services.bulk_create_deals(actor=ana.actor, rows=rows)
    assert [d.title for d in result.created] == ["A"]
    assert [(e.index, [f.field for f in e.errors]) for e in result.errors] == [
        (1, ["lost_reason_id"]),
        (2, ["lost_note"]),
    ]


# --- counting -----------------------------------------------------------------------------------


def test_lost_deals_are_counted_per_reason_over_a_period(ana, carla, vendas):
    lost = vendas["Perdido"]
    for code in ("price", "price", "competitor"):
        _lose(ana, _deal(ana), lost, lost_reason_id=vendas.reason(code).pk)
    old = _lose(ana, _deal(ana), lost, lost_reason_id=vendas.reason("price").pk)
    Deal.objects.filter(pk=old.pk).update(closed_at=timezone.now() - timedelta(days=200))
    binned = _lose(ana, _deal(ana), lost, lost_reason_id=vendas.reason("price").pk)
    services.delete_deal(actor=ana.actor, deal_id=binned.pk)
    legacy = _lose(ana, _deal(ana), lost, lost_reason_id=vendas.reason("timing").pk)
    Deal.objects.filter(pk=legacy.pk).update(lost_reason=None, lost_note="antigo")

    def counts(**period):
        rows = selectors.lost_reason_counts(ana.actor, vendas.pipeline.pk, **period)
        return {(r.reason.code if r.reason else None): r.deals for r in rows}

    assert counts() == {
        "price": 3, "competitor": 1, "no_budget": 0, "timing": 0, "no_fit": 0, "other": 0,
        None: 1,
    }  # fmt: skip
    since = timezone.localdate() - timedelta(days=30)
    assert counts(start=since)["price"] == 2
    assert counts(end=since)["price"] == 1
    with pytest.raises(NotFound):
        selectors.lost_reason_counts(carla.actor, vendas.pipeline.pk)


# --- API ------------------------------------------------------------------------------------------


def test_lost_reason_endpoints(ana, carla, vendas):
    client = ana.client()
    base = f"/api/v1/pipelines/{vendas.pipeline.pk}"
    listed = client.get(f"{base}/lost-reasons").json()
    assert [r["code"] for r in listed][:2] == ["price", "competitor"]
    assert listed[0]["label"] == "Price" and listed[-1]["needs_note"] is True
    assert (
        client.get(f"{base}/lost-reasons", HTTP_ACCEPT_LANGUAGE="pt-br").json()[0]["label"]
        == "Preço"
    )

    created = send(client, "post", f"{base}/lost-reasons", {"label": "Faltou estoque"})
    assert created.status_code == 201, created.content
    reason = created.json()
    assert (reason["label"], reason["code"], reason["renamed"]) == ("Faltou estoque", "", True)
    assert fields_of(problem(send(client, "post", f"{base}/lost-reasons", {"label": ""}), 422)) == {
        "label"
    }
    patched = send(
        client, "patch", f"{base}/lost-reasons/{reason['id']}", {"label": "Sem estoque"}
    ).json()
    assert patched["label"] == "Sem estoque"
    archived = send(client, "patch", f"{base}/lost-reasons/{reason['id']}", {"is_active": False})
    assert archived.json()["is_active"] is False
    assert reason["id"] not in [r["id"] for r in client.get(f"{base}/lost-reasons").json()]
    assert reason["id"] in [
        r["id"] for r in client.get(f"{base}/lost-reasons?archived=true").json()
    ]
    ids = [r["id"] for r in client.get(f"{base}/lost-reasons?archived=true").json()]
    ordered = send(client, "put", f"{base}/lost-reason-order", {"reason_ids": ids[::-1]})
    assert [r["id"] for r in ordered.json()] == ids[::-1]
    assert fields_of(
        problem(send(client, "put", f"{base}/lost-reason-order", {"reason_ids": [ids[0]]}), 422)
    ) == {"reason_ids"}

    # A deal marked lost over the API names the reason; the answer carries id + label and note.
    deal = send(client, "post", "/api/v1/deals", {"title": "Pão"}).json()
    assert (deal["lost_reason"], deal["lost_note"]) == (None, "")
    refused = send(
        client,
        "post",
        f"/api/v1/deals/{deal['id']}/move",
        {"stage_id": vendas["Perdido"].pk, "lost_reason_id": vendas.reason("other").pk},
    )
    assert fields_of(problem(refused, 422)) == {"lost_note"}
    moved = send(
        client,
        "post",
        f"/api/v1/deals/{deal['id']}/move",
        {
            "stage_id": vendas["Perdido"].pk,
            "lost_reason_id": vendas.reason("competitor").pk,
            "lost_note": "Foi para a concorrência",
        },
    ).json()
    assert moved["lost_reason"] == {
        "id": vendas.reason("competitor").pk,
        "code": "competitor",
        "label": "Chose a competitor",
    }
    assert moved["lost_note"] == "Foi para a concorrência"
    counts = client.get(f"{base}/lost-reason-counts").json()
    assert {"reason": moved["lost_reason"], "deals": 1} in counts
    in_use = send(client, "delete", f"{base}/lost-reasons/{vendas.reason('competitor').pk}")
    problem(in_use, 409)
    assert send(client, "delete", f"{base}/lost-reasons/{reason['id']}").status_code == 204

    # Carla (another workspace) gets 404 for Ana's pipeline and reasons.
    other = carla.client()
    price = vendas.reason("price").pk
    assert other.get(f"{base}/lost-reasons").status_code == 404
    assert other.get(f"{base}/lost-reason-counts").status_code == 404
    assert send(other, "post", f"{base}/lost-reasons", {"label": "X"}).status_code == 404
    assert send(other, "patch", f"{base}/lost-reasons/{price}", {"label": "X"}).status_code == 404
    assert send(other, "delete", f"{base}/lost-reasons/{price}").status_code == 404
    assert send(other, "put", f"{base}/lost-reason-order", {"reason_ids": ids}).status_code == 404
    carlas = services.ensure_default_pipeline(actor=carla.actor)
    carlas_deal = services.create_deal(actor=carla.actor, data={"title": "Dela"})
    lost_stage = carlas.stages.get(kind="lost")
    refused = send(
        other,
        "post",
        f"/api/v1/deals/{carlas_deal.pk}/move",
        {"stage_id": lost_stage.pk, "lost_reason_id": price},  # Ana's reason
    )
    assert fields_of(problem(refused, 422)) == {"lost_reason_id"}


def test_the_openapi_describes_the_lost_reasons(ana):
    schema = ana.client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert "/api/v1/pipelines/{pipeline_id}/lost-reasons" in paths
    assert "/api/v1/pipelines/{pipeline_id}/lost-reasons/{reason_id}" in paths
    assert "/api/v1/pipelines/{pipeline_id}/lost-reason-counts" in paths
    deal_out = schema["components"]["schemas"]["DealOut"]["properties"]
    assert "lost_note" in deal_out and "lost_reason" in deal_out
    assert "lost_reason_id" in schema["components"]["schemas"]["MoveIn"]["properties"]


# --- screens --------------------------------------------------------------------------------------


def test_the_pipeline_settings_edit_the_reasons_and_count_them(ana, vendas):
    client = ana.web(language="pt-br")
    url = f"/settings/pipelines/{vendas.pipeline.pk}/"
    _lose(ana, _deal(ana), vendas["Perdido"], lost_reason_id=vendas.reason("price").pk)
    page = client.get(url).content.decode()
    assert "Motivos de perda" in page and 'value="Preço"' in page
    table = page[page.index('id="lost-reason-counts"') :]
    assert 'Preço</td><td class="num">1</td><td class="num">1</td>' in table

    added = client.post(
        f"/settings/pipelines/{vendas.pipeline.pk}/lost-reasons/new/", {"label": "Sem estoque"}
    )
    assert added.status_code == 302 and added["Location"] == url
    reason = LostReason.objects.get(pipeline=vendas.pipeline, label="Sem estoque")
    refused = client.post(
        f"/settings/pipelines/{vendas.pipeline.pk}/lost-reasons/new/", {"label": "preço"}
    )
    assert refused.status_code == 422
    assert 'value="preço"' in refused.content.decode()  # kept as typed, next to its error
    renamed = client.post(f"/settings/lost-reasons/{reason.pk}/", {"label": "Faltou estoque"})
    assert renamed.status_code == 302
    archived = client.post(f"/settings/lost-reasons/{reason.pk}/", {"is_active": "0"})
    assert archived.status_code == 302
    reason.refresh_from_db()
    assert (reason.label, reason.is_active) == ("Faltou estoque", False)
    ids = [
        r.pk for r in selectors.lost_reasons(ana.actor, vendas.pipeline.pk, include_archived=True)
    ]
    reordered = client.post(
        f"/settings/pipelines/{vendas.pipeline.pk}/lost-reasons/order/", {"ids": ids[::-1]}
    )
    assert reordered.status_code == 302
    first = selectors.lost_reasons(ana.actor, vendas.pipeline.pk, include_archived=True)[0]
    assert first.pk == ids[-1]
    # The POST-only addresses answer a GET with the pipeline page, never a blank 405.
    for path in (
        f"/settings/pipelines/{vendas.pipeline.pk}/lost-reasons/new/",
        f"/settings/pipelines/{vendas.pipeline.pk}/lost-reasons/order/",
        f"/settings/lost-reasons/{reason.pk}/",
    ):
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, url)


def test_another_workspace_gets_404_on_the_reason_screens(ana, carla, vendas):
    client = carla.web()
    price = vendas.reason("price").pk
    assert client.post(f"/settings/lost-reasons/{price}/", {"label": "X"}).status_code == 404
    assert (
        client.post(
            f"/settings/pipelines/{vendas.pipeline.pk}/lost-reasons/new/", {"label": "X"}
        ).status_code
        == 404
    )
    assert vendas.reason("price").label == ""


def test_the_board_and_the_deal_page_offer_the_reasons(ana, vendas):
    deal = _deal(ana, stage_id=vendas["Reunião"].pk)
    client = ana.web(language="pt-br")
    board = client.get("/deals/").content.decode()
    dialog = board[board.index('id="lost-dialog"') :]
    assert 'name="lost_reason_id"' in dialog and 'name="lost_note"' in dialog
    assert f'<option value="{vendas.reason("other").pk}" data-needs-note="1">Outro' in board
    page = client.get(f"/deals/{deal.pk}/").content.decode()
    assert 'name="lost_reason_id"' in page and ">Escolheu um concorrente</option>" in page
    moved = client.post(
        f"/deals/{deal.pk}/move/",
        {
            "stage_id": vendas["Perdido"].pk,
            "lost_reason_id": vendas.reason("competitor").pk,
            "lost_note": "Foi para a Padaria Central",
            "next": f"/deals/{deal.pk}/",
        },
        follow=True,
    )
    page = moved.content.decode()
    assert "<strong>Escolheu um concorrente</strong> — Foi para a Padaria Central" in page
